"""The read path: every public output (map, API, pages, downloads) gets its values from here.

For one indicator and year it loads the published observations (the newest published release
winning), rolls the finest level with data up to every coarser level through the overlaps,
applies primary and secondary disclosure control over all of them at once, and adds
confidence intervals and the comparison with the city. Nothing else queries observations for
display.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Min

from districts.models import District, Level, Overlap
from districts.selectors import MIN_SHARE_INSIDE

from . import readcache, social_index, stats, suppression, units
from .models import (
    FACILITY_COMPUTATIONS,
    SOCIAL_INDEX_COMPUTATIONS,
    Identity,
    Indicator,
    Observation,
    Release,
)
from .stats import Cell
from .supply import ServedPart, SupplyType, supply_by_district, supply_types

CITY_LEVEL = "stadt"


@dataclass(frozen=True)
class Source:
    """A district a roll-up drew on, with the share of it that counted."""

    code: str
    name: str
    weight: float


@dataclass(frozen=True)
class AreaValue:
    district_id: int
    code: str
    name: str
    level: str
    cell: Cell | None  # None: nothing published for this area and year
    approximate: bool = False  # rolled up across levels that do not nest
    sources: tuple[Source, ...] = ()
    ignored: tuple[Source, ...] = ()  # parts below the minimum share, left out
    interval: tuple[float, float] | None = None
    comparison: str | None = None  # "above", "below", "not_different" (against the city)
    verdict: str | None = None  # "better", "worse" by the indicator's polarity
    share_inside: float = 1.0  # in Bezirk views: the part of the area inside the Bezirk

    @property
    def has_value(self) -> bool:
        return self.cell is not None and self.cell.has_value


@dataclass(frozen=True)
class LevelValues:
    indicator: Indicator
    level: Level
    year: int
    areas: list[AreaValue]
    city: AreaValue | None
    within: AreaValue | None = None  # the Stadtbezirk's own value in a Bezirk view


@dataclass(frozen=True)
class PlausibilityWarning:
    indicator: str
    year: int
    observed: float
    rolled_up: float

    def __str__(self) -> str:
        return (
            f"{self.indicator} {self.year}: städtischer Wert {self.observed:g} weicht von der "
            f"Summe der Bezirke ({self.rolled_up:g}) ab"
        )


@dataclass
class _District:
    id: int
    code: str
    name: str
    level: str
    rank: int
    area_km2: float


@dataclass
class _Geography:
    """Districts valid at the end of a year and the overlaps among them."""

    districts: dict[int, _District]
    # target district id → [(source district id, weight)]
    parts: dict[int, list[tuple[int, float]]] = field(default_factory=dict)


@dataclass
class YearTable:
    """Every public number of one indicator in one year, disclosure control applied."""

    indicator: Indicator
    year: int
    base_level: str | None
    areas: dict[int, AreaValue]
    warnings: list[PlausibilityWarning]

    def of_level(self, slug: str) -> list[AreaValue]:
        return sorted((a for a in self.areas.values() if a.level == slug), key=lambda a: a.code)

    @property
    def city(self) -> AreaValue | None:
        return next((a for a in self.areas.values() if a.level == CITY_LEVEL), None)


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _geography(year: int) -> _Geography:
    rows = District.objects.valid_on(_year_end(year)).values_list(
        "id", "code", "name", "level__slug", "level__rank", "area_km2"
    )
    districts = {row[0]: _District(*row) for row in rows}
    parts: dict[int, list[tuple[int, float]]] = defaultdict(list)
    overlaps = Overlap.objects.filter(source_id__in=districts, target_id__in=districts).values_list(
        "source_id", "target_id", "population_share", "area_share"
    )
    for source, target, population_share, area_share in overlaps:
        # A known population share beats the area share: people, not fields, are counted.
        parts[target].append(
            (source, population_share if population_share is not None else area_share)
        )
    return _Geography(districts, dict(parts))


def _raw_cells(
    indicator_ids: Iterable[int], years: Iterable[int], as_of: datetime.datetime | None = None
) -> dict:
    """(indicator id, year) → {district id: Cell} from the newest releases published (as of
    ``as_of``)."""
    observations = (
        Observation.objects.published(as_of=as_of)
        .filter(indicator_id__in=list(indicator_ids), year__in=list(years))
        .latest_per_key()
        .values_list(
            "indicator_id", "year", "district_id", "value", "numerator", "denominator", "status"
        )
    )
    cells: dict[tuple[int, int], dict[int, Cell]] = defaultdict(dict)
    for indicator_id, year, district_id, value, numerator, denominator, status in observations:
        if status not in stats.WITH_VALUE:
            # A symbol stands in place of every number of the row.
            value = numerator = denominator = None
        cells[(indicator_id, year)][district_id] = Cell(value, numerator, denominator, status)
    return cells


def _base_rank(geo: _Geography, raw: dict[int, Cell]) -> int:
    """The finest level the indicator is delivered for in full, covering the whole city.

    A stray row on a finer level, or a finer level that covers only part of the city (blocks
    of one district), must not turn the whole indicator into that level.
    """
    ranks = sorted({geo.districts[d].rank for d in raw}, reverse=True)
    complete = [
        rank for rank in ranks if all(d in raw for d, x in geo.districts.items() if x.rank == rank)
    ]
    covering = [rank for rank in complete if _covers_city(geo, rank)]
    return (covering or complete or ranks)[0]


def _covers_city(geo: _Geography, rank: int) -> bool:
    city = next((d for d, x in geo.districts.items() if x.level == CITY_LEVEL), None)
    if city is None or geo.districts[city].rank == rank:
        return True
    inside = sum(
        geo.districts[s].area_km2 * w
        for s, w in geo.parts.get(city, [])
        if geo.districts[s].rank == rank
    )
    return inside >= 0.99 * geo.districts[city].area_km2


MISSING = Cell(None, None, None, "", stats.INCOMPLETE)


def min_part_share() -> float:
    """Below this share of a district in an area, a roll-up leaves it out (a sliver from
    drawing the lines, which would pin the district's value down to a tiny weight)."""
    return settings.ATLAS_MIN_PART_SHARE


@dataclass
class _Draft:
    """One indicator's table of a year before disclosure control."""

    suppression: suppression.Draft
    year: int
    base_level: str | None
    sources: dict[int, tuple[Source, ...]]
    ignored: dict[int, tuple[Source, ...]]
    warnings: list[PlausibilityWarning]

    @property
    def indicator(self) -> Indicator:
        return self.suppression.indicator


def _draft(
    indicator: Indicator,
    year: int,
    geo: _Geography,
    raw: dict[int, Cell],
    forced: set[int] = frozenset(),
    exact: bool = False,
) -> _Draft:
    raw = {d: c for d, c in raw.items() if d in geo.districts}
    if not raw:
        return _Draft(suppression.Draft(indicator, {}, {}, {}), year, None, {}, {}, [])
    base_rank = _base_rank(geo, raw)
    base_ids = [d for d, x in geo.districts.items() if x.rank == base_rank]
    base_level = geo.districts[base_ids[0]].level
    base = {d: raw.get(d, MISSING) for d in base_ids}
    kind, factor = indicator.kind, indicator.factor
    least = min_part_share()

    # Coarser areas: their own observation where one exists, else the roll-up of the base
    # (a missing base district makes the roll-up incomplete, never silently smaller).
    cells: dict[int, Cell] = {d: c for d, c in base.items() if d in raw}
    approximate: dict[int, bool] = {}
    sources: dict[int, tuple[Source, ...]] = {}
    ignored: dict[int, tuple[Source, ...]] = {}
    totals: dict[int, dict[int, float]] = {}
    warnings = []
    for target, district in geo.districts.items():
        if district.rank >= base_rank:
            continue
        overlapping = [(s, w) for s, w in geo.parts.get(target, []) if s in base]
        parts = [(s, w) for s, w in overlapping if w >= least]
        own = raw.get(target)
        if not parts:
            if own is not None:
                cells[target] = own
            continue
        rolled = stats.roll_up([(base[s], w) for s, w in parts], kind=kind, factor=factor)
        totals[target] = dict(parts)
        approximate[target] = any(w < 1 for _, w in parts)
        sources[target] = _sources(geo, parts)
        ignored[target] = _sources(geo, [(s, w) for s, w in overlapping if w < least])
        if own is not None:
            # The area's own observation wins, a symbol too ("." delivered as secret stays so).
            cells[target] = own
            approximate[target] = False
            if (
                not exact
                and own.has_value
                and rolled.has_value
                and _differs(own.value, rolled.value, indicator.decimals)
            ):
                warnings.append(PlausibilityWarning(indicator.slug, year, own.value, rolled.value))
        elif approximate[target]:
            # An estimate is published as precise as the indicator, never to the last digit
            # of its weights: those digits would tie the parts together for an attacker.
            cells[target] = _rounded(rolled, indicator.decimals)
        else:
            cells[target] = rolled

    if exact:
        # Computed exactly in each district's own polygon: finer and non-nested levels too.
        for district_id, cell in raw.items():
            cells.setdefault(district_id, cell)
    draft = suppression.Draft(indicator, base, cells, totals, approximate, set(forced))
    return _Draft(draft, year, base_level, sources, ignored, warnings)


def _sources(geo: _Geography, parts) -> tuple[Source, ...]:
    return tuple(
        Source(geo.districts[s].code, geo.districts[s].name, w)
        for s, w in sorted(parts, key=lambda p: geo.districts[p[0]].code)
    )


def _rounded(cell: Cell, decimals: int) -> Cell:
    if not cell.has_value:
        return cell
    whole = [None if x is None else float(round(x)) for x in (cell.numerator, cell.denominator)]
    return Cell(round(cell.value, decimals), *whole, cell.status, cell.reason)


def _finish(draft: _Draft, geo: _Geography, withheld: set[int], balance: bool = False) -> YearTable:
    indicator = draft.indicator
    kind, factor = indicator.kind, indicator.factor
    cells = {
        d: stats.withheld(c) if d in withheld else c for d, c in draft.suppression.cells.items()
    }
    city = next((cells.get(d) for d, x in geo.districts.items() if x.level == CITY_LEVEL), None)
    reference = city.value if city is not None and city.has_value else None

    areas = {}
    for district_id, cell in cells.items():
        district = geo.districts[district_id]
        approximate = draft.suppression.approximate.get(district_id, False)
        # A balance (births minus deaths) is no Poisson count, nor is a supply of
        # facilities; an estimate over areas that do not nest carries an allocation error
        # no counting interval knows: none of them gets an interval.
        interval = (
            None
            if balance or approximate
            else stats.confidence_interval(
                cell,
                kind=kind,
                is_proportion=indicator.is_proportion,
                factor=factor,
                denominator_is_count=indicator.denominator_is_count,
            )
        )
        comparison = None if district.level == CITY_LEVEL else stats.compare(interval, reference)
        areas[district_id] = AreaValue(
            district_id=district_id,
            code=district.code,
            name=district.name,
            level=district.level,
            cell=cell,
            approximate=approximate,
            sources=draft.sources.get(district_id, ()),
            ignored=draft.ignored.get(district_id, ()),
            interval=interval,
            comparison=comparison,
            verdict=stats.judge(comparison, indicator.polarity),
        )
    return YearTable(indicator, draft.year, draft.base_level, areas, draft.warnings)


def _differs(a: float, b: float, decimals: int) -> bool:
    return abs(a - b) > 0.5 * 10**-decimals + 1e-9 * max(abs(a), abs(b))


def year_table(
    *, indicator: Indicator, year: int, as_of: datetime.datetime | None = None
) -> YearTable:
    """All public values of one indicator in one year, on every level; with ``as_of``, as
    published at that moment (a view pinned to a release)."""
    tables = year_tables(indicators=[indicator], years=[year], as_of=as_of)
    return tables[(indicator.slug, year)]


# Within one call of year_tables (and the calls it makes for computed indicators, as of the
# same moment) every geography and table is built once; across requests, readcache keeps them.
_MEMO: ContextVar[dict | None] = ContextVar("year_tables_memo", default=None)


def year_tables(
    *,
    indicators: Iterable[Indicator],
    years: Iterable[int],
    as_of: datetime.datetime | None = None,
) -> dict:
    """(indicator slug, year) → YearTable, loading all observations in one query; with
    ``as_of``, the values as published at that moment."""
    memo = _MEMO.get()
    if memo is not None and memo["as_of"] == as_of:
        return _year_tables(list(indicators), sorted(set(years)), memo)
    token = _MEMO.set({"scope": readcache.scope(as_of), "as_of": as_of})
    try:
        return _year_tables(list(indicators), sorted(set(years)), _MEMO.get())
    finally:
        _MEMO.reset(token)


def _remembered(memo: dict, key: tuple) -> bool:
    """Whether ``key`` is in the memo, taking it from the cross-request cache if it is there."""
    if key in memo:
        return True
    if memo["scope"] is None:
        return False
    value = readcache.TABLES.get((memo["scope"], *key))
    if value is None:
        return False
    memo[key] = value
    return True


def _remember(memo: dict, key: tuple, value) -> None:
    memo[key] = value
    if memo["scope"] is not None:
        readcache.TABLES.put((memo["scope"], *key), value)


def _memoised(key: tuple, build):
    """``build()`` once per year_tables call (and across requests), outside of one every time."""
    memo = _MEMO.get()
    if memo is None:
        return build()
    if not _remembered(memo, key):
        _remember(memo, key, build())
    return memo[key]


def _kept(key: tuple, build, as_of: datetime.datetime | None):
    """``build()`` once per data state (and ``as_of``) across public reads (readcache), every
    time outside of one. What it returns is shared: it must not be changed."""
    scope = readcache.scope(as_of)
    if scope is None:
        return build()
    value = readcache.TABLES.get((scope, *key))
    if value is None:
        value = build()
        readcache.TABLES.put((scope, *key), value)
    return value


def _year_tables(indicators: list[Indicator], years: list[int], memo: dict) -> dict:
    as_of = memo["as_of"]
    asked = {i.slug: i for i in indicators}
    if all(_remembered(memo, ("table", slug, year)) for slug in asked for year in years):
        return {
            (slug, year): _as_asked(memo[("table", slug, year)], asked[slug])
            for slug in asked
            for year in years
        }
    linked = _memoised(("links",), _load_links)
    # Linked indicators are judged together, so a table needs the tables of its group.
    grouped = _with_groups(indicators, linked)
    components = _components(grouped)
    supplies = _supplies(grouped)
    wanted = {
        i.slug: i
        for i in _with_groups(
            [
                *grouped,
                *(c for cs in components.values() for c in cs),
                *(served for _, served in supplies.values() if served is not None),
            ],
            linked,
        )
    }
    missing = [
        i
        for i in wanted.values()
        if any(not _remembered(memo, ("table", i.slug, year)) for year in years)
    ]
    observed = [i for i in missing if not i.computation]
    raw = _raw_cells([i.id for i in observed], years, as_of) if observed else {}
    tables = {}
    for year in years:
        if not _remembered(memo, ("geo", year)):
            _remember(memo, ("geo", year), _geography(year))
        geo = memo[("geo", year)]
        # Components first: a balance is withheld wherever one of its parts is; the served
        # population before the supply per person.
        ordered = sorted(wanted.values(), key=lambda i: i.id in components or i.id in supplies)
        for indicator in ordered:
            key = ("table", indicator.slug, year)
            if not _remembered(memo, key):
                group = [
                    i
                    for i in ordered
                    if linked.group.get(i.id) == linked.group.get(indicator.id, indicator.id)
                ] or [indicator]
                built = _group_tables(
                    group, year, geo, raw, tables, components, supplies, linked, as_of
                )
                for member, table in built.items():
                    _remember(memo, ("table", member, year), table)
            tables[(indicator.slug, year)] = memo[key]
    return {
        key: _as_asked(table, asked[key[0]]) for key, table in tables.items() if key[0] in asked
    }


def _as_asked(table: YearTable, indicator: Indicator) -> YearTable:
    """The table with the caller's own indicator object (a cached one came from elsewhere)."""
    return (
        table if table.indicator is indicator else dataclasses.replace(table, indicator=indicator)
    )


@dataclass(frozen=True)
class _Linked:
    """The declared identities between indicators and the groups they tie together."""

    links: tuple[suppression.Link, ...] = ()
    group: dict[int, int] = field(default_factory=dict)  # indicator id → group number
    members: dict[int, tuple[int, ...]] = field(default_factory=dict)  # group → ids
    # Indicator id → (term indicator id, year): a number that is another's of a fixed year
    # (an index's denominator, the base year's inhabitants).
    base_years: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)


