"""Year tables: every public number of the indicators asked for, in the years asked for, on
every level, with disclosure control applied jointly to each group of linked indicators.

The observations of all indicators come in one query; components (births and deaths for a
balance), the served group of a supply indicator, the core indicators of the social index and
the linked indicators of a group are built first, in the same read and as of the same moment.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from .. import stats, suppression
from ..models import SOCIAL_INDEX_COMPUTATIONS, Indicator
from ..stats import Cell
from . import geography, rollup, social, supply_cells
from .linked import Linked, catalogue, load_links, with_groups
from .memo import memoised, opened, remember, remembered
from .values import YearTable


def year_table(
    *, indicator: Indicator, year: int, as_of: datetime.datetime | None = None
) -> YearTable:
    """All public values of one indicator in one year, on every level; with ``as_of``, as
    published at that moment (a view pinned to a release)."""
    tables = year_tables(indicators=[indicator], years=[year], as_of=as_of)
    return tables[(indicator.slug, year)]


def year_tables(
    *,
    indicators: Iterable[Indicator],
    years: Iterable[int],
    as_of: datetime.datetime | None = None,
) -> dict:
    """(indicator slug, year) → YearTable, loading all observations in one query; with
    ``as_of``, the values as published at that moment."""
    with opened(as_of) as memo:
        return _year_tables(list(indicators), sorted(set(years)), memo)


def _year_tables(indicators: list[Indicator], years: list[int], memo: dict) -> dict:
    as_of = memo["as_of"]
    asked = {i.slug: i for i in indicators}
    if all(remembered(memo, ("table", slug, year)) for slug in asked for year in years):
        return {
            (slug, year): _as_asked(memo[("table", slug, year)], asked[slug])
            for slug in asked
            for year in years
        }
    linked = memoised(("links",), load_links)
    wanted, components, supplies = _needed(indicators, linked)
    stale = {
        linked.group.get(i.id, i.id)
        for i in wanted.values()
        if any(not remembered(memo, ("table", i.slug, year)) for year in years)
    }
    # A group is built as a whole, so every member's observations are read, also those of a
    # member whose own tables are still kept (the cache may have let go of some members' tables
    # and not of others'): judged without them, the group would be built from empty cells.
    missing = [i for i in wanted.values() if linked.group.get(i.id, i.id) in stale]
    observed = [i for i in missing if not i.computation]
    raw = geography.raw_cells([i.id for i in observed], years, as_of) if observed else {}
    tables = {}
    for year in years:
        if not remembered(memo, ("geo", year)):
            remember(memo, ("geo", year), geography.of_year(year))
        geo = memo[("geo", year)]
        # Components first: a balance is withheld wherever one of its parts is; the served
        # population before the supply per person.
        ordered = sorted(wanted.values(), key=lambda i: i.id in components or i.id in supplies)
        for indicator in ordered:
            key = ("table", indicator.slug, year)
            if not remembered(memo, key):
                group = [
                    i
                    for i in ordered
                    if linked.group.get(i.id) == linked.group.get(indicator.id, indicator.id)
                ] or [indicator]
                built = _group_tables(
                    group, year, geo, raw, tables, components, supplies, linked, as_of
                )
                for member, table in built.items():
                    remember(memo, ("table", member, year), table)
            tables[(indicator.slug, year)] = memo[key]
    return {
        key: _as_asked(table, asked[key[0]]) for key, table in tables.items() if key[0] in asked
    }


def _needed(indicators: list[Indicator], linked: Linked) -> tuple[dict, dict, dict]:
    """Every indicator whose tables the asked ones need (slug → indicator), with the parts of
    each balance and the facility type and served group of each supply indicator among them.

    Linked indicators are judged together, so a table needs the tables of its group; a balance
    needs its parts, a supply indicator the group it serves, and those need their groups in
    turn. Parts and served groups are found for every indicator needed, not only the asked ones:
    a group is built the same way whichever of its members a read asked for.
    """
    wanted = {i.slug: i for i in with_groups(indicators, linked)}
    while True:
        components = _components(list(wanted.values()))
        supplies = supply_cells.supplies(list(wanted.values()))
        more = with_groups(
            [
                *wanted.values(),
                *(c for cs in components.values() for c in cs),
                *(served for _, served in supplies.values() if served is not None),
            ],
            linked,
        )
        if {i.slug for i in more} <= wanted.keys():
            return wanted, components, supplies
        wanted |= {i.slug: i for i in more if i.slug not in wanted}


def _as_asked(table: YearTable, indicator: Indicator) -> YearTable:
    """The table with the caller's own indicator object (a cached one came from elsewhere)."""
    return (
        table if table.indicator is indicator else dataclasses.replace(table, indicator=indicator)
    )


