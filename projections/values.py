"""The projected years of an indicator on the map's read path: the body of /api/v1/values (and
so the published values files and the table downloads) for a year after the published run's
base year, beside the observed years of ``indicators.payloads.values_payload``.

A projected year shows the medians of the run's calibrated quantiles as the values, classified
like observed ones, with every quantile beside them. Areas, names, boundaries and the parts of
a Stadtbezirk are those of the latest observed year up to the base year, the year the run
starts from. Quantiles of different areas never add up; each area's are shown as they are.
"""

import datetime
import functools

from core.http import BadParameter
from core.params import Query
from districts.models import District, Level
from indicators import payloads
from indicators.models import Indicator
from indicators.params import VALUES
from indicators.read import memo
from indicators.selectors import available_years

from .catalogue import DEFAULT_SCENARIO, QUANTILE_FIELDS, projected_group
from .series import SCENARIO, Projected, projected, projection_dict

# A change from an observed count to a median of simulations would read as an observed change;
# the fan chart shows the way from one to the other with its uncertainty.
OBSERVED_CHANGE = (
    "„from“: Veränderungen gibt es nur zwischen beobachteten Jahren, nicht mit einem Jahr der "
    "Vorausberechnung / 'from': changes are shown between observed years only, not with a "
    "projected year"
)
COVERED_LEVEL = (
    "„level“: ein Jahr der Vorausberechnung nur für die Ebenen, die sie rechnet / 'level': a "
    "projected year only for the levels the projection covers"
)


def covers(found: Projected, level: str) -> bool:
    """Whether the run has areas of ``level``."""
    return any(area[0] == level for area in found.areas)


def _quantiles(found: Projected, year: int, level: str, code: str, decimals: int) -> dict | None:
    """An area's quantiles in ``year``, rounded as the indicator's values are."""
    index = found.index_of(level, code)
    if index is None:
        return None
    point = found.points(index, decimals)[found.years.index(year)]
    return {name: point[name] for name in QUANTILE_FIELDS}


def _is_small(found: Projected, level: str, code: str) -> bool:
    index = found.index_of(level, code)
    return index is not None and bool(found.small[index])


def projection_of(indicator: Indicator, scenario: str | None = None) -> Projected | None:
    """The published run's quantiles of the indicator in ``scenario`` (default trend), or None
    where it is not projected. Kept per data state: the run's arrays are read once, not on
    every request (a publication or withdrawal changes the state)."""
    if projected_group(indicator.slug) is None:
        return None
    scenario = scenario or DEFAULT_SCENARIO
    build = functools.partial(projected, indicator=indicator.slug, scenario=scenario)
    return memo.kept(("projection", indicator.slug, scenario), build, None)


NOTICE = (
    "Vorausberechnung: Median und Quantile simulierter Verläufe, keine beobachteten Werte / "
    "projection: median and quantiles of simulated trajectories, not observed values"
)


# /api/v1/values with the scenario: the view parses this, the OpenAPI document describes it.
# Where a projected year cannot be shown (a change into it, a level the run does not cover)
# the data decide, which no rule of the parameters can say: the view answers 404 and 400.
VALUES_QUERY = Query(params=(*VALUES.params, SCENARIO), rules=VALUES.rules)


def is_projected_year(found: Projected | None, *, indicator: Indicator, year: int | None) -> bool:
    """Whether ``year`` shows the projection: one of the run's years and no observed one."""
    return (
        found is not None
        and year in found.years
        and year not in available_years(indicator=indicator)
    )


def projected_years(found: Projected | None, level: Level) -> list[int]:
    """The years a map of ``level`` can show projected: none where the run has no area of it."""
    return found.years if found is not None and covers(found, level.slug) else []