def _load_links() -> _Linked:
    links = identities()
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            i = parent[i]
        return i

    for link in links:
        for part_id, _, _ in link.parts:
            parent[find(part_id)] = find(link.whole[0])
    group = {i: find(i) for i in parent}
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in group.items():
        members[g].append(i)
    return _Linked(
        tuple(links),
        group,
        {g: tuple(sorted(m)) for g, m in members.items()},
        _base_year_ties(),
    )


def _base_year_ties() -> dict[int, tuple[tuple[int, int], ...]]:
    rows = list(Identity.objects.filter(terms_year__isnull=False))
    if not rows:
        return {}
    indicators = {i.slug: i for i in Indicator.objects.only("id", "slug", "kind")}
    ties: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for identity in rows:
        for slug, _, _ in identity.parsed_terms(indicators):
            ties[identity.indicator_id].add((indicators[slug].id, identity.terms_year))
    return {i: tuple(sorted(t)) for i, t in ties.items()}


def identities() -> list[suppression.Link]:
    """The declared identities between indicators of the same year, as links of indicator
    ids (those tied to a fixed year are kept by ``_base_year_ties``)."""
    rows = list(Identity.objects.filter(terms_year__isnull=True))
    if not rows:
        return []
    # One query for the indicators of every term, not one per identity.
    indicators = {i.slug: i for i in Indicator.objects.only("id", "slug", "kind")}
    links = []
    for identity in rows:
        terms = identity.parsed_terms(indicators)
        links.append(
            suppression.Link(
                (identity.indicator_id, identity.part),
                tuple((indicators[slug].id, part, sign) for slug, part, sign in terms),
            )
        )
    return links


