"""Findings on where things are: how the city's cases concentrate in the areas with the
highest rates, where supply is scarcest against the group it serves, and which areas lie
mostly outside the reach of a type of facility.

Every figure comes from published numbers only: a share of the city's cases is the sum of
published numerators over the city's published numerator; a rank is a rank among the areas
with a published value, and the sentence says so whenever an area has none, so that no
claim of "the highest" bounds a withheld cell.
"""

import datetime

from django.utils.translation import gettext as _

from districts.models import District, Level
from facilities.models import FacilityType
from facilities.selectors import MAX_DISTANCE, MIN_DISTANCE, catchment
from indicators import stats
from indicators.models import Indicator
from indicators.selectors import level_values

from .finding import (
    Finding,
    areas_dative,
    areas_word,
    chosen,
    listed,
    marks,
    not_published,
    number,
    percent,
    published,
    unstated,
    value,
    view_url,
    written,
)

# The distance the map's catchment opens on (static/atlas/js/facilities.js).
DEFAULT_DISTANCE = 500
# An area counts as outside the reach of a type where less of it than this lies within the
# distance of one.
REACH_SHARE = 0.5
SUPPLY_COMPUTATIONS = (
    Indicator.Computation.FACILITY_PLACES,
    Indicator.Computation.FACILITY_PERSONS,
)


def concentration(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    within: District | None,
    as_of: datetime.datetime | None,
    top: int,
    **_ignored,
) -> list[Finding]:
    """The share of the city's cases (a rate's numerator) in the ``top`` areas with the
    highest rate, and the share of the group they are counted in (its denominator)."""
    if indicator.kind != Indicator.Kind.RATE or indicator.computation:
        return []
    values = level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    city = values.city
    if not published(city) or not city.cell.numerator or city.cell.numerator <= 0:
        return []
    ranked = sorted(
        (
            a
            for a in values.areas
            if published(a) and a.cell.numerator is not None and a.cell.numerator >= 0
        ),
        key=lambda a: (-a.cell.value, a.code),
    )
    count = min(top, len(ranked) - 1)
    if count < 1:
        return []
    chosen_areas = ranked[:count]
    cases = sum(a.cell.numerator for a in chosen_areas)
    denominators = [a.cell.denominator for a in chosen_areas]
    group = None
    if indicator.denominator_is_count and city.cell.denominator and None not in denominators:
        group = sum(denominators) / city.cell.denominator
    approximate = any(a.approximate for a in chosen_areas)
    left_out = unstated(values.areas)

    def render() -> str:
        among = (
            _("%(count)s von %(areas)s") % {
                "count": count, "areas": areas_dative(level, len(values.areas))
            }
            if not left_out
            else _("%(count)s der %(areas)s mit veröffentlichtem Wert") % {
                "count": count, "areas": areas_word(level, len(ranked))
            }
        )  # fmt: skip
        sentence = _(
            "%(indicator)s %(year)s: %(share)s der Fälle in der Stadt („%(cases)s“: %(part)s "
            "von %(whole)s) entfallen auf %(among)s, die mit den höchsten Werten: %(areas)s."
        ) % {
            "indicator": indicator.name,
            "year": year,
            "share": percent(cases / city.cell.numerator, approximate=approximate),
            "cases": indicator.numerator or indicator.short_name,
            "part": number(cases, 0, approximate=approximate),
            "whole": number(city.cell.numerator, 0),
            "among": among,
            "areas": listed([f"{a.name} ({value(a, indicator)})" for a in chosen_areas]),
        }
        if group is not None and indicator.denominator:
            sentence += " " + _("Auf sie entfallen %(share)s der Bezugsgruppe („%(group)s“).") % {
                "share": percent(group, approximate=approximate),
                "group": indicator.denominator,
            }
        return sentence + not_published(level, left_out) + marks([city, *chosen_areas])

    codes = [a.code for a in chosen_areas]
    url = view_url(
        indicator=indicator, level=level, year=year, within=within, as_of=as_of,
        sel=chosen(codes), chart="ranking",
    )  # fmt: skip
    return [written("concentration", render, url, codes)]


