"""Open data under /daten/: release downloads, the map's table, districts as GeoPackage, and
the DCAT-AP.de catalogue describing them.

Release downloads exist for published releases only; those of a withdrawn release answer 410
Gone, naming the releases public in its place, and those of a draft 404, as an unknown number
(a draft is not public). The GeoPackage is not per release: it holds the values public now for
one year (default: the latest), as the map shows them.

Every file is built once per state of the published data and kept (atlas/kept.py); a
parameter a view does not read is refused, so no spelling of a URL forces a rebuild.
"""

import functools
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.http import BadParameter, lookup, text
from districts.models import District
from districts.params import parse_level, parse_within
from indicators.models import Indicator, Observation, Release, Theme
from indicators.params import parse_indicator, parse_year, year_param
from indicators.selectors import (
    level_values,
    published_coverage,
    published_years,
    replacing_releases,
)
from indicators.services import downloads
from indicators.services.downloads import DIALECTS, Link
from projections import downloads as projected_downloads
from projections.values import VALUES_QUERY, is_projected_year, projection_of, values_payload

from . import errors
from .kept import Busy, kept, only
from .pagecache import shared_page


def refuse_unknown_parameters(view):
    """A page without parameters: any query parameter is refused (400, naming it)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            only(request)
        except BadParameter as bad:
            return bad.response()
        return view(request, *args, **kwargs)

    return wrapped


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


def release_file(view):
    """A file of a release: the view gets the release if it is published; a withdrawn one's
    files answer 410 (atlas/errors.py), a draft's and an unknown number's 404."""

    @functools.wraps(view)
    def wrapped(request, release_id: int):
        release = Release.objects.filter(pk=release_id).first()
        if release is not None and release.status == Release.Status.WITHDRAWN:
            return _withdrawn(request, release)
        if release is None or release.status != Release.Status.PUBLISHED:
            raise Http404
        return view(request, release)

    return wrapped


def _withdrawn(request, release: Release):
    """The same file (theme, dialect) of each release whose values are public in its place."""
    theme = Theme.objects.filter(slug=request.GET.get("theme", "")).first()
    replacements = replacing_releases(release=release, theme_id=theme.pk if theme else None)
    query = {"theme": theme.slug} if theme else {}
    if request.GET.get("dialect") in DIALECTS:
        query["dialect"] = request.GET["dialect"]
    suffix = f"?{urlencode(query)}" if query else ""
    view_name = request.resolver_match.view_name
    links = [(r, reverse(view_name, args=[r.pk]) + suffix) for r in replacements]
    return errors.withdrawn(request, release=release, replacements=links)


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Link"] = f'<{downloads.licence().url}>; rel="license"'
    return response


@require_safe
@refuse_unknown_parameters
@shared_page
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
        "themes": Theme.objects.filter(pk__in={c.theme_id for c in coverage}),
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


# Names of kept files (atlas/kept.py) from parsed parameters; "~" is in no slug: no parameter.
NONE = "~"


@require_safe
@release_file
def release_csv(request, release: Release):
    try:
        only(request, "theme", "dialect")
        dialect = requested_dialect(request)
        theme = _theme(request)
        content = kept(
            f"daten/{release.pk}/werte/{theme.slug if theme else NONE}/{dialect.name}.csv",
            lambda: downloads.to_csv(
                downloads.release_download(release, theme=theme), dialect=dialect
            ),
        )
    except (BadParameter, Busy) as error:
        return error.response()
    name = downloads.file_name("datenstand", release.pk, theme and theme.slug, dialect.name)
    return _attachment(content, downloads.CSV_TYPE, f"{name}.csv")


@require_safe
@release_file
def release_xlsx(request, release: Release):
    try:
        only(request, "theme")
        theme = _theme(request)
        content = kept(
            f"daten/{release.pk}/werte/{theme.slug if theme else NONE}.xlsx",
            lambda: downloads.to_xlsx(downloads.release_download(release, theme=theme)),
        )
    except (BadParameter, Busy) as error:
        return error.response()
    name = downloads.file_name("datenstand", release.pk, theme and theme.slug)
    return _attachment(content, downloads.XLSX_TYPE, f"{name}.xlsx")


TABLE_PARAMETERS = ("indicator", "level", "year", "within", "scenario")


def _table(request, *, extension: str, write, write_projected):
    """The parameters of /api/v1/values, parsed the same way; the table of the values they
    select, made by ``write`` once per state (a projected year's by ``write_projected``).
    Returns the content and the file's name."""
    given = VALUES_QUERY.parse(request.GET, check=False)
    indicator = parse_indicator(given["indicator"])
    level = parse_level(given["level"])
    within = parse_within(given["within"])
    found = projection_of(indicator, given["scenario"])
    if is_projected_year(found, indicator=indicator, year=given["year"]):
        return _projected_table(
            request, indicator=indicator, level=level, year=given["year"], within=within,
            scenario=found.scenario, extension=extension, write=write_projected,
        )  # fmt: skip
    year = parse_year(given["year"], indicator)

    def build() -> bytes:
        values = level_values(indicator=indicator, level=level, year=year, within=within)
        return write(downloads.table_download(values))

    code = within.code if within else NONE
    content = kept(f"daten/tabelle/{indicator.slug}/{level.slug}/{year}/{code}.{extension}", build)
    return content, downloads.file_name(indicator.slug, level.slug, year, within and within.code)


def _projected_table(request, *, indicator, level, year, within, scenario, extension, write):
    """A projected year's table: the rows of /api/v1/values for it, with their quantiles."""

    def build() -> bytes:
        body = values_payload(
            indicator=indicator, level=level, year=year, within=within, scenario=scenario
        )
        method = request.build_absolute_uri(body["projection"]["method_url"])
        name = level.name_plural_de
        return write(projected_downloads.ProjectedTable(indicator, name, body, method))

    code = within.code if within else NONE
    key = f"daten/tabelle/{indicator.slug}/{level.slug}/{year}-{scenario}/{code}.{extension}"
    name = downloads.file_name(
        indicator.slug, level.slug, year, "vorausberechnung", scenario, within and within.code
    )
    return kept(key, build), name


@require_safe
def table_csv(request):
    try:
        only(request, *TABLE_PARAMETERS, "dialect")
        dialect = requested_dialect(request)
        content, name = _table(
            request,
            extension=f"{dialect.name}.csv",
            write=lambda download: downloads.to_csv(download, dialect=dialect),
            write_projected=lambda table: projected_downloads.to_csv(table, dialect=dialect),
        )
    except (BadParameter, Busy) as error:
        return error.response()
    return _attachment(content, downloads.CSV_TYPE, f"{name}-{dialect.name}.csv")


@require_safe
def table_xlsx(request):
    try:
        only(request, *TABLE_PARAMETERS)
        content, name = _table(
            request,
            extension="xlsx",
            write=downloads.to_xlsx,
            write_projected=lambda table: projected_downloads.to_xlsx(
                table, dialect=DIALECTS["de"]
            ),
        )
    except (BadParameter, Busy) as error:
        return error.response()
    return _attachment(content, downloads.XLSX_TYPE, f"{name}.xlsx")


GPKG_YEAR = year_param("year", "the year whose values the layers hold (default: the latest)")


@require_safe
def districts_gpkg(request):
    years = published_years()
    try:
        only(request, "year")
        year = GPKG_YEAR.parse(request.GET.get("year")) or (years[-1] if years else None)
        if year is None or year not in years:
            raise BadParameter(
                "year", f"keine Werte für Jahr {year} / no values for year {year}", 404
            )
        content = kept(f"daten/gebiete/{year}.gpkg", lambda: downloads.districts_gpkg(year=year))
    except (BadParameter, Busy) as error:
        return error.response()
    name = downloads.file_name("gebiete", year)
    return _attachment(content, downloads.GPKG_TYPE, f"{name}.gpkg")


@require_safe
@refuse_unknown_parameters
@shared_page
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
                "issued": min(releases[c.release_id].published_at for c in parts),
                "modified": max(releases[c.release_id].published_at for c in parts),
                "links": links,
            }
        )
    published = [r.published_at for r in releases.values()]
    catalog = downloads.dcat_catalog(
        themes=themes,
        shared=_shared_links(absolute),
        home=absolute(reverse("downloads:index")),
        catalog_url=absolute(reverse("downloads:dcat")),
        place=_city(),
        issued=min(published, default=None),
        modified=max(published, default=None),
    )
    return JsonResponse(
        catalog,
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


def _city() -> downloads.Place:
    """The city as the catalogue locates its data: its key and the extent of its boundary."""
    city = District.objects.current().filter(level__slug="stadt").only("code", "web_geometry")
    city = city.first()
    if city is None:
        return downloads.Place(settings.ATLAS_CITY_NAME, None, None)
    return downloads.Place(settings.ATLAS_CITY_NAME, city.code, city.web_geometry.extent)


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