def _with_groups(indicators: Iterable[Indicator], linked: _Linked) -> list[Indicator]:
    """The indicators and every indicator linked to one of them."""
    indicators = {i.id: i for i in indicators}
    more = {
        member
        for i in indicators
        if i in linked.group
        for member in linked.members[linked.group[i]]
        if member not in indicators
    }
    if more:
        indicators.update({i.id: i for i in Indicator.objects.filter(id__in=more)})
    return list(indicators.values())


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
        drafts[indicator.id] = _draft(
            indicator, year, geo, cells, forced, exact=indicator.id in supplies
        )
        drafts[indicator.id].suppression.balance = indicator.id in components
    links = linked.links if len(group) > 1 else ()
    withheld = suppression.disclose({i: d.suppression for i, d in drafts.items()}, links)
    result = {}
    for indicator in group:
        balance = indicator.id in components or indicator.id in supplies
        table = _finish(drafts[indicator.id], geo, withheld[indicator.id], balance)
        population = populations[indicator.id]
        if population is not None:
            table = _approximate_as(table, population)
        if indicator.computation in SOCIAL_INDEX_COMPUTATIONS:
            table = _index_gaps(table, year, geo, as_of)
        result[indicator.slug] = table
    return result


def _withheld_in_base_year(
    indicator: Indicator, year: int, linked: _Linked, as_of: datetime.datetime | None
) -> set[int]:
    """The areas whose number of a fixed year, published again by the indicator in every
    year (an index's base-year denominator), is withheld in that year's own table."""
    result: set[int] = set()
    for term_id, base in linked.base_years.get(indicator.id, ()):
        if base == year:
            continue
        term = Indicator.objects.get(id=term_id)
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
        return _facility_cells(indicator, facility_type, population, year, geo), population
    if indicator.computation:
        return _computed_cells(indicator, year, geo, as_of), None
    return raw.get((indicator.id, year), {}), None


