"""The composite social index, computed from published core indicators, never uploaded.

Method (after the Berlin "Monitoring Soziale Stadtentwicklung"): each core indicator is
standardised across the districts of a level (z = (x − mean) / standard deviation, the
population standard deviation over districts with a value); the status index is the mean of
the z-values of a district's core indicators in a year, the dynamics index the mean of the
z-values of their changes over the preceding years. Higher values mean a more
disadvantaged district (status) or a worsening one (dynamics); the district mean is 0.
A district without a published value for every core indicator gets no index, so the index
never rests on a value withheld by disclosure control.
"""

import math
from collections.abc import Hashable, Mapping

# Core indicators (slugs) and the span of the dynamics index, as in the Berlin monitoring.
CORE_INDICATORS = ("arbeitslosenanteil", "sgb-ii-quote", "kinderarmut", "grundsicherung-im-alter")
DYNAMICS_YEARS = 2
# Why a district has no index: a core indicator has no published value there.
INCOMPLETE_CORE = "core_incomplete"


def standardise(values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """z-values across the given districts; all 0 where the values do not vary."""
    if not values:
        return {}
    mean = sum(values.values()) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values.values()) / len(values))
    return {key: (v - mean) / sd if sd > 0 else 0.0 for key, v in values.items()}


def status_index(core: Mapping[str, Mapping[Hashable, float]]) -> dict[Hashable, float]:
    """Mean z-value over the core indicators, for districts that have all of them."""
    if not core:
        return {}
    complete = set.intersection(*(set(values) for values in core.values()))
    z = {slug: standardise({k: v for k, v in values.items() if k in complete})
         for slug, values in core.items()}  # fmt: skip
    return {key: sum(z[slug][key] for slug in core) / len(core) for key in complete}


def dynamics_index(
    start: Mapping[str, Mapping[Hashable, float]], end: Mapping[str, Mapping[Hashable, float]]
) -> dict[Hashable, float]:
    """Status-style index of the changes between two years."""
    changes = {
        slug: {k: end[slug][k] - start[slug][k] for k in end[slug].keys() & start[slug].keys()}
        for slug in end.keys() & start.keys()
    }
    return status_index(changes)


# The groups of the Berlin monitoring, by the index standardised again across the districts
# (higher = more disadvantaged, or worsening): status "hoch" below −1, "mittel" up to +1,
# "niedrig" up to +1.5, "sehr niedrig" above; dynamics "positiv" below −1, "stabil" up to +1,
# "negativ" above. Ordered from the most favourable group to the least.
STATUS_GROUPS = ("high", "medium", "low", "very_low")
DYNAMICS_GROUPS = ("positive", "stable", "negative")


def status_group(z: float) -> str:
    if z < -1:
        return "high"
    if z < 1:
        return "medium"
    return "low" if z < 1.5 else "very_low"


def dynamics_group(z: float) -> str:
    if z < -1:
        return "positive"
    return "stable" if z <= 1 else "negative"
