"""Open data under /daten/: release downloads, the map's table, districts as GeoPackage, and
the DCAT-AP.de catalogue describing them.

Release downloads exist for published releases only. The GeoPackage is not per release: it
holds the values public now for one year (default: the latest), as the map shows them.
"""

from collections import defaultdict

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from districts.models import District
from indicators.api import _indicator, _level, _within, _year
from indicators.models import Indicator, Observation, Release, Theme
from indicators.selectors import level_values, published_coverage, published_years
from indicators.services import downloads
from indicators.services.downloads import DIALECTS, Link

from .http import BadParameter, integer, lookup, text


def requested_dialect(request) -> downloads.Dialect:
    name = text(request, "dialect") or "de"
    if name not in DIALECTS:
        raise BadParameter(
            "dialect",
            f"„dialect“ muss „de“ oder „international“ sein, nicht {name!r} / "
            f"'dialect' must be 'de' or 'international'",
        )
    return DIALECTS[name]


def _theme(request) -> Theme | None:
    slug = text(request, "theme")
    return lookup(Theme, "theme", slug, slug=slug) if slug else None


def _published(release_id: int) -> Release:
    return get_object_or_404(Release, pk=release_id, status=Release.Status.PUBLISHED)


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Link"] = f'<{downloads.licence().url}>; rel="license"'
    return response


@require_safe
def index(request):
    """Every download with its formats and the licence."""
    coverage = published_coverage()
    per_release = defaultdict(lambda: {"values": 0, "first": None, "last": None})
    for c in coverage:
        entry = per_release[c.release_id]
        entry["values"] += c.values
        entry["first"] = min(filter(None, [entry["first"], c.first_year]))
        entry["last"] = max(filter(None, [entry["last"], c.last_year]))
    releases = [
        {"release": release, **per_release[release.pk]}
        for release in Release.objects.filter(status=Release.Status.PUBLISHED).order_by(
            "-published_at", "-pk"
        )
    ]
    years = published_years()
    context = {
        "releases": releases,
        "years": list(reversed(years)),
        "licence": downloads.licence(),
        "attribution": downloads.attribution(),
        "publisher": downloads.publisher(),
        "example": _example_table(years),
        "ogc_api": reverse("ogcapi:landing"),
        "statuses": _statuses(),
    }
    return render(request, "atlas/downloads.html", context)


def _statuses() -> list[tuple[str, str]]:
    """The status column's entries as the German and the international CSV write them."""
    words = [DIALECTS["de"].statuses, DIALECTS["international"].statuses]
    entries = []
    for value, label in Observation.Status.choices:
        shown = " / ".join(dict.fromkeys(w.get(value, value) for w in words))
        # The symbol's label starts with the symbol itself („.“ …): said once is enough.
        entries.append((shown, str(label).split("“ ", 1)[-1]))
    return entries


def _example_table(years: list[int]) -> str | None:
    indicator = Indicator.objects.filter(slug=settings.ATLAS_DEFAULT_INDICATOR).first()
    if indicator is None or not years:
        return None
    return (
        f"{reverse('downloads:table-csv')}?indicator={indicator.slug}"
        f"&level=statistischer-bezirk&year={years[-1]}"
    )


@require_safe
def release_csv(request, release_id: int):
    release = _published(release_id)
    try:
        dialect = requested_dialect(request)
        theme = _theme(request)
    except BadParameter as bad:
        return bad.response()
    content = downloads.to_csv(downloads.release_download(release, theme=theme), dialect=dialect)
    name = downloads.file_name("datenstand", release.pk, theme and theme.slug, dialect.name)
    return _attachment(content, downloads.CSV_TYPE, f"{name}.csv")


@require_safe
def release_xlsx(request, release_id: int):
    release = _published(release_id)
    try:
        theme = _theme(request)
    except BadParameter as bad:
        return bad.response()
    content = downloads.to_xlsx(downloads.release_download(release, theme=theme))
    name = downloads.file_name("datenstand", release.pk, theme and theme.slug)
    return _attachment(content, downloads.XLSX_TYPE, f"{name}.xlsx")