def _components(indicators: list[Indicator]) -> dict[int, list[Indicator]]:
    """Indicator id → the indicators it is computed from (births and deaths for a balance)."""
    links = Indicator.components.through.objects.filter(
        from_indicator_id__in=[i.id for i in indicators]
    ).select_related("to_indicator")
    result: dict[int, list[Indicator]] = defaultdict(list)
    for link in links:
        result[link.from_indicator_id].append(link.to_indicator)
    return dict(result)


_SupplyOf = tuple[SupplyType | None, Indicator | None]


def _supplies(indicators: list[Indicator]) -> dict[int, _SupplyOf]:
    """Indicator id → (facility type, indicator of the served group) for facility indicators."""
    facility = [i for i in indicators if i.computation in FACILITY_COMPUTATIONS]
    if not facility:
        return {}
    slugs = {i.facility_type for i in facility}
    types = supply_types(slugs)
    served = {
        i.slug: i
        for i in Indicator.objects.filter(
            slug__in={t.served_indicator for t in types.values()}, computation=""
        )
    }
    result = {}
    for indicator in facility:
        facility_type = types.get(indicator.facility_type)
        population = None
        counts_only = indicator.computation == Indicator.Computation.FACILITY_COUNT
        if facility_type is not None and not counts_only:
            population = served.get(facility_type.served_indicator)
        result[indicator.id] = (facility_type, population)
    return result


