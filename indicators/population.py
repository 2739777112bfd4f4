"""Population counts from the published observations, for the crosswalk's population shares
(``districts.services.population.compute_population_shares`` takes them as plain numbers)."""

import datetime

from districts.models import District, Level

from .models import Observation


def fine_populations(*, fine_level: Level, indicator_slug: str, year: int) -> dict[int, float]:
    """Published population counts of a level's districts for a year (31 Dec)."""
    day = datetime.date(year, 12, 31)
    observations = (
        Observation.objects.published()
        .filter(
            indicator__slug=indicator_slug,
            year=year,
            district__in=District.objects.valid_on(day).filter(level=fine_level),
        )
        .latest_per_key()
        .values_list("district_id", "value")
    )
    return {district_id: value for district_id, value in observations if value is not None}
