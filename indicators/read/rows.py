"""The rows the pages, the API and the downloads show, taken from the year tables: a level's
values (within a Bezirk too), time series, profile rows, changes between two years, and the
plausibility warnings of the city's own values."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from districts.models import District, Level, Overlap
from districts.selectors import MIN_SHARE_INSIDE

from .. import units
from ..models import Indicator
from . import geography, rollup
from .memo import opened, remember, remembered
from .tables import year_table, year_tables
from .values import CITY_LEVEL, AreaValue, PlausibilityWarning, YearTable
from .years import available_years, published_years


@dataclass(frozen=True)
class LevelValues:
    indicator: Indicator
    level: Level
    year: int
    areas: list[AreaValue]
    city: AreaValue | None
    within: AreaValue | None = None  # the Stadtbezirk's own value in a Bezirk view


def level_values(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    within: District | None = None,
    as_of: datetime.datetime | None = None,
) -> LevelValues:
    """Values of one indicator for every district of a level in a year, and the city's.

    With ``within`` (a Stadtbezirk), only the districts that lie in it, each with the share
    of its area inside; with ``as_of``, the values as published at that moment.
    """
    with opened(as_of) as memo:
        table = year_table(indicator=indicator, year=year, as_of=as_of)
        # The year's districts as the table was built from them (in the order of the
        # districts' query), not asked for again by every call.
        if not remembered(memo, ("geo", year)):
            remember(memo, ("geo", year), geography.of_year(year))
        districts = [d for d in memo[("geo", year)].districts.values() if d.level == level.slug]
    by_code = {a.code: a for a in table.of_level(level.slug)}
    areas = [
        by_code.get(d.code) or AreaValue(d.id, d.code, d.name, level.slug, None) for d in districts
    ]
    if within is not None:
        inside = dict(
            Overlap.objects.filter(target=within, source__level=level).values_list(
                "source_id", "area_share"
            )
        )
        if level.id == within.level_id:
            inside = {within.id: 1.0}
        areas = [
            _inside(a, inside[a.district_id])
            for a in areas
            if inside.get(a.district_id, 0) >= MIN_SHARE_INSIDE
        ]
    own = table.areas.get(within.id) if within is not None else None
    return LevelValues(indicator, level, year, areas, table.city, own)


def _inside(area: AreaValue, share: float) -> AreaValue:
    return AreaValue(**{**area.__dict__, "share_inside": share})


def time_series(
    *, indicator: Indicator, codes: Iterable[str], level: Level, years: Iterable[int] | None = None
) -> dict[str, list[tuple[int, AreaValue | None]]]:
    """Values of the given districts (and the city, under "stadt") year by year."""
    years = sorted(years) if years is not None else available_years(indicator=indicator)
    tables = year_tables(indicators=[indicator], years=years)
    codes = list(codes)
    series: dict[str, list[tuple[int, AreaValue | None]]] = {code: [] for code in codes}
    series[CITY_LEVEL] = []
    for year in years:
        table = tables[(indicator.slug, year)]
        by_code = {a.code: a for a in table.of_level(level.slug)}
        for code in codes:
            series[code].append((year, by_code.get(code)))
        series[CITY_LEVEL].append((year, table.city))
    return series


@dataclass(frozen=True)
class ProfileRow:
    indicator: Indicator
    value: AreaValue | None
    city: AreaValue | None
    # The district's value minus the city's, both rounded to the indicator's decimals; None
    # for counts, which are compared by their share of the city instead.
    difference: float | None
    rank: int | None  # 1 = highest value among the level's districts
    ranked: int  # how many districts had a value to rank
    share_of_city: float | None = None  # counts: the district's part of the city's, in %


def profile(*, district: District, year: int) -> list[ProfileRow]:
    """Every indicator for one district and year, with the city value, difference (or share
    of the city, for counts) and rank."""
    indicators = list(Indicator.objects.select_related("theme"))
    tables = year_tables(indicators=indicators, years=[year])
    return [profile_row(table=tables[(i.slug, year)], district=district) for i in indicators]


def profile_row(*, table: YearTable, district: District) -> ProfileRow:
    """One indicator's row of a district profile, from a year table that is already built."""
    indicator = table.indicator
    peers = table.of_level(district.level.slug)
    own = next((a for a in peers if a.district_id == district.id), None)
    city = table.city
    ranked = sorted((a.cell.value for a in peers if a.has_value), reverse=True)
    rank = ranked.index(own.cell.value) + 1 if own is not None and own.has_value else None
    difference = share = None
    if own is not None and own.has_value and city is not None and city.has_value:
        if units.compared_by_share(indicator):
            share = units.share(own.cell.value, city.cell.value, indicator.decimals)
        else:
            difference = units.difference(own.cell.value, city.cell.value, indicator.decimals)
    return ProfileRow(indicator, own, city, difference, rank, len(ranked), share)


@dataclass(frozen=True)
class ChangeValue:
    code: str
    name: str
    start: AreaValue | None
    end: AreaValue | None
    change: float | None  # end − start, both rounded to the indicator's decimals
    unit: str  # units.ChangeUnit.code: "percentage_points", "points", … or "" (own unit)
    relative: float | None = None  # counts: the change in % of the start


def change_values(
    *,
    indicator: Indicator,
    level: Level,
    start: int,
    end: int,
    as_of: datetime.datetime | None = None,
) -> list[ChangeValue]:
    """Change of each district's value between two years, with the same disclosure rules."""
    tables = year_tables(indicators=[indicator], years=[start, end], as_of=as_of)
    first = {a.code: a for a in tables[(indicator.slug, start)].of_level(level.slug)}
    last = {a.code: a for a in tables[(indicator.slug, end)].of_level(level.slug)}
    rows = []
    for code in sorted(first.keys() | last.keys()):
        a, b = first.get(code), last.get(code)
        delta = units.change(indicator, value_of(a), value_of(b))
        rows.append(
            ChangeValue(code, (b or a).name, a, b, delta.value, delta.unit.code, delta.relative)
        )
    return rows


def value_of(area: AreaValue | None) -> float | None:
    """The area's number where it has one to show (not withheld, not missing)."""
    return area.cell.value if area is not None and area.has_value else None


def plausibility_warnings(*, year: int | None = None) -> list[PlausibilityWarning]:
    """Where the city's own value and the sum of its districts disagree beyond rounding.

    Only observed indicators can disagree: a computed one has values on its base level alone
    (the social index) or is computed in each area's own polygon (supply). The roll-up drafts
    answer, without the disclosure control and intervals of whole year tables; in the order
    of the year tables (by year, balances after the indicators they are computed from).
    """
    years = [year] if year is not None else published_years()
    balances = set(Indicator.components.through.objects.values_list("from_indicator_id", flat=True))
    observed = sorted(
        Indicator.objects.filter(computation=Indicator.Computation.NONE),
        key=lambda indicator: indicator.id in balances,
    )
    raw = geography.raw_cells([i.id for i in observed], years) if observed else {}
    warnings = []
    for each in sorted(years):
        geo = geography.of_year(each)
        for indicator in observed:
            cells = raw.get((indicator.id, each), {})
            warnings += rollup.draft(indicator, each, geo, cells).warnings
    return warnings