def _served_persons(cell: Cell, part: str, factor: float) -> float | None:
    """The people of the served group in a public cell: a count, or a rate's numerator."""
    if not cell.has_value:
        return None
    if part == ServedPart.VALUE:
        return cell.value
    if part == ServedPart.DENOMINATOR:
        return cell.denominator
    if cell.numerator is not None:
        return cell.numerator
    if cell.denominator is not None:
        return cell.value * cell.denominator / factor
    return None


def _facility_cells(
    indicator: Indicator,
    facility_type: SupplyType | None,
    population: YearTable | None,
    year: int,
    geo: _Geography,
) -> dict[int, Cell]:
    """Supply of a facility type in every district of every level, counted in PostGIS.

    Ratios take the served group from its own public year table: where that is withheld,
    the ratio is withheld too (it would give the number away); where it is missing, so is
    the ratio.
    """
    if facility_type is None:
        return {}
    supply = _memoised(
        ("supply", facility_type.slug, year),
        lambda: supply_by_district(
            type_slug=facility_type.slug, year=year, district_ids=geo.districts
        ),
    )
    if indicator.computation == Indicator.Computation.FACILITY_COUNT:
        return {d: Cell(float(s.facilities), None, None, "normal") for d, s in supply.items()}
    if population is None:
        return {}
    cells = {}
    for district_id, s in supply.items():
        area = population.areas.get(district_id)
        if area is None or area.cell is None:
            continue
        if area.cell.suppressed:
            cells[district_id] = stats.withheld(area.cell)
            continue
        persons = _served_persons(area.cell, facility_type.served_part, population.indicator.factor)
        if persons is None:
            symbol = area.cell.status if not area.cell.has_value else stats.SECRET
            cells[district_id] = Cell(None, None, None, symbol, stats.INCOMPLETE)
        elif indicator.computation == Indicator.Computation.FACILITY_PLACES:
            if s.places is None:
                cells[district_id] = Cell(None, None, None, stats.SECRET, stats.INCOMPLETE)
            elif persons <= 0:
                cells[district_id] = Cell(None, None, None, stats.NOT_APPLICABLE)
            else:
                value = s.places / persons * indicator.factor
                cells[district_id] = Cell(value, float(s.places), persons, area.cell.status)
        elif s.facilities == 0:
            # Persons per facility where there is none: not a meaningful statement.
            cells[district_id] = Cell(None, None, None, stats.NOT_APPLICABLE)
        else:
            value = persons / s.facilities * indicator.factor
            cells[district_id] = Cell(value, persons, float(s.facilities), area.cell.status)
    return cells


