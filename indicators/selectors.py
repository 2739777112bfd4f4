"""The read path: every public output (map, API, pages, downloads) gets its values from here.

It applies release visibility (published releases only, the newest one winning) and
disclosure control; nothing else queries observations for display.
"""

import datetime
from dataclasses import dataclass

from districts.models import District, Level

from .models import Indicator, Observation
from .stats import Cell, protect

CITY_LEVEL = "stadt"


@dataclass(frozen=True)
class AreaValue:
    district_id: int
    code: str
    name: str
    cell: Cell | None  # None: no observation published for this area and year


@dataclass(frozen=True)
class LevelValues:
    indicator: Indicator
    level: Level
    year: int
    areas: list[AreaValue]
    city: AreaValue | None


def _public(indicator: Indicator, year: int, districts) -> dict[int, Cell]:
    observations = (
        Observation.objects.published()
        .filter(indicator=indicator, year=year, district__in=districts)
        .latest_per_key()
        .values_list("district_id", "value", "numerator", "denominator", "status")
    )
    return {
        district_id: protect(
            Cell(value, numerator, denominator, status),
            kind=indicator.kind,
            threshold=indicator.disclosure_threshold,
        )
        for district_id, value, numerator, denominator, status in observations
    }


def districts_in_year(*, level: Level, year: int):
    return District.objects.valid_on(datetime.date(year, 12, 31)).filter(level=level)


def level_values(*, indicator: Indicator, level: Level, year: int) -> LevelValues:
    """Values of one indicator for every district of a level in a year, and the city's."""
    districts = list(districts_in_year(level=level, year=year).only("id", "code", "name"))
    cells = _public(indicator, year, [d.id for d in districts])
    areas = [AreaValue(d.id, d.code, d.name, cells.get(d.id)) for d in districts]
    return LevelValues(indicator, level, year, areas, city_value(indicator=indicator, year=year))


def city_value(*, indicator: Indicator, year: int) -> AreaValue | None:
    """The city's own published observation for the year, if there is one."""
    city = (
        District.objects.valid_on(datetime.date(year, 12, 31))
        .filter(level__slug=CITY_LEVEL)
        .only("id", "code", "name")
        .first()
    )
    if city is None:
        return None
    cell = _public(indicator, year, [city.id]).get(city.id)
    return AreaValue(city.id, city.code, city.name, cell)


def available_years(*, indicator: Indicator, level: Level | None = None) -> list[int]:
    """Years with at least one published observation of the indicator (on the level)."""
    observations = Observation.objects.published().filter(indicator=indicator)
    if level is not None:
        observations = observations.filter(district__level=level)
    return sorted(observations.values_list("year", flat=True).distinct())


def indicator_levels() -> dict[int, list[str]]:
    """For each indicator, the level slugs on which published values exist."""
    pairs = (
        Observation.objects.published()
        .values_list("indicator_id", "district__level__slug")
        .distinct()
    )
    levels: dict[int, list[str]] = {}
    for indicator_id, slug in pairs:
        levels.setdefault(indicator_id, []).append(slug)
    return levels