def supply(
    *,
    indicator: Indicator,
    level: Level,
    year: int,
    within: District | None,
    as_of: datetime.datetime | None,
    top: int,
    **_ignored,
) -> list[Finding]:
    """The ``top`` areas with the scarcest supply of a type against the group it serves:
    the fewest places per 100 of the group, or the most people per facility."""
    if indicator.computation not in SUPPLY_COMPUTATIONS:
        return []
    values = level_values(indicator=indicator, level=level, year=year, within=within, as_of=as_of)
    stated = [a for a in values.areas if published(a)]
    # People per facility where there is none: "x" in the table, and the scarcest supply.
    without = [
        a
        for a in values.areas
        if indicator.computation == Indicator.Computation.FACILITY_PERSONS
        and a.cell is not None
        and a.cell.status == stats.NOT_APPLICABLE
    ]
    if len(stated) < 2:
        return []
    scarce_low = indicator.polarity == Indicator.Polarity.HIGHER_BETTER
    stated.sort(key=lambda a: (a.cell.value if scarce_low else -a.cell.value, a.code))
    scarcest = stated[: min(top, len(stated) - 1)]
    left_out = unstated(values.areas) - len(without)
    city = values.city

    def render() -> str:
        among = (
            ""
            if not left_out
            else " " + _("(unter den %(areas)s mit veröffentlichtem Wert)") % {
                "areas": areas_dative(level, len(stated))
            }
        )  # fmt: skip
        template = (
            _("%(indicator)s %(year)s: die niedrigsten Werte%(among)s haben %(areas)s.")
            if scarce_low
            else _("%(indicator)s %(year)s: die höchsten Werte%(among)s haben %(areas)s.")
        )
        sentence = template % {
            "indicator": indicator.name,
            "year": year,
            "among": among,
            "areas": listed([f"{a.name} ({value(a, indicator)})" for a in scarcest]),
        }
        if published(city):
            sentence += " " + _("Stadt: %(value)s.") % {"value": value(city, indicator)}
        if without:
            sentence += " " + _("Ohne eine Einrichtung dieses Typs: %(areas)s.") % {
                "areas": listed([a.name for a in without])
            }
        return sentence + not_published(level, left_out) + marks([city, *scarcest])

    codes = [a.code for a in [*without, *scarcest]]
    url = view_url(
        indicator=indicator, level=level, year=year, within=within, as_of=as_of,
        angebote=indicator.facility_type, sel=chosen(codes), chart="ranking",
    )  # fmt: skip
    return [written("supply", render, url, codes)]


def reach(
    *,
    facility_type: FacilityType,
    level: Level,
    year: int,
    within: District | None,
    distance: float | None,
    as_of: datetime.datetime | None,
    **_ignored,
) -> list[Finding]:
    """Areas of which less than half lies within ``distance`` metres of a facility of the
    type open at the end of ``year``, the least reached first. The facility register has no
    releases: the catchment is that of the register now, whatever ``as_of``."""
    metres = DEFAULT_DISTANCE if distance is None else distance
    if not MIN_DISTANCE <= metres <= MAX_DISTANCE:
        return []
    reaches = catchment(
        facility_type=facility_type, distance=metres, level=level, year=year, within=within
    )
    outside = sorted((r for r in reaches if r.share < REACH_SHARE), key=lambda r: (r.share, r.code))
    if not outside:
        return []

    def render() -> str:
        return _(
            "%(type)s %(year)s: in %(areas)s liegt weniger als die Hälfte der Fläche im "
            "Umkreis von %(distance)s m um eine Einrichtung dieses Typs (%(count)s von %(all)s)."
        ) % {
            "type": facility_type.name,
            "year": year,
            "areas": listed([f"{r.name} ({percent(r.share)})" for r in outside]),
            "distance": number(metres, 0),
            "count": len(outside),
            "all": areas_dative(level, len(reaches)),
        }

    codes = [r.code for r in outside]
    url = view_url(
        indicator=None, level=level, year=year, within=within, as_of=as_of,
        erreichbarkeit=facility_type.slug, distanz=str(round(metres)),
    )  # fmt: skip
    return [written("reach", render, url, codes)]