def _table(request):
    """The parameters of /api/v1/values, parsed the same way, and the values they select."""
    indicator = _indicator(request)
    level = _level(request)
    year = _year(request, indicator)
    within = _within(request)
    values = level_values(indicator=indicator, level=level, year=year, within=within)
    name = downloads.file_name(indicator.slug, level.slug, year, within and within.code)
    return downloads.table_download(values), name


@require_safe
def table_csv(request):
    try:
        dialect = requested_dialect(request)
        download, name = _table(request)
    except BadParameter as bad:
        return bad.response()
    content = downloads.to_csv(download, dialect=dialect)
    return _attachment(content, downloads.CSV_TYPE, f"{name}-{dialect.name}.csv")


@require_safe
def table_xlsx(request):
    try:
        download, name = _table(request)
    except BadParameter as bad:
        return bad.response()
    return _attachment(downloads.to_xlsx(download), downloads.XLSX_TYPE, f"{name}.xlsx")


@require_safe
def districts_gpkg(request):
    years = published_years()
    try:
        year = integer(request, "year", default=years[-1] if years else None)
        if year is None or year not in years:
            raise BadParameter("year", f"keine Werte für Jahr {year} / no values for year {year}")
    except BadParameter as bad:
        return bad.response()
    content = downloads.districts_gpkg(year=year)
    name = downloads.file_name("gebiete", year)
    return _attachment(content, downloads.GPKG_TYPE, f"{name}.gpkg")


@require_safe
def dcat(request):
    """The catalogue as JSON-LD (DCAT-AP.de), every URL absolute."""
    absolute = request.build_absolute_uri
    coverage = published_coverage()
    releases = {r.pk: r for r in Release.objects.filter(pk__in={c.release_id for c in coverage})}
    by_theme = defaultdict(list)
    for c in coverage:
        by_theme[c.theme_id].append(c)
    themes = []
    for theme in Theme.objects.prefetch_related("indicators"):
        parts = by_theme.get(theme.pk)
        if not parts:
            continue
        links = []
        for c in sorted(parts, key=lambda c: releases[c.release_id].published_at):
            release = releases[c.release_id]
            csv_url = reverse("downloads:release-csv", args=[release.pk])
            xlsx_url = reverse("downloads:release-xlsx", args=[release.pk])
            query = f"?theme={theme.slug}"
            links += [
                Link(
                    f"{theme.name_de}, Datenstand {release.title} (CSV)",
                    f"{theme.name_en}, release {release.title} (CSV)",
                    absolute(csv_url + query),
                    "CSV",
                    "text/csv",
                ),
                Link(
                    f"{theme.name_de}, Datenstand {release.title} (XLSX)",
                    f"{theme.name_en}, release {release.title} (XLSX)",
                    absolute(xlsx_url + query),
                    "XLSX",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ]
        themes.append(
            {
                "theme": theme,
                "first": min(c.first_year for c in parts),
                "last": max(c.last_year for c in parts),
                "modified": max(releases[c.release_id].published_at for c in parts),
                "links": links,
            }
        )
    city = District.objects.current().filter(level__slug="stadt").first()
    catalog = downloads.dcat_catalog(
        themes=themes,
        shared=_shared_links(absolute),
        home=absolute(reverse("downloads:index")),
        catalog_url=absolute(reverse("downloads:dcat")),
        city_code=city.code if city else None,
        modified=max((r.published_at for r in releases.values()), default=None),
    )
    return JsonResponse(
        catalog,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def _shared_links(absolute) -> list[Link]:
    links = [
        Link(
            "Gebiete mit allen Indikatoren des neuesten Jahres (GeoPackage)",
            "Districts with every indicator of the latest year (GeoPackage)",
            absolute(reverse("downloads:gpkg")),
            "GPKG",
            "application/geopackage+sqlite3",
        ),
        Link(
            "JSON-Schnittstelle (OpenAPI-Beschreibung)",
            "JSON API (OpenAPI description)",
            absolute(reverse("v1:openapi")),
            "JSON",
            "application/json",
            download=False,
        ),
    ]
    links.append(
        Link(
            "OGC API – Features",
            "OGC API – Features",
            absolute(reverse("ogcapi:landing")),
            "JSON",
            "application/json",
            download=False,
        )
    )
    return links
