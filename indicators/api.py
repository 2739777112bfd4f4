import datetime
import math

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.http import BadParameter, lookup, page_links
from core.params import FIRST_YEAR, LAST_YEAR, Param, Query, Rule, number_list
from districts.api import LEVEL, WITHIN, parse_level, parse_within
from districts.models import District, Level
from districts.selectors import boundary_version

from . import marks
from .classify import METHODS, classify, classify_change
from .models import (
    MAX_CLASSES,
    MIN_CLASSES,
    Indicator,
    Release,
    Theme,
    breaks_problem,
)
from .selectors import (
    AreaValue,
    available_years,
    change_values,
    default_year,
    indicator_levels,
    level_values,
    profile,
    published_release_page,
    published_years,
    time_series,
)
from .units import change_unit

DEMO_NOTICE = "Demodaten: synthetische Werte, nicht amtlich / demo data: synthetic, not official"


def indicator_dict(indicator: Indicator, *, levels: list[str]) -> dict:
    return {
        "slug": indicator.slug,
        "theme": indicator.theme.slug,
        "name_de": indicator.name_de,
        "name_en": indicator.name_en,
        "short_name_de": indicator.short_name_de,
        "short_name_en": indicator.short_name_en,
        "definition_de": indicator.definition_de,
        "definition_en": indicator.definition_en,
        "unit_de": indicator.unit_de,
        "unit_en": indicator.unit_en,
        "kind": indicator.kind,
        "is_proportion": indicator.is_proportion,
        "numerator_de": indicator.numerator_de,
        "numerator_en": indicator.numerator_en,
        "denominator_de": indicator.denominator_de,
        "denominator_en": indicator.denominator_en,
        "factor": indicator.factor,
        "decimals": indicator.decimals,
        "polarity": indicator.polarity,
        "source": indicator.source,
        "licence": indicator.licence,
        "notes_de": indicator.notes_de,
        "notes_en": indicator.notes_en,
        "is_demo": indicator.is_demo,
        "classification": {
            "method": indicator.classification_method,
            "classes": indicator.classification_classes,
            "palette": indicator.palette,
        },
        "disclosure_threshold": indicator.applied_threshold,
        "denominator_is_count": indicator.denominator_is_count,
        "sex": indicator.sex,
        "age_group": indicator.age_group,
        "age_from": indicator.age_from,
        "levels": levels,
    }


def area_dict(area: AreaValue | None, indicator: Indicator) -> dict | None:
    """One area's public value; suppressed cells carry no number of any kind, approximate
    ones are rounded (indicators.marks)."""
    if area is None:
        return None
    cell = area.cell
    shown = marks.numbers(area, indicator)
    return {
        "code": area.code,
        "name": area.name,
        "value": shown.value,
        "numerator": shown.numerator,
        "denominator": shown.denominator,
        "status": cell.status if cell else None,
        "reason": (cell.reason or None) if cell else None,
        "ci_low": area.interval[0] if area.interval else None,
        "ci_high": area.interval[1] if area.interval else None,
        "comparison": area.comparison,
        "verdict": area.verdict,
        "approximate": area.approximate,
        "sources": [
            {"code": s.code, "name": s.name, "weight": round(s.weight, 6)} for s in area.sources
        ],
        "ignored_sources": [
            {"code": s.code, "name": s.name, "weight": round(s.weight, 6)} for s in area.ignored
        ],
    }


# --- parameters: each declared once, for the views and the OpenAPI document ---------------

INDICATOR = Param("indicator", "indicator slug", required=True, example="kinderarmut")


def year_param(name: str, description: str, *, required: bool = False, example=2023) -> Param:
    return Param(
        name,
        description,
        type="integer",
        required=required,
        minimum=FIRST_YEAR,
        maximum=LAST_YEAR,
        example=example,
    )


