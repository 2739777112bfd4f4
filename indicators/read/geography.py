"""The districts of a year, the overlaps among them, and the published observations."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from districts.models import District, Level, Overlap

from .. import stats
from ..models import Observation
from ..stats import Cell


@dataclass
class _District:
    id: int
    code: str
    name: str
    level: str
    rank: int
    area_km2: float


@dataclass
class Geography:
    """Districts valid at the end of a year and the overlaps among them."""

    districts: dict[int, _District]
    # target district id → [(source district id, weight)]
    parts: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    # What the read path works out from the districts and overlaps alone, the same for every
    # indicator of the year (indicators.read.rollup): filled as asked for, never changed.
    derived: dict = field(default_factory=dict, repr=False, compare=False)


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def of_year(year: int) -> Geography:
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
    return Geography(districts, dict(parts))


def raw_cells(
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


def districts_in_year(*, level: Level, year: int):
    return District.objects.valid_on(_year_end(year)).filter(level=level)


def weight_bases(*, target: District, year: int) -> dict[tuple[str, str], str]:
    """(level, code) of each district a roll-up into ``target`` draws on → what its weight
    is a share of: "population" where the overlap's population share is known, else "area"
    (the choice ``of_year`` makes)."""
    rows = Overlap.objects.filter(
        target=target, source__in=District.objects.valid_on(_year_end(year))
    ).values_list("source__level__slug", "source__code", "population_share")
    return {(level, code): "area" if share is None else "population" for level, code, share in rows}
