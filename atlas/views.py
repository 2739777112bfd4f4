import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse

from districts.models import District, Level
from districts.selectors import overview_of
from districts.zoom import BANDS, CHUNK_ZOOMS_UP
from facilities.presenters import overlay_context
from facilities.selectors import facilities_in
from indicators.marks import between_surveys
from indicators.models import CLASS_COUNTS, Indicator, Release, Theme
from indicators.presenters import (
    against_city,
    reason_of,
    reasons,
    shown_area,
    shown_interval,
    sources,
    sparkline,
    status_mark,
    status_marks,
    survey_note,
    symbol_meanings,
)
from indicators.pyramid import is_pyramid_part, pyramid
from indicators.selectors import (
    available_years,
    indicator_levels,
    last_update,
    profile,
    published_years,
    year_tables,
)
from indicators.services.downloads import licence
from projections.catalogue import DEFAULT_SCENARIO, scenario_label

from .forms import MAP_LEVELS, MapQuery
from .jscatalog import catalogue_url
from .pagecache import shared_page
from .publicdata import data_prefix, public_state, zoom_banded


@shared_page
def map_view(request, bezirk: str | None = None):
    """The map explorer; the page state (indicator, level, year, …) lives in the query string
    (atlas/forms.py).

    Under /bezirk/<code>/ it shows only the statistical districts of one Stadtbezirk.
    """
    within = None
    if bezirk is not None:
        within = get_object_or_404(
            District.objects.current(), level__slug="stadtbezirk", code=bezirk
        )
    state = MapQuery(request.GET, within=within).state()
    level_slug, current_indicator = state.level, state.indicator
    current = current_indicator.slug if current_indicator else None
    groups = [
        (theme, [i for i in state.indicators if i.theme_id == theme.id])
        for theme in Theme.objects.all()
    ]
    latest_release = (
        Release.objects.filter(status=Release.Status.PUBLISHED).order_by("-published_at").first()
    )
    # An embedded view links to the same view in the full atlas.
    full_params = request.GET.copy()
    full_params.pop("embed", None)
    full_url = f"{request.path}?{full_params.urlencode()}"
    banded = within is None and zoom_banded(level_slug)
    areas = District.objects.current().filter(level__slug=level_slug).count() if banded else None
    overview = (
        _overview(level_slug, indicator_levels().get(current_indicator.id, []))
        if banded and current_indicator
        else None
    )
    config = {
        "indicator": current,
        "level": level_slug,
        "method": state.method,
        "classes": state.classes,
        "classCounts": list(CLASS_COUNTS),
        "within": within.code if within else None,
        "withinName": within.name if within else None,
        "year": state.year,
        "from": state.start,
        "breaks": state.breaks,
        "selection": state.selection,
        "chart": state.chart,
        "scatter": state.scatter,
        "embed": state.embed,
        "release": state.release,
        "latestRelease": latest_release.pk if latest_release else None,
        # For what a saved chart says of itself: the publication its numbers come from.
        "releaseDate": _release_date(state.release, latest_release),
        # The indicator's own unit: a time series shows levels, also on a map of changes.
        "unit": current_indicator.unit if current_indicator else "",
        "valuesUrl": reverse("v1:values"),
        # The published files of the map's two requests, under the state they show.
        "dataUrl": data_prefix(public_state()),
        # Levels with many areas: boundaries per zoom band, and the extent to fit first.
        "zoomBands": [band.as_dict() for band in BANDS] if banded else None,
        "extent": _extent(level_slug) if banded else None,
        # Where those areas are specks, the map draws a coarser level with rolled-up values.
        "overview": overview,
        # With thousands of areas, a band is loaded for the part in view, in chunks.
        "areas": areas,
        "chunks": {"zoomsUp": CHUNK_ZOOMS_UP}
        if areas is not None and areas >= settings.ATLAS_BOUNDARY_CHUNKS_FROM
        else None,
        # Rows per page of the table, for levels with more areas than that.
        "tablePage": settings.ATLAS_TABLE_PAGE_ROWS,
        "seriesUrl": reverse("v1:series"),
        "profileApiUrl": reverse("v1:profile"),
        "indicatorsUrl": reverse("v1:indicators"),
        "profileUrl": reverse("profile", args=["__level__", "__code__"]),
        "plotlyUrl": static("vendor/plotly/plotly-basic.min.js"),
        "tileUrl": settings.ATLAS_TILE_URL,
        "tileAttribution": settings.ATLAS_TILE_ATTRIBUTION,
        "orientationUrl": static(settings.ATLAS_ORIENTATION)
        if settings.ATLAS_ORIENTATION
        else None,
        "orientationAttribution": settings.ATLAS_ORIENTATION_ATTRIBUTION,
        # The city's outline: the coarsest level, where it is a single area.
        "cityLevel": _city_level(),
        "center": settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        "minZoom": settings.LEAFLET_CONFIG["MIN_ZOOM"],
        "maxZoom": settings.LEAFLET_CONFIG["MAX_ZOOM"],
        # What the server's pages say about marks, symbols and reasons, for the scripts to say
        # the same; their messages come from the script catalogue (atlas/jscatalog.py).
        "marks": status_marks(),
        "symbols": symbol_meanings(),
        "reasons": reasons(),
        "minPartShare": settings.ATLAS_MIN_PART_SHARE,
        **_projection_config(state),
    }
    context = {
        "groups": [(theme, items) for theme, items in groups if items],
        "current": current_indicator,
        "methods": Indicator.Classification.choices,
        "method": state.method,
        "breaks": state.breaks,
        "last_update": last_update(current_indicator) if current_indicator else None,
        "data_licence": licence(current_indicator.theme.slug if current_indicator else None),
        "year_note": state.year_note,
        "embed": state.embed,
        "full_url": full_url,
        "class_counts": CLASS_COUNTS,
        "classes": state.classes,
        "level": Level.objects.filter(slug=level_slug).first(),
        "levels": Level.objects.filter(slug__in=MAP_LEVELS).order_by("-rank"),
        "within": within,
        "bezirke": District.objects.current().filter(level__slug="stadtbezirk"),
        "config": config,
        "overlay": overlay_context(),
        "catalogue_url": catalogue_url(),
        "table_downloads": _table_downloads(current, level_slug, state.year, within),
        # The Stadtbezirk links keep the indicator, year and classes (the script follows).
        "bezirk_query": "?"
        + urlencode(
            {
                key: value
                for key, value in (
                    ("indicator", current),
                    ("year", state.year),
                    ("method", state.method),
                    ("classes", state.classes),
                )
                if value
            }
        ),
    }
    return render(request, "atlas/map.html", context)


