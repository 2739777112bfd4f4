"""What the atlas finds in its numbers, as sentences in German and English for a report's
findings block, each with the atlas view that shows it.

Kinds (their rules in the modules that compute them):

- ``versus_city``, ``change``, ``trend_turned`` (``findings_values``): significance by the
  read path's 95 % intervals; a change judged by the interval of the difference.
- ``concentration``, ``supply``, ``reach`` (``findings_places``): where the city's cases
  gather, where supply is scarcest, which areas lie mostly beyond a facility's reach.
- ``social_index`` (``findings_social``): status × dynamics groups and changes of group.

All numbers come from the read path (``indicators.selectors``) as published at ``as_of``;
withheld values are never stated, nor anything computed from them; approximate values are
said to be so ("rund") and get no significance verdict. Where there is nothing to state the
answer is an empty list.
"""

import datetime
from collections.abc import Sequence

from districts.models import District, Level
from facilities.models import FacilityType
from indicators.models import Indicator

from . import findings_places, findings_values
from .finding import Finding
from .findings_social import social_index_findings

__all__ = ["KINDS", "Finding", "findings"]

_PER_INDICATOR = {
    "versus_city": findings_values.versus_city,
    "change": findings_values.change,
    "trend_turned": findings_values.trend_turned,
    "concentration": findings_places.concentration,
    "supply": findings_places.supply,
}
KINDS = (*_PER_INDICATOR, "social_index", "reach")


def findings(
    *,
    kind: str,
    indicators: Sequence[Indicator],
    year: int,
    since: int | None = None,
    within: District | None = None,
    as_of: datetime.datetime | None = None,
    level: str = "statistischer-bezirk",
    top: int = 4,
    facility_types: Sequence[str] = (),
    distance: float | None = None,
) -> list[Finding]:
    """The findings of one kind on the indicators in ``year`` on ``level`` (within a
    Stadtbezirk with ``within``; as published at ``as_of``), in the order of the indicators.

    ``since``: the first year of a change, of a trend, of a change of social-index group;
    ``top``: how many areas a concentration or a supply finding names; ``facility_types``
    and ``distance`` (metres): the types and radius of ``reach`` (without types, those of the
    supply indicators given), and further types for ``supply``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of finding: {kind!r}")
    level_obj = Level.objects.get(slug=level)
    common = {"level": level_obj, "year": year, "within": within, "as_of": as_of}
    if kind == "social_index":
        return social_index_findings(indicators=indicators, since=since, **common)
    if kind == "reach":
        slugs = list(facility_types) or [i.facility_type for i in indicators if i.facility_type]
        types = FacilityType.objects.in_bulk(slugs, field_name="slug")
        return [
            finding
            for slug in dict.fromkeys(slugs)
            if slug in types
            for finding in findings_places.reach(
                facility_type=types[slug], distance=distance, **common
            )
        ]
    indicators = list(indicators)
    if kind == "supply" and facility_types:
        known = {i.slug for i in indicators}
        indicators += [
            i
            for i in Indicator.objects.filter(
                facility_type__in=facility_types,
                computation__in=findings_places.SUPPLY_COMPUTATIONS,
            ).order_by("order", "slug")
            if i.slug not in known
        ]
    compute = _PER_INDICATOR[kind]
    return [
        finding
        for indicator in indicators
        for finding in compute(indicator=indicator, since=since, top=top, **common)
    ]
