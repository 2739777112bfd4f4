"""The bodies of the statistics endpoints, from parameters: one function per endpoint, with
keyword-only arguments (model objects and plain values, never a request) and a JSON-able
result. The API views call them after parsing the query (indicators/params.py); the published
data files and other outputs call them directly, so every output shows the same numbers.

A payload function raises BadParameter where a value is well formed but names nothing
published (a year without values: 404) or breaks a rule across parameters (400).
``as_of`` pins a read to the moment a release was published (an embedded map).
"""

import datetime
import functools
from collections.abc import Callable

from django.urls import reverse

from core.http import BadParameter
from districts.models import District, Level
from districts.selectors import boundary_version

from . import marks
from .classify import classify, classify_change
from .models import Indicator, Theme
from .params import VALUES, parse_year
from .read import memo
from .selectors import (
    AreaValue,
    available_years,
    change_values,
    indicator_levels,
    level_values,
    profile,
    published_release_page,
    published_years,
    time_series,
)
from .services.downloads import licence
from .units import change_unit

DEMO_NOTICE = "Demodaten: synthetische Werte, nicht amtlich / demo data: synthetic, not official"


def indicator_dict(indicator: Indicator, *, levels: list[str]) -> dict:
    lic = licence(indicator.theme.slug)
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
        "keywords_de": indicator.keywords_de,
        "keywords_en": indicator.keywords_en,
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
        "source_en": indicator.source_en,
        # The licence the atlas publishes the values under (as every download states it); the
        # source's own licence is the source's.
        "licence": lic.identifier,
        "licence_url": lic.url,
        "attribution": lic.attribution,
        "source_licence": indicator.licence,
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


