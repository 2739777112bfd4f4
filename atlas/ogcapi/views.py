"""OGC API – Features endpoints: landing page, conformance, collections, items, one feature.

JSON (GeoJSON for features) by default; HTML for ``f=html`` or a browser's Accept header.
"""

import datetime
import functools
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from atlas import errors
from core.http import BadParameter
from indicators.payloads import DEMO_NOTICE
from indicators.presenters import shown, shown_area
from indicators.selectors import CITY_LEVEL, published_years
from indicators.services.downloads import attribution, licence

from . import features as data
from . import params, queryables
from .openapi import document, outline

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
ITEMS_PARAMETERS = ("f", "bbox", "limit", "offset", "year", "datetime")


def endpoint(
    *, allowed: tuple[str, ...] | None = ("f", "year"), json_types: tuple[str, ...] = (JSON,)
):
    """Checks the parameters, picks JSON or HTML and turns a bad parameter into a 400/404.

    ``year`` is accepted everywhere: GDAL repeats the query of a dataset URL
    (``OAPIF:…/ogcapi?year=2020``) on every request it makes. ``allowed=None``: the view
    checks the names itself (the items take the properties of their collection as filters).
    """

    def decorate(view):
        @require_safe
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                if allowed is not None:
                    params.check_known(request, allowed)
                if "year" in request.GET:
                    params.year(request)
                html = params.wants_html(request, json_types)
                response = view(request, *args, html=html, **kwargs)
            except BadParameter as bad:
                response = _error(request, bad)
            patch_vary_headers(response, ["Accept"])
            return response

        return wrapped

    return decorate


def _error(request, bad: BadParameter) -> HttpResponse:
    if bad.status == 404 and not errors.wants_json(request):
        return errors.not_found(request, Http404(bad.message))
    code = "NotFound" if bad.status == 404 else "InvalidParameterValue"
    return JsonResponse(
        {
            "code": code,
            "description": bad.message,
            "error": {"parameter": bad.parameter, "message": bad.message},
        },
        status=bad.status,
    )


def _url(request, name: str, /, *args, **query) -> str:
    # Positional only: a filter on the property "name" arrives in ``query``.
    path = reverse(f"ogcapi:{name}", args=args)
    query = {key: value for key, value in query.items() if value is not None}
    return request.build_absolute_uri(path + (f"?{urlencode(query)}" if query else ""))


def _link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def _self_links(request, name: str, /, *args, media_type: str = JSON, **query) -> list[dict]:
    return [
        _link(_url(request, name, *args, f="json", **query), "self", media_type, _("als JSON")),
        _link(_url(request, name, *args, f="html", **query), "alternate", HTML, _("als HTML")),
    ]


def _licence_link() -> dict:
    """The atlas's licence of its outputs, the same in every output (downloads.licence)."""
    terms = licence()
    return _link(terms.url, "license", HTML, terms.name)


def _terms(is_demo: bool) -> dict:
    """What every document carries besides its links: the attribution the licence asks for
    and, where boundaries or values are synthetic, the demo mark."""
    return {
        "attribution": attribution(),
        "is_demo": is_demo,
        "notice": DEMO_NOTICE if is_demo else "",
    }


def _page(request, template: str, context: dict, json_url: str, trail: list) -> HttpResponse:
    home = (_("OGC API"), reverse("ogcapi:landing") if trail else None)
    context = {
        **context,
        "json_url": json_url,
        "trail": [home, *trail],
        "licence": licence(),
        "attribution": attribution(),
    }
    return render(request, f"ogcapi/{template}", context)


def _collection(collection_id: str) -> data.Collection:
    found = data.collection(collection_id)
    if found is None:
        raise BadParameter(
            "collectionId",
            f"unbekannte Sammlung {collection_id!r} / unknown collection {collection_id!r}",
            404,
        )
    return found