def values_payload(
    *,
    indicator: Indicator,
    level: Level,
    year: int | None = None,
    within: District | None = None,
    start: int | None = None,
    method: str | None = None,
    classes: int | None = None,
    breaks: list[float] | None = None,
    as_of: datetime.datetime | None = None,
    scenario: str | None = None,
) -> dict:
    """The body of /api/v1/values: for an observed year that of ``indicators.payloads``, with
    the projected years beside ``years``; for a projected year the medians of ``scenario``
    with their quantiles (``projected_values``). A values map pinned to a release (``as_of``)
    shows observed years only."""
    found = projection_of(indicator, scenario)
    observed = available_years(indicator=indicator, as_of=as_of)
    ahead = [] if as_of is not None else projected_years(found, level)
    ahead_of_data = year is not None and year not in observed and as_of is None
    if ahead_of_data and found is not None and year in found.years:
        _check_projectable(found, level, year, start)
        return projected_values(
            found=found, indicator=indicator, level=level, year=year, within=within,
            method=method, classes=classes, breaks=breaks, observed=observed,
        )  # fmt: skip
    if start is not None and start in ahead:
        raise _no_change(start)
    body = payloads.values_payload(
        indicator=indicator, level=level, year=year, within=within, start=start,
        method=method, classes=classes, breaks=breaks, as_of=as_of,
    )  # fmt: skip
    return {**body, "projected_years": ahead, "projection": None}


def _check_projectable(found: Projected, level: Level, year: int, start: int | None) -> None:
    if not covers(found, level.slug):
        levels = ", ".join(dict.fromkeys(area[0] for area in found.areas))
        raise BadParameter("level", f"{COVERED_LEVEL} ({year}: {levels}; nicht/not {level.slug})")
    if start is not None:
        raise _no_change(start)


def _no_change(start: int) -> BadParameter:
    # Not published, as a year without values: no change between a count and a projection.
    return BadParameter("from", f"{OBSERVED_CHANGE} ({start})", 404)


def projected_values(
    *,
    found: Projected,
    indicator: Indicator,
    level: Level,
    year: int,
    within: District | None,
    method: str | None,
    classes: int | None,
    breaks: list[float] | None,
    observed: list[int],
) -> dict:
    """The map's body for a projected year: the areas of the latest observed year up to the
    base year, each with the median as its value and the quantiles beside it."""
    shown = [y for y in observed if y <= found.run.base_year] or observed
    method = method or indicator.classification_method
    k = classes or indicator.classification_classes
    if method == "manual" and breaks is None and indicator.classification_breaks:
        breaks = indicator.classification_breaks
    VALUES.check({"from": None, "year": year, "method": method, "breaks": breaks})
    breaks = breaks if method == "manual" else None
    base = payloads.values_payload(
        indicator=indicator, level=level, year=shown[-1], within=within, method=method,
        classes=classes, breaks=breaks,
    )  # fmt: skip
    decimals = indicator.decimals
    rows = [
        {**_row(found, level.slug, row, year, decimals), "share_inside": row["share_inside"]}
        for row in base["values"]
    ]
    city = base["city"] and _row(found, "stadt", base["city"], year, decimals)
    bezirk = base["within_value"]
    inside = bezirk and _row(found, "stadtbezirk", bezirk, year, decimals)
    shown_classes, class_of = payloads.classified(
        rows, indicator=indicator, method=method, k=k, breaks=breaks
    )
    return {
        **base,
        "year": year,
        "from": None,
        "years": observed,
        "projected_years": found.years,
        "is_demo": indicator.is_demo or found.run.is_demo,
        "notice": " · ".join(filter(None, [base["notice"], NOTICE])),
        "classes": shown_classes,
        "city": city,
        "within_value": inside,
        "values": [{**r, "class": class_of.get(r["code"])} for r in rows],
        "projection": {
            **projection_dict(found),
            # The areas and boundaries shown are this observed year's.
            "areas_year": shown[-1],
        },
    }


def _row(found: Projected, level: str, observed: dict, year: int, decimals: int) -> dict:
    """An area's projected row: the median as its value, the quantiles beside it, no count,
    interval or comparison of the observed statistics (they do not apply to a projection)."""
    quantiles = _quantiles(found, year, level, observed["code"], decimals)
    return {
        "code": observed["code"],
        "name": observed["name"],
        "value": quantiles["median"] if quantiles else None,
        "numerator": None,
        "denominator": None,
        "status": "normal" if quantiles else None,
        "reason": None,
        "ci_low": None,
        "ci_high": None,
        "comparison": None,
        "verdict": None,
        "approximate": False,
        "sources": [],
        "ignored_sources": [],
        **(quantiles or dict.fromkeys(QUANTILE_FIELDS)),
        "projected": True,
        # Fewer than about 5,000 inhabitants in the base year: a rough projection.
        "small": _is_small(found, level, observed["code"]),
    }