def _approximate_as(table: YearTable, population: YearTable) -> YearTable:
    """A ratio is as approximate as the served group it divides by (non-nested roll-ups)."""
    areas = {}
    for district_id, area in table.areas.items():
        served = population.areas.get(district_id)
        if served is not None and served.approximate and area.has_value:
            area = dataclasses.replace(area, approximate=True, sources=served.sources)
        areas[district_id] = area
    return dataclasses.replace(table, areas=areas)


def _core_indicators() -> list[Indicator]:
    return _memoised(("core",), _load_core_indicators)


def _load_core_indicators() -> list[Indicator]:
    core = {i.slug: i for i in Indicator.objects.filter(slug__in=social_index.CORE_INDICATORS)}
    return [core[slug] for slug in social_index.CORE_INDICATORS if slug in core]


def _published_core(
    core: list[Indicator], years: list[int], as_of: datetime.datetime | None
) -> dict:
    """year → {slug: {district code: value}} of the finest level, after disclosure control."""
    tables = year_tables(indicators=core, years=years, as_of=as_of)
    result = {}
    for year in years:
        result[year] = {}
        for indicator in core:
            table = tables[(indicator.slug, year)]
            result[year][indicator.slug] = {
                a.code: a.cell.value for a in table.of_level(table.base_level or "") if a.has_value
            }
    return result


def _computed_cells(
    indicator: Indicator, year: int, geo: _Geography, as_of: datetime.datetime | None
) -> dict[int, Cell]:
    """The social index of every district of the core indicators' finest level."""
    core = _core_indicators()
    if len(core) < len(social_index.CORE_INDICATORS):
        return {}
    if indicator.computation == Indicator.Computation.SOCIAL_STATUS:
        values = social_index.status_index(_published_core(core, [year], as_of)[year])
    else:
        start = year - social_index.DYNAMICS_YEARS
        published = _published_core(core, [start, year], as_of)
        values = social_index.dynamics_index(published[start], published[year])
    core_table = year_table(indicator=core[0], year=year, as_of=as_of)
    ids = {a.code: a.district_id for a in core_table.of_level(core_table.base_level or "")}
    return {
        ids[code]: Cell(round(value, 6), None, None, "normal")
        for code, value in values.items()
        if code in ids and ids[code] in geo.districts
    }


def _index_gaps(
    table: YearTable, year: int, geo: _Geography, as_of: datetime.datetime | None
) -> YearTable:
    """The social index table with a symbol and a reason for every district without an index.

    "..." where a core indicator is not yet available for the district, else "." (a core
    value withheld or missing). Added after disclosure control: a gap hides no number.
    """
    core = _core_indicators()
    if len(core) < len(social_index.CORE_INDICATORS):
        return table
    years = [year]
    if table.indicator.computation == Indicator.Computation.SOCIAL_DYNAMICS:
        years.insert(0, year - social_index.DYNAMICS_YEARS)
    tables = year_tables(indicators=core, years=years, as_of=as_of)
    first = tables[(core[0].slug, year)]
    level = first.base_level
    if level is None:
        return table
    parts = [
        {a.code: a.cell for a in tables[(i.slug, y)].of_level(level)} for i in core for y in years
    ]
    areas = dict(table.areas)
    for area in first.of_level(level):
        if area.district_id in areas or area.district_id not in geo.districts:
            continue
        pending = any(
            (cell := part.get(area.code)) is not None and cell.status == Observation.Status.NOT_YET
            for part in parts
        )
        symbol = Observation.Status.NOT_YET.value if pending else stats.SECRET
        cell = Cell(None, None, None, symbol, social_index.INCOMPLETE_CORE)
        areas[area.district_id] = AreaValue(area.district_id, area.code, area.name, level, cell)
    return dataclasses.replace(table, areas=areas, base_level=table.base_level or level)