@endpoint()
def landing(request, *, html: bool):
    body = {
        "title": _("Demografie- und Sozialatlas %(city)s") % {"city": settings.ATLAS_CITY_NAME},
        "description": _(
            "Gebiete aller Ebenen mit ihren Grenzen und den veröffentlichten Indikatorwerten "
            "eines Jahres, als OGC API – Features."
        ),
        "links": [
            *_self_links(request, "landing"),
            _link(
                _url(request, "api"), "service-desc", OPENAPI, _("Beschreibung der Schnittstelle")
            ),
            _link(
                _url(request, "conformance"), "conformance", JSON, _("Erfüllte Konformitätsklassen")
            ),
            _link(_url(request, "api", f="html"), "service-doc", HTML, _("Schnittstelle als HTML")),
            _link(_url(request, "collections"), "data", JSON, _("Sammlungen")),
            _licence_link(),
        ],
        **_terms(any(c.is_demo for c in data.collections())),
    }
    if html:
        context = {"body": body, "landing_url": _url(request, "landing")}
        return _page(request, "landing.html", context, _url(request, "landing", f="json"), [])
    return JsonResponse(body)


@endpoint(json_types=(OPENAPI, JSON))
def api(request, *, html: bool):
    ids = [c.id for c in data.collections()]
    body = document(base=_url(request, "landing").rstrip("/"), collections=ids)
    if html:
        trail = [(_("Beschreibung der Schnittstelle"), None)]
        json_url = _url(request, "api", f="json")
        context = {"info": body["info"], "operations": outline(body)}
        return _page(request, "api.html", context, json_url, trail)
    response = JsonResponse(body)
    response["Content-Type"] = OPENAPI
    return response


@endpoint()
def conformance(request, *, html: bool):
    body = {"conformsTo": CONFORMANCE, "links": _self_links(request, "conformance")}
    if html:
        trail = [(_("Konformität"), None)]
        json_url = _url(request, "conformance", f="json")
        return _page(request, "conformance.html", {"body": body}, json_url, trail)
    return JsonResponse(body)


@endpoint()
def collections(request, *, html: bool):
    found = data.collections()
    years = published_years()
    body = {
        "links": [*_self_links(request, "collections"), _licence_link()],
        **_terms(any(c.is_demo for c in found)),
        "collections": [_collection_dict(request, c, years) for c in found],
    }
    if html:
        trail = [(_("Sammlungen"), None)]
        json_url = _url(request, "collections", f="json")
        return _page(request, "collections.html", {"body": body}, json_url, trail)
    return JsonResponse(body)


@endpoint()
def collection(request, collection_id: str, *, html: bool):
    found = _collection(collection_id)
    body = _collection_dict(request, found, published_years())
    if html:
        trail = [(_("Sammlungen"), reverse("ogcapi:collections")), (body["title"], None)]
        json_url = _url(request, "collection", found.id, f="json")
        return _page(request, "collection.html", {"body": body}, json_url, trail)
    return JsonResponse(body)


def _description(collection: data.Collection, years: list[int]) -> str:
    facts = {
        "levels": collection.level.name_plural,
        "city": settings.ATLAS_CITY_NAME,
        "year": years[-1] if years else "–",
    }
    if collection.id == CITY_LEVEL:
        text = _(
            "Die Stadt %(city)s mit ihrer Grenze in voller Auflösung und den Werten aller "
            "Indikatoren, die für ein Jahr veröffentlicht sind (Parameter „year“, ohne ihn "
            "das neueste veröffentlichte Jahr %(year)s)."
        )
    else:
        text = _(
            "%(levels)s der Stadt %(city)s mit ihren Grenzen in voller Auflösung und den "
            "Werten aller Indikatoren, die für ein Jahr veröffentlicht sind (Parameter "
            "„year“, ohne ihn das neueste veröffentlichte Jahr %(year)s)."
        )
    note = _(
        "Zum Schutz vor Rückschlüssen auf Personen zurückgehaltene Werte sind null, ihr "
        "Status (Eigenschaft <Kennung>_status) ist „.“. Angenäherte Werte, aus Teilen von "
        "Gebieten einer anderen Ebene geschätzt, haben <Kennung>_approximate = true und sind "
        "auf die Nachkommastellen des Indikators gerundet."
    )
    time = _(
        "Ein Wert gilt für sein Kalenderjahr (Stichtag 31.12.): „datetime“ wählt das Jahr, in "
        "das ein Zeitpunkt fällt, bei einem Zeitraum das neueste veröffentlichte Jahr darin, "
        "und die Gebiete mit der Grenze, die am Stichtag dieses Jahres galt."
    )
    demo = f"{DEMO_NOTICE}. " if collection.is_demo else ""
    return f"{demo}{text % facts} {note} {time}"