def _number_list(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _breaks_problem(values) -> str:
    if values["breaks"] is None:
        return ""
    breaks = _number_list(values["breaks"])
    if not all(math.isfinite(b) for b in breaks):
        return "±∞"
    return breaks_problem(breaks)


VALUES = Query(
    params=(
        INDICATOR,
        LEVEL,
        year_param("year", "year (default: the latest with published values)"),
        WITHIN,
        Param(
            "method",
            "classification (default: the indicator's)",
            enum=(*METHODS, "manual"),
        ),
        Param(
            "classes",
            f"number of classes, {MIN_CLASSES} to {MAX_CLASSES} (default: the indicator's)",
            type="integer",
            minimum=MIN_CLASSES,
            maximum=MAX_CLASSES,
        ),
        Param(
            "breaks",
            "with method=manual: upper class limits, ascending, comma-separated with a "
            "decimal point, e.g. 10,20.5,30 (default: the indicator's)",
            pattern=number_list(),
        ),
        year_param(
            "from",
            "change map: the values are the change from this year to `year` (from the "
            "values rounded to the indicator's decimals), classified symmetrically around "
            "zero; unit_de and unit_en then name the change's unit (e.g. Prozentpunkte), "
            "counts carry change_percent",
            example=2015,
        ),
        Param(
            "release",
            "id of a published release: the values as published up to it (a pinned, embedded map)",
            type="integer",
            minimum=1,
        ),
    ),
    rules=(
        Rule(
            "from",
            "„from“ muss vor „year“ liegen / 'from' must be before 'year'",
            lambda v: v["from"] is not None and v["year"] is not None and v["from"] >= v["year"],
        ),
        Rule(
            "breaks",
            "„breaks“: mit method=manual nötig, wenn der Indikator keine eigenen Grenzen hat "
            "/ 'breaks' is needed with method=manual where the indicator has none of its own",
            lambda v: v["method"] == "manual" and v["breaks"] is None,
        ),
        Rule(
            "breaks",
            "„breaks“: 2 bis 6 endliche, aufsteigende Grenzen / "
            "'breaks': 2 to 6 finite limits, ascending",
            _breaks_problem,
        ),
    ),
)
SERIES = Query(
    params=(
        INDICATOR,
        LEVEL,
        Param(
            "codes",
            "comma-separated district codes",
            required=True,
            pattern=r"^[^,]+(,[^,]+)*$",
            example="11,12",
        ),
    )
)
PROFILE = Query(
    params=(
        LEVEL,
        Param("code", "district code", required=True, example="11"),
        year_param("year", "year (default: the latest with published values)"),
    )
)
CHANGE = Query(
    params=(
        INDICATOR,
        LEVEL,
        year_param("from", "first year", required=True, example=2015),
        year_param("to", "second year (default: the latest with published values)"),
    )
)
INDICATORS = Query(
    params=(
        Param("theme", "only the indicators of this theme (slug)", example="kinder-und-jugend"),
    )
)
RELEASES = Query(
    params=(
        Param(
            "limit",
            "releases per page (default 20)",
            type="integer",
            minimum=1,
            maximum=100,
        ),
        Param(
            "offset",
            "how many releases to skip (default 0)",
            type="integer",
            minimum=0,
            maximum=10**9,
        ),
    )
)


def parse_indicator(slug: str) -> Indicator:
    """``indicator``: the slug of an indicator (404 if there is none)."""
    return lookup(Indicator, "indicator", slug, slug=slug)


def parse_year(
    year: int | None,
    indicator: Indicator,
    name: str = "year",
    *,
    as_of: datetime.datetime | None = None,
) -> int:
    """A year the indicator is published for (as of ``as_of``; 404 otherwise); by default
    the latest."""
    years = available_years(indicator=indicator, as_of=as_of)
    if year is None:
        year = default_year(indicator=indicator, as_of=as_of)
    if year is None or year not in years:
        raise BadParameter(name, no_values(year, years), 404)
    return year


def no_values(year: int | None, years: list[int]) -> str:
    """The message for a year without values, saying so where the statistic skips it."""
    message = f"keine Werte für Jahr {year} / no values for year {year}"
    interval = marks.between_surveys(year, years) if year is not None else None
    if interval:
        message += (
            f" (nur alle {interval} Jahre erhoben, zuletzt {max(y for y in years if y < year)}"
            f" / collected every {interval} years)"
        )
    return message


@require_safe
def themes(request):
    """Every Themenfeld with the slugs of its indicators."""
    rows = Theme.objects.prefetch_related("indicators")
    return JsonResponse(
        {
            "themes": [
                {
                    "slug": t.slug,
                    "name_de": t.name_de,
                    "name_en": t.name_en,
                    "description_de": t.description_de,
                    "description_en": t.description_en,
                    "order": t.order,
                    "indicators": sorted(i.slug for i in t.indicators.all()),
                }
                for t in rows
            ]
        }
    )


@require_safe
def indicators(request):
    try:
        slug = INDICATORS.parse(request.GET)["theme"]
        theme = lookup(Theme, "theme", slug, slug=slug) if slug else None
    except BadParameter as bad:
        return bad.response()
    levels = indicator_levels()
    themes = [
        {"slug": t.slug, "name_de": t.name_de, "name_en": t.name_en, "order": t.order}
        for t in Theme.objects.all()
        if theme is None or t == theme
    ]
    rows = Indicator.objects.select_related("theme")
    if theme is not None:
        rows = rows.filter(theme=theme)
    return JsonResponse(
        {
            "themes": themes,
            "indicators": [indicator_dict(i, levels=levels.get(i.id, [])) for i in rows],
        }
    )


def _breaks(raw: str | None, indicator: Indicator, method: str) -> list[float] | None:
    """Manual class limits: ``breaks=10,20,30`` (decimal point), else the indicator's own."""
    if method != "manual":
        return None
    return _number_list(raw) if raw else indicator.classification_breaks


def _classes_dict(classes) -> dict | None:
    if classes is None:
        return None
    return {
        "method": classes.method,
        "lower": classes.lower,
        "breaks": classes.breaks,
        "colors": classes.colors,
        "counts": classes.counts,
    }


def _change_row(row, share_inside: float) -> dict:
    """A district's change as a map row; a withheld start or end withholds the change."""
    withheld = any(
        a is not None and a.cell is not None and a.cell.suppressed for a in (row.start, row.end)
    )
    missing = row.change is None
    return {
        "code": row.code,
        "name": row.name,
        "value": None if withheld else row.change,
        "numerator": None,
        "denominator": None,
        "status": "." if withheld else (None if missing else "normal"),
        "reason": "disclosure" if withheld else None,
        "ci_low": None,
        "ci_high": None,
        "comparison": None,
        "verdict": None,
        "approximate": any(a is not None and a.approximate for a in (row.start, row.end)),
        "sources": [],
        "share_inside": share_inside,
        # Counts change in their unit and in %.
        "change_percent": None if withheld else row.relative,
    }


def _release(release_id: int | None) -> Release | None:
    """``release``: a published release the values are pinned to (embedded maps)."""
    if release_id is None:
        return None
    published = Release.Status.PUBLISHED
    return lookup(Release, "release", str(release_id), pk=release_id, status=published)


@require_safe
def values(request):
    """Values of an indicator per area and year, classified for the map.

    With ``from`` the values are the change since that year, on a diverging scale; with
    ``release`` they are the values as published up to that release.
    """
    try:
        release = _release(VALUES.parse(request.GET, check=False)["release"])
        body = values_body(request, as_of=release.published_at if release else None)
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(body)


def values_body(request, *, as_of: datetime.datetime | None = None) -> dict:
    """The body of /api/v1/values for ``request.GET``, as published at ``as_of`` (None: now);
    raises BadParameter.

    The published data files (atlas/publicdata.py) are made by this function too.
    """
    given = VALUES.parse(request.GET, check=False)
    indicator = parse_indicator(given["indicator"])
    level = parse_level(given["level"])
    year = parse_year(given["year"], indicator, as_of=as_of)
    within = parse_within(given["within"])
    start = (
        None if given["from"] is None else parse_year(given["from"], indicator, "from", as_of=as_of)
    )
    method = given["method"] or indicator.classification_method
    k = given["classes"] or indicator.classification_classes
    breaks = given["breaks"]
    if method == "manual" and breaks is None and indicator.classification_breaks:
        breaks = ",".join(str(b) for b in indicator.classification_breaks)
    VALUES.check({**given, "year": year, "method": method, "breaks": breaks})
    breaks = _breaks(breaks, indicator, method)

    result = level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    unit_de, unit_en = indicator.unit_de, indicator.unit_en
    if start is None:
        rows = [
            {**area_dict(area, indicator), "share_inside": area.share_inside}
            for area in result.areas
        ]
        city = area_dict(result.city, indicator)
        within_value = area_dict(result.within, indicator)
        classes, class_of = classified(rows, indicator=indicator, method=method, k=k, breaks=breaks)
    else:
        share = {a.code: a.share_inside for a in result.areas}
        changes = change_values(
            indicator=indicator, level=level, start=start, end=year, as_of=as_of
        )
        rows = [_change_row(c, share[c.code]) for c in changes if c.code in share]
        city_level = Level.objects.filter(slug="stadt").first()
        city_rows = (
            change_values(indicator=indicator, level=city_level, start=start, end=year, as_of=as_of)
            if city_level
            else []
        )
        city = _change_row(city_rows[0], 1.0) if city_rows else None
        within_value = None
        unit = change_unit(indicator)
        unit_de, unit_en = unit.de, unit.en
        shown = [r for r in rows if r["value"] is not None]
        classes = classify_change(
            [r["value"] for r in shown], k=k, polarity=indicator.polarity, method=method
        )
        class_of = (
            dict(zip((r["code"] for r in shown), classes.bins, strict=True)) if classes else {}
        )
        classes = _classes_dict(classes)
    return {
        "indicator": indicator.slug,
        "level": level.slug,
        "year": year,
        "from": start,
        "years": available_years(indicator=indicator, as_of=as_of),
        "within": within.code if within else None,
        # Boundaries valid in that year; the version only changes with the boundaries.
        "boundaries": {
            "version": boundary_version(level=level, day=datetime.date(year, 12, 31)),
            "url": f"{reverse('v1:districts')}?level={level.slug}&year={year}",
        },
        "unit_de": unit_de,
        "unit_en": unit_en,
        "decimals": indicator.decimals,
        "is_demo": indicator.is_demo,
        "notice": DEMO_NOTICE if indicator.is_demo else "",
        "classes": classes,
        "city": city,
        "within_value": within_value,
        "values": [{**r, "class": class_of.get(r["code"])} for r in rows],
    }


def classified(
    rows: list[dict], *, indicator: Indicator, method: str, k: int, breaks: list[float] | None
) -> tuple[dict | None, dict[str, int]]:
    """The map's classes of the rows' values, and the class of each row's code that has one."""
    shown = [r for r in rows if r["value"] is not None]
    classes = classify(
        [r["value"] for r in shown],
        method=method,
        k=k,
        palette_name=indicator.palette,
        breaks=breaks,
    )
    class_of = dict(zip((r["code"] for r in shown), classes.bins, strict=True)) if classes else {}
    return _classes_dict(classes), class_of


@require_safe
def series(request):
    try:
        given = SERIES.parse(request.GET)
        indicator = parse_indicator(given["indicator"])
        level = parse_level(given["level"])
        codes = given["codes"].split(",")
        known = set(
            District.objects.filter(level=level, code__in=codes).values_list("code", flat=True)
        )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise BadParameter(
                "codes", f"unbekannte Gebiete / unknown areas: {', '.join(unknown)}", 404
            )
    except BadParameter as bad:
        return bad.response()
    data = time_series(indicator=indicator, codes=codes, level=level)
    return JsonResponse(
        {
            "indicator": indicator.slug,
            "level": level.slug,
            "is_demo": indicator.is_demo,
            "notice": DEMO_NOTICE if indicator.is_demo else "",
            "series": {
                code: [
                    {"year": year, **(area_dict(area, indicator) or {})} for year, area in points
                ]
                for code, points in data.items()
            },
        }
    )


@require_safe
def district_profile(request):
    try:
        given = PROFILE.parse(request.GET)
        level = parse_level(given["level"])
        code = given["code"]
        district = lookup(District, "code", code, level=level, code=code, valid_to__isnull=True)
        years = published_years()
        year = given["year"] or (years[-1] if years else None)
        if year not in years:
            raise BadParameter(
                "year", f"keine Werte für Jahr {year} / no values for year {year}", 404
            )
    except BadParameter as bad:
        return bad.response()
    rows = profile(district=district, year=year)
    return JsonResponse(
        {
            "code": district.code,
            "name": district.name,
            "level": level.slug,
            "year": year,
            "is_demo": district.is_demo or any(r.indicator.is_demo for r in rows),
            "notice": DEMO_NOTICE,
            "indicators": [
                {
                    "indicator": row.indicator.slug,
                    "theme": row.indicator.theme.slug,
                    "value": area_dict(row.value, row.indicator),
                    "city": area_dict(row.city, row.indicator),
                    "difference": row.difference,
                    "share_of_city": row.share_of_city,
                    "rank": row.rank,
                    "ranked": row.ranked,
                }
                for row in rows
            ],
        }
    )


@require_safe
def change(request):
    try:
        given = CHANGE.parse(request.GET)
        indicator = parse_indicator(given["indicator"])
        level = parse_level(given["level"])
        start = parse_year(given["from"], indicator, "from")
        end = parse_year(given["to"], indicator, "to")
    except BadParameter as bad:
        return bad.response()
    rows = change_values(indicator=indicator, level=level, start=start, end=end)
    unit = change_unit(indicator)
    return JsonResponse(
        {
            "indicator": indicator.slug,
            "level": level.slug,
            "from": start,
            "to": end,
            "unit": unit.code,
            "unit_de": unit.de,
            "unit_en": unit.en,
            "is_demo": indicator.is_demo,
            "notice": DEMO_NOTICE if indicator.is_demo else "",
            "values": [
                {
                    "code": row.code,
                    "name": row.name,
                    "start": area_dict(row.start, indicator),
                    "end": area_dict(row.end, indicator),
                    "change": row.change,
                    "change_percent": row.relative,
                    "unit": row.unit,
                }
                for row in rows
            ],
        }
    )


def release_dict(request, summary, *, themes: dict[int, Theme]) -> dict:
    release = summary.release
    csv_url = reverse("downloads:release-csv", args=[release.pk])
    xlsx_url = reverse("downloads:release-xlsx", args=[release.pk])
    coverage = sorted(summary.coverage, key=lambda c: (themes[c.theme_id].order, c.theme_id))
    return {
        "id": release.pk,
        "title": release.title,
        "published_at": release.published_at.isoformat(),
        "values": summary.values,
        "first_year": min((c.first_year for c in coverage), default=None),
        "last_year": max((c.last_year for c in coverage), default=None),
        "themes": [
            {
                "theme": themes[c.theme_id].slug,
                "values": c.values,
                "first_year": c.first_year,
                "last_year": c.last_year,
            }
            for c in coverage
        ],
        "downloads": {
            "csv": request.build_absolute_uri(csv_url),
            "xlsx": request.build_absolute_uri(xlsx_url),
        },
    }


@require_safe
def releases(request):
    """Published releases (Datenstände), newest first, with their values per theme."""
    try:
        given = RELEASES.parse(request.GET)
        limit, offset = given["limit"] or 20, given["offset"] or 0
    except BadParameter as bad:
        return bad.response()
    count, rows = published_release_page(offset=offset, limit=limit)
    themes = {t.pk: t for t in Theme.objects.all()}
    return JsonResponse(
        {
            **page_links(request, count=count, limit=limit, offset=offset),
            "results": [release_dict(request, summary, themes=themes) for summary in rows],
        }
    )