def themes_payload() -> dict:
    """Every Themenfeld with the slugs of its indicators."""
    rows = Theme.objects.prefetch_related("indicators")
    return {
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


def indicators_payload(*, theme: Theme | None = None) -> dict:
    """The catalogue: themes and indicators with their metadata (of one theme, if given)."""
    levels = indicator_levels()
    themes = [
        {"slug": t.slug, "name_de": t.name_de, "name_en": t.name_en, "order": t.order}
        for t in Theme.objects.all()
        if theme is None or t == theme
    ]
    rows = Indicator.objects.select_related("theme")
    if theme is not None:
        rows = rows.filter(theme=theme)
    return {
        "themes": themes,
        "indicators": [indicator_dict(i, levels=levels.get(i.id, [])) for i in rows],
    }


def _boundary_version(level: Level, year: int) -> str:
    """The version of the level's boundaries valid in ``year``: kept per data state (which
    covers the boundaries), since the files of the map ask for it thousands of times."""
    day = datetime.date(year, 12, 31)
    build = functools.partial(boundary_version, level=level, day=day)
    return memo.kept(("boundary version", level.pk, year), build, None)


def values_payload(
    *,
    indicator: Indicator,
    level: Level,
    year: int | None = None,
    within: District | None = None,
    start: int | None = None,
    method: str | None = None,
    classes: int | None = None,
    breaks: list[float] | None = None,
    as_of: datetime.datetime | None = None,
) -> dict:
    """The body of /api/v1/values: the indicator's values per area of the level (of the
    Stadtbezirk ``within``) in ``year`` (default: the latest with values), classified for the
    map by ``method`` in ``classes`` classes (default: the indicator's; manual ``breaks``).

    With ``start`` the values are the change since that year, on a diverging scale; with
    ``as_of`` they are the values as published at that moment.
    """
    year = parse_year(year, indicator, as_of=as_of)
    start = None if start is None else parse_year(start, indicator, "from", as_of=as_of)
    method = method or indicator.classification_method
    k = classes or indicator.classification_classes
    if method == "manual" and breaks is None and indicator.classification_breaks:
        breaks = indicator.classification_breaks
    VALUES.check({"from": start, "year": year, "method": method, "breaks": breaks})
    breaks = breaks if method == "manual" else None

    result = level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    unit_de, unit_en = indicator.unit_de, indicator.unit_en
    if start is None:
        rows = [
            {**area_dict(area, indicator), "share_inside": area.share_inside}
            for area in result.areas
        ]
        city = area_dict(result.city, indicator)
        within_value = area_dict(result.within, indicator)
        shown_classes, class_of = classified(
            rows, indicator=indicator, method=method, k=k, breaks=breaks
        )
    else:
        share = {a.code: a.share_inside for a in result.areas}
        changes = change_values(
            indicator=indicator, level=level, start=start, end=year, as_of=as_of
        )
        rows = [_change_row(c, share[c.code]) for c in changes if c.code in share]
        city = _city_change(indicator, start=start, end=year, as_of=as_of)
        within_value = None
        unit = change_unit(indicator)
        unit_de, unit_en = unit.de, unit.en
        shown_classes, class_of = _classified_change(rows, indicator=indicator, method=method, k=k)
    return {
        "indicator": indicator.slug,
        "level": level.slug,
        "year": year,
        "from": start,
        "years": available_years(indicator=indicator, as_of=as_of),
        "within": within.code if within else None,
        # Boundaries valid in that year; the version only changes with the boundaries.
        "boundaries": {
            "version": _boundary_version(level, year),
            "url": f"{reverse('v1:districts')}?level={level.slug}&year={year}",
        },
        "unit_de": unit_de,
        "unit_en": unit_en,
        "decimals": indicator.decimals,
        "is_demo": indicator.is_demo,
        "notice": DEMO_NOTICE if indicator.is_demo else "",
        "classes": shown_classes,
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


def _city_change(
    indicator: Indicator, *, start: int, end: int, as_of: datetime.datetime | None
) -> dict | None:
    city_level = Level.objects.filter(slug="stadt").first()
    rows = (
        change_values(indicator=indicator, level=city_level, start=start, end=end, as_of=as_of)
        if city_level
        else []
    )
    return _change_row(rows[0], 1.0) if rows else None


def _classified_change(
    rows: list[dict], *, indicator: Indicator, method: str, k: int
) -> tuple[dict | None, dict[str, int]]:
    """The change map's classes, symmetric around zero, and the class of each row's code."""
    shown = [r for r in rows if r["value"] is not None]
    classes = classify_change(
        [r["value"] for r in shown], k=k, polarity=indicator.polarity, method=method
    )
    class_of = dict(zip((r["code"] for r in shown), classes.bins, strict=True)) if classes else {}
    return _classes_dict(classes), class_of


def series_payload(*, indicator: Indicator, level: Level, codes: list[str]) -> dict:
    """The body of /api/v1/series: the districts' values (and the city's) year by year;
    BadParameter (404) names the codes of the level that do not exist."""
    known = set(District.objects.filter(level=level, code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise BadParameter(
            "codes", f"unbekannte Gebiete / unknown areas: {', '.join(unknown)}", 404
        )
    data = time_series(indicator=indicator, codes=codes, level=level)
    return {
        "indicator": indicator.slug,
        "level": level.slug,
        "is_demo": indicator.is_demo,
        "notice": DEMO_NOTICE if indicator.is_demo else "",
        "series": {
            code: [{"year": year, **(area_dict(area, indicator) or {})} for year, area in points]
            for code, points in data.items()
        },
    }


def profile_payload(*, district: District, year: int | None = None) -> dict:
    """The body of /api/v1/profile: every indicator for the district in ``year`` (default:
    the latest with published values) beside the city, with difference and rank."""
    years = published_years()
    year = year or (years[-1] if years else None)
    if year not in years:
        raise BadParameter("year", f"keine Werte für Jahr {year} / no values for year {year}", 404)
    rows = profile(district=district, year=year)
    return {
        "code": district.code,
        "name": district.name,
        "level": district.level.slug,
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


def change_payload(
    *, indicator: Indicator, level: Level, start: int, end: int | None = None
) -> dict:
    """The body of /api/v1/change: each district's change from ``start`` to ``end``
    (default: the latest year with values)."""
    start = parse_year(start, indicator, "from")
    end = parse_year(end, indicator, "to")
    rows = change_values(indicator=indicator, level=level, start=start, end=end)
    unit = change_unit(indicator)
    return {
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


def release_dict(summary, *, themes: dict[int, Theme], absolute: Callable[[str], str]) -> dict:
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
            "csv": absolute(csv_url),
            "xlsx": absolute(xlsx_url),
        },
    }


def releases_payload(*, limit: int, offset: int, absolute: Callable[[str], str]) -> dict:
    """Published releases (Datenstände), newest first, a page of them with their values per
    theme: ``count`` and ``results``. ``absolute`` makes a path an absolute URL."""
    count, rows = published_release_page(offset=offset, limit=limit)
    themes = {t.pk: t for t in Theme.objects.all()}
    return {
        "count": count,
        "results": [release_dict(summary, themes=themes, absolute=absolute) for summary in rows],
    }