def _collection_dict(request, collection: data.Collection, years: list[int]) -> dict:
    level = collection.level
    return {
        "id": collection.id,
        "title": level.name_plural,
        "description": _description(collection, years),
        "extent": {
            "spatial": {"bbox": [list(collection.bbox)] if collection.bbox else [], "crs": CRS84},
            "temporal": {"interval": [data.temporal_interval(years)], "trs": GREGORIAN},
        },
        "itemType": "feature",
        "crs": [CRS84],
        **_terms(collection.is_demo),
        "links": [
            *_self_links(request, "collection", collection.id),
            _link(
                _url(request, "items", collection.id, f="json"),
                "items",
                GEOJSON,
                _("Gebiete als GeoJSON"),
            ),
            _link(
                _url(request, "items", collection.id, f="html"),
                "items",
                HTML,
                _("Gebiete als HTML"),
            ),
            _link(
                _url(request, "queryables", collection.id),
                QUERYABLES,
                SCHEMA,
                _("Abfragbare Eigenschaften"),
            ),
            _licence_link(),
        ],
    }


@endpoint(allowed=None, json_types=(GEOJSON, JSON))
def items(request, collection_id: str, *, html: bool):
    found = _collection(collection_id)
    kept = queryables.filters(request, found, known=ITEMS_PARAMETERS)
    year = params.data_year(request)
    limit, offset = params.limit(request), params.offset(request)
    page = data.features(
        collection=found,
        year=year,
        bbox=params.bbox(request),
        keeps=lambda properties: all(f.keeps(properties) for f in kept),
        limit=limit,
        offset=offset,
        geometry=not html,
    )
    query = {
        # The year stays fixed while a client pages, even if a newer one is published.
        "year": year,
        "bbox": request.GET.get("bbox") or None,
        "datetime": request.GET.get("datetime") or None,
        **{f.name: request.GET[f.name] for f in kept},
        "limit": limit,
    }
    links = _items_links(request, found, page, query, offset=offset, limit=limit)
    if html:
        return _items_page(request, found, page, year, offset, links)
    body = {
        "type": "FeatureCollection",
        "features": [_feature_dict(f, year, found) for f in page.features],
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "timeStamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **_terms(found.is_demo),
        "links": links,
    }
    response = HttpResponse(data.to_json(body), content_type=GEOJSON)
    response["Link"] = _link_header(links)
    return response


def _items_links(request, found, page, query: dict, *, offset: int, limit: int) -> list[dict]:
    links = [
        *_self_links(request, "items", found.id, media_type=GEOJSON, offset=offset, **query),
        _link(_url(request, "collection", found.id), "collection", JSON, found.level.name_plural),
        _link(_url(request, "queryables", found.id), QUERYABLES, SCHEMA, _("Abfragbar")),
        _licence_link(),
    ]
    if offset + limit < page.matched:
        href = _url(request, "items", found.id, f="json", offset=offset + limit, **query)
        links.append(_link(href, "next", GEOJSON, _("nächste Seite")))
    if offset > 0:
        href = _url(request, "items", found.id, f="json", offset=max(0, offset - limit), **query)
        links.append(_link(href, "prev", GEOJSON, _("vorige Seite")))
    return links


def _link_header(links: list[dict]) -> str:
    """The links as an HTTP Link header too, where Part 3 looks for the queryables.

    Titles stay out: they are free text, and a comma in one would split a naive parser's link.
    """
    return ", ".join(
        f'<{link["href"]}>; rel="{link["rel"]}"; type="{link["type"]}"' for link in links
    )


def _feature_dict(
    feature: data.Feature, year: int, collection: data.Collection, links: list | None = None
) -> dict:
    result = {
        "type": "Feature",
        "id": feature.code,
        "geometry": data.Raw(feature.geometry) if feature.geometry else None,
        "properties": data.properties(feature, year, collection.by_slug),
    }
    if links is not None:
        result["links"] = links
    return result