def districts_in_year(*, level: Level, year: int):
    return District.objects.valid_on(_year_end(year)).filter(level=level)


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
    table = year_table(indicator=indicator, year=year, as_of=as_of)
    by_code = {a.code: a for a in table.of_level(level.slug)}
    districts = districts_in_year(level=level, year=year).only("id", "code", "name")
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


def weight_bases(*, target: District, year: int) -> dict[tuple[str, str], str]:
    """(level, code) of each district a roll-up into ``target`` draws on → what its weight
    is a share of: "population" where the overlap's population share is known, else "area"
    (the choice ``_geography`` makes)."""
    rows = Overlap.objects.filter(
        target=target, source__in=District.objects.valid_on(_year_end(year))
    ).values_list("source__level__slug", "source__code", "population_share")
    return {(level, code): "area" if share is None else "population" for level, code, share in rows}


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
    """Where the city's own value and the sum of its districts disagree beyond rounding."""
    indicators = list(Indicator.objects.all())
    years = [year] if year is not None else published_years()
    tables = year_tables(indicators=indicators, years=years)
    return [w for table in tables.values() for w in table.warnings]


def published_releases(*, indicators: Iterable[Indicator], year: int) -> list[Release]:
    """The published releases holding values of these indicators for the year, newest first."""
    return list(
        Release.objects.filter(
            status=Release.Status.PUBLISHED,
            observations__indicator__in=list(indicators),
            observations__year=year,
        )
        .distinct()
        .order_by("-published_at", "-id")
    )


def published_years(*, as_of: datetime.datetime | None = None) -> list[int]:
    observations = Observation.objects.published(as_of=as_of)
    return sorted(observations.values_list("year", flat=True).distinct())


def last_update(indicator: Indicator) -> datetime.datetime | None:
    """When values of the indicator (or of what it is computed from) were last published."""
    ids = [indicator.id]
    if indicator.computation in FACILITY_COMPUTATIONS:
        ids = [served.id for _, served in _supplies([indicator]).values() if served is not None]
    elif indicator.computation:
        ids = [i.id for i in _core_indicators()]
    ids += list(indicator.components.values_list("id", flat=True))
    latest = (
        Observation.objects.published()
        .filter(indicator_id__in=ids)
        .aggregate(latest=Max("release__published_at"))
    )
    return latest["latest"]


def available_years(
    *,
    indicator: Indicator,
    level: Level | None = None,
    with_values: bool = False,
    as_of: datetime.datetime | None = None,
) -> list[int]:
    """Years with at least one published observation of the indicator (on the level); with
    ``as_of``, published at that moment.

    With ``with_values``, only years in which one of them carries a number: a year
    delivered as "..." everywhere (not yet available) is published, but has no values.
    """
    key = ("years", indicator.id, level.id if level else None, with_values)
    return list(
        _kept(key, lambda: tuple(_available_years(indicator, level, with_values, as_of)), as_of)
    )


def _available_years(
    indicator: Indicator, level: Level | None, with_values: bool, as_of: datetime.datetime | None
) -> list[int]:
    if indicator.computation in FACILITY_COMPUTATIONS:
        return _facility_years(indicator, with_values, as_of)
    if indicator.computation:
        return _computed_years(indicator, with_values, as_of)
    observations = Observation.objects.published(as_of=as_of).filter(indicator=indicator)
    if level is not None:
        observations = observations.filter(district__level=level)
    if with_values:
        observations = observations.filter(status__in=stats.WITH_VALUE, value__isnull=False)
    return sorted(observations.values_list("year", flat=True).distinct())


def default_year(*, indicator: Indicator, as_of: datetime.datetime | None = None) -> int | None:
    """The year a view of the indicator opens on: the latest with published values."""
    years = available_years(indicator=indicator, with_values=True, as_of=as_of)
    years = years or available_years(indicator=indicator, as_of=as_of)
    return years[-1] if years else None


def _facility_years(
    indicator: Indicator, with_values: bool, as_of: datetime.datetime | None
) -> list[int]:
    """Years with values of the served group; counts alone, every published year."""
    facility_type, served = _supplies([indicator])[indicator.id]
    if facility_type is None:
        return []
    if served is None and indicator.computation == Indicator.Computation.FACILITY_COUNT:
        slug = facility_type.served_indicator
        served = Indicator.objects.filter(slug=slug, computation="").first() if slug else None
        if served is None:
            return published_years(as_of=as_of)
    if served is None:
        return []
    return available_years(indicator=served, with_values=with_values, as_of=as_of)