def _group_tables(group, year, geo, raw, tables, components, supplies, linked, as_of) -> dict:
    """The tables of linked indicators for a year (one indicator is a group of its own),
    disclosure control applied to all of them together."""
    drafts = {}
    populations = {}
    for indicator in group:
        cells, populations[indicator.id] = _cells(
            indicator, year, geo, raw, tables, supplies, as_of
        )
        # A balance is withheld wherever one of its parts is; parts linked to it by an
        # identity are judged with it instead.
        forced = {
            area.district_id
            for part in components.get(indicator.id, [])
            if part not in group
            for area in tables[(part.slug, year)].areas.values()
            if area.cell is not None and area.cell.suppressed
        }
        forced |= _withheld_in_base_year(indicator, year, linked, as_of)
        drafts[indicator.id] = rollup.draft(
            indicator,
            year,
            geo,
            cells,
            forced,
            exact=indicator.id in supplies,
            balance=indicator.id in components,
        )
    links = linked.links if len(group) > 1 else ()
    withheld = suppression.disclose({i: d.suppression for i, d in drafts.items()}, links)
    result = {}
    for indicator in group:
        balance = indicator.id in components or indicator.id in supplies
        table = rollup.finish(drafts[indicator.id], geo, withheld[indicator.id], balance)
        population = populations[indicator.id]
        if population is not None:
            table = supply_cells.approximate_as(table, population)
        if indicator.computation in SOCIAL_INDEX_COMPUTATIONS:
            table = social.index_gaps(table, year, geo, _core_tables(indicator, year, as_of))
        result[indicator.slug] = table
    return result


def _withheld_in_base_year(
    indicator: Indicator, year: int, linked: Linked, as_of: datetime.datetime | None
) -> set[int]:
    """The areas whose number of a fixed year, published again by the indicator in every
    year (an index's base-year denominator), is withheld in that year's own table."""
    result: set[int] = set()
    for term_id, base in linked.base_years.get(indicator.id, ()):
        if base == year:
            continue
        term = catalogue()[term_id]
        table = year_tables(indicators=[term], years=[base], as_of=as_of)[(term.slug, base)]
        result |= {
            area.district_id
            for area in table.areas.values()
            if area.cell is not None and area.cell.status == stats.SECRET
        }
    return result


def _cells(
    indicator, year, geo, raw, tables, supplies, as_of
) -> tuple[dict[int, Cell], YearTable | None]:
    """One indicator's cells for a year, and the table of the group it serves, if any."""
    if indicator.id in supplies:
        facility_type, served = supplies[indicator.id]
        population = tables[(served.slug, year)] if served is not None else None
        cells = supply_cells.facility_cells(indicator, facility_type, population, year, geo)
        return cells, population
    if indicator.computation:
        core = _core_tables(indicator, year, as_of)
        return social.computed_cells(indicator, year, geo, core), None
    return raw.get((indicator.id, year), {}), None


def _components(indicators: list[Indicator]) -> dict[int, list[Indicator]]:
    """Indicator id → the indicators it is computed from (births and deaths for a balance)."""
    parts = memoised(("components",), _all_components)
    return {i.id: list(parts[i.id]) for i in indicators if i.id in parts}


def _all_components() -> dict[int, tuple[Indicator, ...]]:
    """Every computed indicator's parts, read once per read (and data state): a read asks
    again for each indicator it pulls in."""
    links = Indicator.components.through.objects.select_related("to_indicator").order_by("id")
    result: dict[int, list[Indicator]] = defaultdict(list)
    for link in links:
        result[link.from_indicator_id].append(link.to_indicator)
    return {i: tuple(parts) for i, parts in result.items()}


def _core_tables(indicator: Indicator, year: int, as_of: datetime.datetime | None) -> dict | None:
    """The tables of the core indicators a social index of the year is computed from; None
    while one of them is missing from the catalogue."""
    core = social.core_indicators()
    if not social.complete(core):
        return None
    return year_tables(indicators=core, years=social.years_of(indicator, year), as_of=as_of)