def _items_page(request, collection, page, year, offset, links) -> HttpResponse:
    html_links = {
        link["rel"]: link["href"].replace("f=json", "f=html")
        for link in links
        if link["rel"] in ("next", "prev")
    }
    rows = [
        {
            "feature": f,
            "area": shown(f.area_km2, 2),
            "url": _url(request, "item", collection.id, f.code, f="html", year=year),
            "profile": reverse("profile", args=[collection.id, f.code]) + f"?year={year}",
        }
        for f in page.features
    ]
    context = {
        "collection": collection,
        "rows": rows,
        "matched": page.matched,
        "first": offset + 1 if rows else 0,
        "last": offset + len(rows),
        "year": year,
        "years": published_years(),
        "pages": html_links,
        # The query but the paging and the format, for the year form to keep.
        "kept": {k: v for k, v in request.GET.items() if k not in ("f", "year", "offset")},
    }
    trail = [
        (_("Sammlungen"), reverse("ogcapi:collections")),
        (collection.level.name_plural, reverse("ogcapi:collection", args=[collection.id])),
        (_("Gebiete"), None),
    ]
    json_url = next(link["href"] for link in links if link["rel"] == "self")
    return _page(request, "items.html", context, json_url, trail)


@endpoint(allowed=("f", "year"), json_types=(GEOJSON, JSON))
def item(request, collection_id: str, feature_id: str, *, html: bool):
    found = _collection(collection_id)
    year = params.year(request)
    feature = data.feature(collection=found, code=feature_id, year=year, geometry=not html)
    if feature is None:
        raise BadParameter(
            "featureId",
            f"kein Gebiet {feature_id!r} in {found.id!r} im Jahr {year} / "
            f"no feature {feature_id!r} in {found.id!r} in {year}",
            404,
        )
    links = [
        *_self_links(request, "item", found.id, feature.code, media_type=GEOJSON, year=year),
        _link(_url(request, "collection", found.id), "collection", JSON, found.level.name_plural),
        _licence_link(),
    ]
    if html:
        return _item_page(request, found, feature, year, links)
    body = _feature_dict(feature, year, found, links)
    body.update(_terms(body["properties"]["is_demo"]))
    return HttpResponse(data.to_json(body), content_type=GEOJSON)


@endpoint(json_types=(SCHEMA, JSON))
def collection_queryables(request, collection_id: str, *, html: bool):
    found = _collection(collection_id)
    body = queryables.schema(found, url=_url(request, "queryables", found.id))
    if html:
        trail = [
            (_("Sammlungen"), reverse("ogcapi:collections")),
            (found.level.name_plural, reverse("ogcapi:collection", args=[found.id])),
            (_("Abfragbare Eigenschaften"), None),
        ]
        json_url = _url(request, "queryables", found.id, f="json")
        context = {"body": body, "collection": found}
        return _page(request, "queryables.html", context, json_url, trail)
    return JsonResponse(body, content_type=SCHEMA)


def not_found(request, path: str):
    """Any other address under /ogcapi/: the atlas's 404, also while DEBUG is on."""
    response = errors.not_found(request)
    patch_vary_headers(response, ["Accept"])
    return response


def _item_page(request, collection, feature, year, links) -> HttpResponse:
    rows = [
        {
            "indicator": indicator,
            "slug": indicator.slug,
            "value": shown_area(feature.values.get(indicator.slug), indicator.decimals),
            "withheld": _withheld(feature.values.get(indicator.slug)),
        }
        for indicator in collection.indicators
    ]
    context = {
        "collection": collection,
        "feature": feature,
        "area": shown(feature.area_km2, 2),
        "rows": rows,
        "year": year,
        "years": published_years(),
        "profile": reverse("profile", args=[collection.id, feature.code]) + f"?year={year}",
    }
    trail = [
        (_("Sammlungen"), reverse("ogcapi:collections")),
        (collection.level.name_plural, reverse("ogcapi:collection", args=[collection.id])),
        (_("Gebiete"), reverse("ogcapi:items", args=[collection.id])),
        (feature.name, None),
    ]
    json_url = next(link["href"] for link in links if link["rel"] == "self")
    return _page(request, "item.html", context, json_url, trail)


def _withheld(area) -> bool:
    return area is not None and area.cell is not None and area.cell.suppressed