def _computed_years(
    indicator: Indicator, with_values: bool, as_of: datetime.datetime | None
) -> list[int]:
    core = _core_indicators()
    if len(core) < len(social_index.CORE_INDICATORS):
        return []
    years = set.intersection(
        *(set(available_years(indicator=i, with_values=with_values, as_of=as_of)) for i in core)
    )
    if indicator.computation == Indicator.Computation.SOCIAL_DYNAMICS:
        years = {y for y in years if y - social_index.DYNAMICS_YEARS in years}
    return sorted(years)


def indicator_levels() -> dict[int, list[str]]:
    """For each indicator, the levels it has values on: observed, or rolled up to. Shared
    across public reads: not to be changed."""
    return _kept(("levels",), _indicator_levels, None)


def _indicator_levels() -> dict[int, list[str]]:
    observed = (
        Observation.objects.published()
        .values_list("indicator_id", "district__level__rank")
        .distinct()
    )
    finest: dict[int, int] = {}
    ranks: dict[int, set[int]] = defaultdict(set)
    for indicator_id, rank in observed:
        ranks[indicator_id].add(rank)
        finest[indicator_id] = max(rank, finest.get(indicator_id, rank))
    levels = list(Level.objects.values_list("slug", "rank"))
    kinds = dict(Indicator.objects.values_list("id", "kind"))
    result = {}
    for indicator_id, rank in finest.items():
        rollable = kinds[indicator_id] in ("count", "rate", "mean")
        result[indicator_id] = [
            slug
            for slug, level_rank in levels
            if level_rank in ranks[indicator_id] or (rollable and level_rank < rank)
        ]
    # Computed indicators exist where their core indicators are finest; facility supply is
    # counted in each level's own polygons.
    core = _core_indicators()
    computed = Indicator.objects.exclude(computation="")
    if core and core[0].id in finest:
        finest_level = [slug for slug, rank in levels if rank == finest[core[0].id]]
        for indicator in computed.exclude(computation__in=FACILITY_COMPUTATIONS):
            result[indicator.id] = finest_level
    for indicator in computed.filter(computation__in=FACILITY_COMPUTATIONS):
        result[indicator.id] = [slug for slug, _ in levels]
    return result


def release_contents(*, release) -> list[tuple[int, int, int]]:
    """(indicator id, district id, year) of every value a release delivered: keys, no values."""
    return list(
        Observation.objects.filter(release=release)
        .order_by()
        .values_list("indicator_id", "district_id", "year")
    )


def value_releases(
    *, indicator_ids: Iterable[int], years: Iterable[int]
) -> dict[tuple[int, int, int], int]:
    """(indicator id, district id, year) → the published release whose value is public now."""
    rows = (
        Observation.objects.published()
        .filter(indicator_id__in=list(indicator_ids), year__in=list(years))
        .latest_per_key()
        .values_list("indicator_id", "district_id", "year", "release_id")
    )
    return {(i, d, y): r for i, d, y, r in rows}


@dataclass(frozen=True)
class Coverage:
    """How many values of a theme a published release holds, and for which years."""

    release_id: int
    theme_id: int
    values: int
    first_year: int
    last_year: int


def published_coverage(*, release_ids: Iterable[int] | None = None) -> list[Coverage]:
    """Per published release and theme: the number of values and the span of years."""
    observations = Observation.objects.published()
    if release_ids is not None:
        observations = observations.filter(release_id__in=list(release_ids))
    rows = (
        observations.order_by()
        .values("release_id", "indicator__theme_id")
        .annotate(n=Count("id"), first=Min("year"), last=Max("year"))
        .values_list("release_id", "indicator__theme_id", "n", "first", "last")
    )
    return [Coverage(*row) for row in rows]


@dataclass(frozen=True)
class ReleaseSummary:
    """A published release with what it holds, per theme."""

    release: Release
    coverage: list[Coverage]

    @property
    def values(self) -> int:
        return sum(c.values for c in self.coverage)


def published_release_page(*, offset: int, limit: int) -> tuple[int, list[ReleaseSummary]]:
    """Published releases, newest first: the total count and one page with their coverage."""
    releases = Release.objects.filter(status=Release.Status.PUBLISHED).order_by(
        "-published_at", "-pk"
    )
    page = list(releases[offset : offset + limit])
    by_release = defaultdict(list)
    for c in published_coverage(release_ids=[r.pk for r in page]):
        by_release[c.release_id].append(c)
    return releases.count(), [ReleaseSummary(r, by_release[r.pk]) for r in page]