def _projection_config(state) -> dict:
    """What the map needs of the published projection before its first values arrive: the
    projected years (a projected year's values file names its scenario), the scenario shown
    and every scenario's name in the page's language."""
    found = state.projection
    return {
        "projectedYears": state.projected_years,
        "scenario": state.scenario,
        "defaultScenario": DEFAULT_SCENARIO,
        "scenarios": [
            {"slug": slug, "label": scenario_label(slug)}
            for slug in (found.run.result.axes["scenarios"] if found else [])
        ],
        "projectionDemo": bool(found and found.run.is_demo),
        # A projected year shows the areas of the latest observed year up to the base year.
        "areasYear": _areas_year(state),
        "methodUrl": reverse("projection-method"),
    }


def _areas_year(state) -> str | None:
    if state.projection is None or not state.year or int(state.year) not in state.projected_years:
        return state.year
    observed = available_years(indicator=state.indicator)
    earlier = [y for y in observed if y <= state.projection.run.base_year] or observed
    return str(earlier[-1])


def _release_date(pinned: str, latest: Release | None) -> str | None:
    release = Release.objects.filter(pk=pinned).first() if pinned else latest
    published = release.published_at if release else None
    return published.date().isoformat() if published else None


def _city_level() -> str | None:
    level = Level.objects.order_by("rank").first()
    if level is None or District.objects.current().filter(level=level).count() != 1:
        return None
    return level.slug


def _table_downloads(indicator: str | None, level: str, year, within) -> dict[str, str]:
    """The table's download links as the page opens (the script follows later changes), so
    they are links without a script too; {} when there is no table."""
    if not indicator or not year:
        return {}
    query = {"indicator": indicator, "level": level, "year": year}
    if within is not None:
        query["within"] = within.code
    csv, xlsx = reverse("downloads:table-csv"), reverse("downloads:table-xlsx")
    return {
        "de": f"{csv}?{urlencode({**query, 'dialect': 'de'})}",
        "international": f"{csv}?{urlencode({**query, 'dialect': 'international'})}",
        "xlsx": f"{xlsx}?{urlencode(query)}",
    }


def _extent(level_slug: str) -> list[list[float]] | None:
    """South-west and north-east corners (latitude, longitude) of the level's current areas."""
    box = (
        District.objects.current()
        .filter(level__slug=level_slug)
        .aggregate(box=Extent("web_geometry"))["box"]
    )
    if box is None:
        return None
    west, south, east, north = box
    return [[south, west], [north, east]]


def _overview(level_slug: str, levels_with_values: list[str]) -> dict | None:
    """The level's overview for the map, if the indicator has values on it."""
    overview = overview_of(Level.objects.get(slug=level_slug))
    if overview is None or overview.level.slug not in levels_with_values:
        return None
    return {
        "level": overview.level.slug,
        "maxZoom": overview.max_zoom,
        "name": overview.level.name_plural,
    }


