"""The social index in the read path: computed from the published (disclosure-controlled)
tables of its core indicators, with a symbol and a reason where a district has none."""

import dataclasses

from .. import social_index, stats
from ..models import Indicator, Observation
from ..stats import Cell
from .geography import Geography
from .memo import memoised
from .values import AreaValue, YearTable


def core_indicators() -> list[Indicator]:
    return memoised(("core",), _load_core_indicators)


def _load_core_indicators() -> list[Indicator]:
    core = {i.slug: i for i in Indicator.objects.filter(slug__in=social_index.CORE_INDICATORS)}
    return [core[slug] for slug in social_index.CORE_INDICATORS if slug in core]


def complete(core: list[Indicator]) -> bool:
    """Whether every core indicator is in the catalogue: without one there is no index."""
    return len(core) == len(social_index.CORE_INDICATORS)


def years_of(indicator: Indicator, year: int) -> list[int]:
    """The years of the core indicators the index of ``year`` is computed from."""
    if indicator.computation == Indicator.Computation.SOCIAL_DYNAMICS:
        return [year - social_index.DYNAMICS_YEARS, year]
    return [year]


def _published_core(core: list[Indicator], years: list[int], tables: dict) -> dict:
    """year → {slug: {district code: value}} of the finest level, after disclosure control."""
    result = {}
    for year in years:
        result[year] = {}
        for indicator in core:
            table = tables[(indicator.slug, year)]
            result[year][indicator.slug] = {
                a.code: a.cell.value for a in table.of_level(table.base_level or "") if a.has_value
            }
    return result


def computed_cells(
    indicator: Indicator, year: int, geo: Geography, tables: dict | None
) -> dict[int, Cell]:
    """The social index of every district of the core indicators' finest level, from the
    core indicators' tables of ``years_of(indicator, year)`` (None: a core indicator is
    missing)."""
    if tables is None:
        return {}
    core = core_indicators()
    published = _published_core(core, years_of(indicator, year), tables)
    if indicator.computation == Indicator.Computation.SOCIAL_STATUS:
        values = social_index.status_index(published[year])
    else:
        start = year - social_index.DYNAMICS_YEARS
        values = social_index.dynamics_index(published[start], published[year])
    core_table = tables[(core[0].slug, year)]
    ids = {a.code: a.district_id for a in core_table.of_level(core_table.base_level or "")}
    return {
        ids[code]: Cell(round(value, 6), None, None, "normal")
        for code, value in values.items()
        if code in ids and ids[code] in geo.districts
    }


def index_gaps(table: YearTable, year: int, geo: Geography, tables: dict | None) -> YearTable:
    """The social index table with a symbol and a reason for every district without an index.

    "..." where a core indicator is not yet available for the district, else "." (a core
    value withheld or missing). Added after disclosure control: a gap hides no number.
    ``tables``: the core indicators' tables, as for ``computed_cells``.
    """
    if tables is None:
        return table
    core = core_indicators()
    years = years_of(table.indicator, year)
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
