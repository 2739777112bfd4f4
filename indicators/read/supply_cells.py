"""Facility supply in the read path: facilities per person, places per person, counts, in
every district of every level, and as approximate as the served group they divide by."""

import dataclasses

from .. import stats
from ..models import FACILITY_COMPUTATIONS, Indicator
from ..stats import Cell
from ..supply import ServedPart, SupplyType, supply_by_district, supply_types
from .geography import Geography
from .memo import memoised
from .values import YearTable

SupplyOf = tuple[SupplyType | None, Indicator | None]


def supplies(indicators: list[Indicator]) -> dict[int, SupplyOf]:
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


def facility_cells(
    indicator: Indicator,
    facility_type: SupplyType | None,
    population: YearTable | None,
    year: int,
    geo: Geography,
) -> dict[int, Cell]:
    """Supply of a facility type in every district of every level, counted in PostGIS.

    Ratios take the served group from its own public year table: where that is withheld,
    the ratio is withheld too (it would give the number away); where it is missing, so is
    the ratio.
    """
    if facility_type is None:
        return {}
    supply = memoised(
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


def approximate_as(table: YearTable, population: YearTable) -> YearTable:
    """A ratio is as approximate as the served group it divides by (non-nested roll-ups)."""
    areas = {}
    for district_id, area in table.areas.items():
        served = population.areas.get(district_id)
        if served is not None and served.approximate and area.has_value:
            area = dataclasses.replace(area, approximate=True, sources=served.sources)
        areas[district_id] = area
    return dataclasses.replace(table, areas=areas)