@shared_page
def profile_view(request, level, code):
    """Every indicator for one district and year, beside the city, grouped by theme."""
    years = published_years()
    if not years:
        raise Http404
    try:
        year = int(request.GET.get("year", years[-1]))
    except ValueError:
        year = years[-1]
    year = year if year in years else years[-1]
    # The boundary version valid in that year (values refer to 31 December).
    district = get_object_or_404(
        District.objects.valid_on(datetime.date(year, 12, 31)).select_related("level"),
        level__slug=level,
        code=code,
    )
    all_rows = profile(district=district, year=year)
    # Counts by sex and age group are shown together as the population pyramid.
    ages = pyramid([row for row in all_rows if row.value is not None])
    skipped = _between_surveys(all_rows, district, year)
    rows = [
        row
        for row in all_rows
        if (row.value is not None or row.indicator.id in skipped)
        and not is_pyramid_part(row.indicator)
    ]
    # The trend: this district's and the city's values over the years up to the chosen one.
    series_years = [y for y in years if y <= year]
    tables = year_tables(indicators=[r.indicator for r in rows], years=series_years)

    def line(indicator, pick):
        areas = [pick(tables[(indicator.slug, y)]) for y in series_years]
        return [a.cell.value if a is not None and a.has_value else None for a in areas]

    themes: dict = {}
    for row in rows:
        decimals = row.indicator.decimals
        own = line(row.indicator, lambda t: t.areas.get(district.id))
        city = [] if row.indicator.kind == "count" else line(row.indicator, lambda t: t.city)
        themes.setdefault(row.indicator.theme, []).append(
            {
                "indicator": row.indicator,
                "value": shown_area(row.value, decimals),
                "mark": status_mark(row.value),
                "city": shown_area(row.city, decimals),
                "city_mark": status_mark(row.city),
                "skipped": survey_note(skipped.get(row.indicator.id)),
                "reason": reason_of(row.value),
                # Signed like the fact sheet's; a count's share of the city instead.
                "difference": against_city(row),
                "interval": shown_interval(row.value, decimals),
                "comparison": row.value.comparison if row.value else None,
                "verdict": row.value.verdict if row.value else None,
                "suppressed": _suppressed(row.value),
                "rank": f"{row.rank} / {row.ranked}" if row.rank else "",
                "sparkline": sparkline(own, city),
                "with_city_line": bool(city),
            }
        )
    config = {
        "code": district.code,
        "name": district.name,
        "level": district.level.slug,
        "seriesUrl": reverse("v1:series"),
        "plotlyUrl": static("vendor/plotly/plotly-basic.min.js"),
        # Its messages come from the script catalogue (atlas/jscatalog.py).
        "pyramid": ages.chart if ages else None,
    }
    shown_rows = [r for theme_rows in themes.values() for r in theme_rows]
    context = {
        "district": district, "year": year, "years": years, "themes": themes.items(),
        "marks": [m for m in status_marks().values()
                  if any(m in (r["mark"], r["city_mark"]) for r in shown_rows)],
        "approximate": any(r.value is not None and r.value.approximate for r in rows),
        # The table's indicators and the pyramid's.
        "sources": sources([r.indicator for r in all_rows
                            if r.value is not None or r.indicator.id in skipped]),
        "first_year": series_years[0],
        "config": config, "pyramid": ages,
        "facilities": list(facilities_in(district=district, year=year)),
        "catalogue_url": catalogue_url(),
        "map_url": _map_back(request.GET.get("indicator", ""), district, year),
        "indicator_asked": request.GET.get("indicator", "")[:100],
        "factsheet_url": (
            f"{reverse('factsheet', args=[district.code])}?{urlencode({'year': year})}"
            if district.level.slug == "stadtbezirk" else None
        ),
    }  # fmt: skip
    return render(request, "atlas/profile.html", context)


def _map_back(indicator: str, district, year: int) -> str:
    """The map as the profile was reached from it: the indicator (a known one), the year and
    the district's level."""
    query = {"year": year}
    if indicator and Indicator.objects.filter(slug=indicator).exists():
        query = {"indicator": indicator, **query}
    if district.level.slug != "statistischer-bezirk":
        query["level"] = district.level.slug
    return f"{reverse('map')}?{urlencode(query)}"


def _suppressed(area) -> bool:
    return area is not None and area.cell is not None and area.cell.suppressed


def _between_surveys(rows, district: District, year: int) -> dict[int, int]:
    """Indicator id → survey interval, for the profile's indicators without a value for the
    district because they are collected every few years and ``year`` lies between surveys."""
    levels = indicator_levels()
    result = {}
    for row in rows:
        if row.value is not None or district.level.slug not in levels.get(row.indicator.id, []):
            continue
        interval = between_surveys(year, available_years(indicator=row.indicator, with_values=True))
        if interval:
            result[row.indicator.id] = interval
    return result
