"""Drafts and roll-ups: one indicator's table of a year before disclosure control, and the
finished table after it (intervals and the comparison with the city).

The finest level delivered in full is the base; every coarser area takes its own observation
where one exists, else the roll-up of the base through the overlaps.
"""

from dataclasses import dataclass

from django.conf import settings

from .. import stats, suppression
from ..models import Indicator
from ..stats import Cell
from .geography import Geography
from .values import CITY_LEVEL, AreaValue, PlausibilityWarning, Source, YearTable


def _base_rank(geo: Geography, raw: dict[int, Cell]) -> int:
    """The finest level the indicator is delivered for in full, covering the whole city.

    A stray row on a finer level, or a finer level that covers only part of the city (blocks
    of one district), must not turn the whole indicator into that level. Most indicators of a
    year are delivered for the same areas: the answer is kept with the geography.
    """
    key = ("base rank", frozenset(raw))
    rank = geo.derived.get(key)
    if rank is None:
        rank = geo.derived[key] = _find_base_rank(geo, key[1])
    return rank


def _find_base_rank(geo: Geography, delivered: frozenset[int]) -> int:
    ranks = sorted({geo.districts[d].rank for d in delivered}, reverse=True)
    complete = [
        rank
        for rank in ranks
        if all(d in delivered for d, x in geo.districts.items() if x.rank == rank)
    ]
    covering = [rank for rank in complete if _covers_city(geo, rank)]
    return (covering or complete or ranks)[0]


def _covers_city(geo: Geography, rank: int) -> bool:
    city = _city(geo)
    if city is None or geo.districts[city].rank == rank:
        return True
    inside = sum(
        geo.districts[s].area_km2 * w
        for s, w in geo.parts.get(city, [])
        if geo.districts[s].rank == rank
    )
    return inside >= 0.99 * geo.districts[city].area_km2


def _city(geo: Geography) -> int | None:
    """The city's district of the year, if the geography has one."""
    if "city" not in geo.derived:
        geo.derived["city"] = next(
            (d for d, x in geo.districts.items() if x.level == CITY_LEVEL), None
        )
    return geo.derived["city"]


MISSING = Cell(None, None, None, "", stats.INCOMPLETE)


def min_part_share() -> float:
    """Below this share of a district in an area, a roll-up leaves it out (a sliver from
    drawing the lines, which would pin the district's value down to a tiny weight)."""
    return settings.ATLAS_MIN_PART_SHARE


@dataclass
class Draft:
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


def draft(
    indicator: Indicator,
    year: int,
    geo: Geography,
    raw: dict[int, Cell],
    forced: set[int] = frozenset(),
    exact: bool = False,
    balance: bool = False,
) -> Draft:
    """The indicator's cells of the year on every level, before disclosure control.
    ``forced``: districts withheld whatever their cases; ``exact``: computed in each area's
    own polygon (no roll-up); ``balance``: births minus deaths and the like, which count no
    cases of their own (``balance_ids``)."""
    raw = {d: c for d, c in raw.items() if d in geo.districts}
    if not raw:
        return Draft(
            suppression.Draft(indicator, {}, {}, {}, balance=balance), year, None, {}, {}, []
        )
    base_rank = _base_rank(geo, raw)
    base_ids = geo.derived.get(("base", base_rank))
    if base_ids is None:
        base_ids = [d for d, x in geo.districts.items() if x.rank == base_rank]
        geo.derived[("base", base_rank)] = base_ids
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
    for plan in _roll_ups(geo, base_rank, least):
        target, parts = plan.target, plan.parts
        own = raw.get(target)
        if not parts:
            if own is not None:
                cells[target] = own
            continue
        rolled = stats.roll_up([(base[s], w) for s, w in parts], kind=kind, factor=factor)
        totals[target] = dict(parts)
        approximate[target] = plan.approximate
        sources[target] = plan.sources
        ignored[target] = plan.ignored
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
                warnings.append(
                    PlausibilityWarning(
                        indicator.slug,
                        year,
                        own.value,
                        rolled.value,
                        name=indicator.name_de,
                        decimals=indicator.decimals + 1,
                    )
                )
        elif plan.approximate:
            # An estimate is published as precise as the indicator, never to the last digit
            # of its weights: those digits would tie the parts together for an attacker.
            cells[target] = _rounded(rolled, indicator.decimals)
        else:
            cells[target] = rolled

    if exact:
        # Computed exactly in each district's own polygon: finer and non-nested levels too.
        for district_id, cell in raw.items():
            cells.setdefault(district_id, cell)
    draft = suppression.Draft(indicator, base, cells, totals, approximate, set(forced), balance)
    return Draft(draft, year, base_level, sources, ignored, warnings)


@dataclass(frozen=True)
class _RollUp:
    """How a coarser area is made of the base level's districts: the same for every
    indicator with that base in a year."""

    target: int
    parts: tuple[tuple[int, float], ...]  # (base district, weight) at or above the least share
    approximate: bool
    sources: tuple[Source, ...]
    ignored: tuple[Source, ...]  # the parts below the least share


def _roll_ups(geo: Geography, base_rank: int, least: float) -> list[_RollUp]:
    """Every area coarser than the base, with its parts; worked out once per geography."""
    key = ("roll-ups", base_rank, least)
    plans = geo.derived.get(key)
    if plans is not None:
        return plans
    plans = []
    for target, district in geo.districts.items():
        if district.rank >= base_rank:
            continue
        overlapping = [
            (s, w) for s, w in geo.parts.get(target, []) if geo.districts[s].rank == base_rank
        ]
        parts = tuple((s, w) for s, w in overlapping if w >= least)
        plans.append(
            _RollUp(
                target,
                parts,
                any(w < 1 for _, w in parts),
                _sources(geo, parts),
                _sources(geo, [(s, w) for s, w in overlapping if w < least]),
            )
        )
    geo.derived[key] = plans
    return plans


def balance_ids() -> set[int]:
    """The indicators computed from others as a balance (births minus deaths)."""
    return set(Indicator.components.through.objects.values_list("from_indicator", flat=True))


def _sources(geo: Geography, parts) -> tuple[Source, ...]:
    return tuple(
        Source(geo.districts[s].code, geo.districts[s].name, w)
        for s, w in sorted(parts, key=lambda p: geo.districts[p[0]].code)
    )


def _rounded(cell: Cell, decimals: int) -> Cell:
    if not cell.has_value:
        return cell
    whole = [None if x is None else float(round(x)) for x in (cell.numerator, cell.denominator)]
    return Cell(round(cell.value, decimals), *whole, cell.status, cell.reason)


def finish(draft: Draft, geo: Geography, withheld: set[int], balance: bool = False) -> YearTable:
    indicator = draft.indicator
    kind, factor = indicator.kind, indicator.factor
    cells = {
        d: stats.withheld(c) if d in withheld else c for d, c in draft.suppression.cells.items()
    }
    city = cells.get(_city(geo))
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
