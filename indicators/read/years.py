"""What is published for an indicator: its years, the levels it has values on, and when it
was last updated; computed and supply indicators answer for what they are computed from."""

import datetime
from collections import defaultdict

from django.db.models import Max

from districts.models import Level

from .. import social_index, stats
from ..models import FACILITY_COMPUTATIONS, Indicator, Observation
from .memo import kept
from .social import complete, core_indicators
from .supply_cells import supplies


def published_years(*, as_of: datetime.datetime | None = None) -> list[int]:
    observations = Observation.objects.published(as_of=as_of)
    return sorted(observations.values_list("year", flat=True).distinct())


def last_update(indicator: Indicator) -> datetime.datetime | None:
    """When values of the indicator (or of what it is computed from) were last published."""
    ids = [indicator.id]
    if indicator.computation in FACILITY_COMPUTATIONS:
        ids = [served.id for _, served in supplies([indicator]).values() if served is not None]
    elif indicator.computation:
        ids = [i.id for i in core_indicators()]
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
        kept(key, lambda: tuple(_available_years(indicator, level, with_values, as_of)), as_of)
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
    facility_type, served = supplies([indicator])[indicator.id]
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
    core = core_indicators()
    if not complete(core):
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
    return kept(("levels",), _indicator_levels, None)


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
    core = core_indicators()
    computed = Indicator.objects.exclude(computation="")
    if core and core[0].id in finest:
        finest_level = [slug for slug, rank in levels if rank == finest[core[0].id]]
        for indicator in computed.exclude(computation__in=FACILITY_COMPUTATIONS):
            result[indicator.id] = finest_level
    for indicator in computed.filter(computation__in=FACILITY_COMPUTATIONS):
        result[indicator.id] = [slug for slug, _ in levels]
    return result
