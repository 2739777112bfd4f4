"""A Stadtbezirk's outlook from the published run, for its fact sheet: inhabitants and the
children's planning groups in the base year and 5 and 10 years on (median, 80 % interval),
beside the city; the Kita need of its statistical districts; the series of children under 3
from the register continued by the projection (the fan).

The base year and the earlier years are the register's counts the run started from, stored
with the run and rolled up to the Bezirk with the run's weights (a district lying partly in it
counts with its share, as in the atlas's values), so that the projected years continue them.
A register imported since changes nothing here until a run computed from it is published.
"""

from dataclasses import dataclass

import numpy as np

from projections.model import GROUPS
from projections.overview import Choice, DistrictNeed, Spread, default_choice, district_needs
from projections.selectors import quantiles_of
from projections.services.runs import LEVEL

# The groups the fact sheet shows, in its order, and the years ahead of the base year.
SHOWN_GROUPS = ("total", "0-2", "3-5", "6-9")
HORIZONS = (5, 10)
FAN_GROUP = "0-2"
LOW, MEDIAN, HIGH = 1, 3, 5


@dataclass(frozen=True)
class GroupRow:
    group: str
    base: int  # in the base year, from the register
    ahead: list[Spread | None]  # one per horizon; None beyond the run


@dataclass(frozen=True)
class Outlook:
    run: object
    choice: Choice  # the year, scenario and quota of the districts' Kita need
    years: list[int]  # the base year + each horizon
    bezirk: list[GroupRow]
    city: list[GroupRow]
    districts: list[DistrictNeed]
    small: list[str]  # names of the Bezirk's districts flagged small
    # The fan: the Bezirk's children under 3 by register year, then the projected quantiles.
    observed_years: list[int]
    observed: list[float]
    projected_years: list[int]
    quantiles: list[list[float]]


def _spread(values: np.ndarray) -> Spread:
    return Spread(float(values[MEDIAN]), float(values[LOW]), float(values[HIGH]))


def _rows(run, area: int, base: np.ndarray, scenario: int) -> list[GroupRow]:
    axes = run.result.axes
    stored = quantiles_of(run.result)
    names = [name for name, _low, _high in GROUPS]
    rows = []
    for group in SHOWN_GROUPS:
        g = axes["groups"].index(group)
        ahead = []
        for horizon in HORIZONS:
            year = run.base_year + horizon
            inside = year in axes["years"]
            ahead.append(
                _spread(stored[scenario, axes["years"].index(year), area, g]) if inside else None
            )
        rows.append(GroupRow(group, round(float(base[names.index(group)])), ahead))
    return rows


def bezirk_outlook(*, run, bezirk_code: str, scenario: str | None = None) -> Outlook | None:
    """The outlook of a Stadtbezirk in a scenario of ``run`` (default: the overview's choice);
    None where the run has no such Bezirk or was computed before runs kept their counts."""
    axes = run.result.axes
    areas = [tuple(area[:2]) for area in axes["areas"]]
    if ("stadtbezirk", bezirk_code) not in areas:
        return None
    observed = axes.get("observed")
    if not observed:  # computed before runs kept what they started from
        return None
    counts = np.array(observed["counts"], dtype=float)  # (Y, A, G)
    choice = default_choice(run)
    if scenario is not None:
        choice = Choice(choice.year, scenario, choice.quota)
    s = axes["scenarios"].index(choice.scenario)
    bezirk_area = areas.index(("stadtbezirk", bezirk_code))
    city_area = next(i for i, (level, _code) in enumerate(areas) if level == "stadt")
    bezirk_counts, city_counts = counts[:, bezirk_area], counts[:, city_area]
    bezirke = [code for level, code in areas if level == "stadtbezirk"]
    shares = np.array(observed["bezirk_of"])[:, bezirke.index(bezirk_code)]
    district_codes = [code for level, code in areas if level == LEVEL]
    inside = [code for code, share in zip(district_codes, shares, strict=True) if share > 0]
    needs = [n for n in district_needs(run, choice) if n.code in inside]
    fan_group = axes["groups"].index(FAN_GROUP)
    names = [name for name, _low, _high in GROUPS]
    return Outlook(
        run=run,
        choice=choice,
        years=[run.base_year + h for h in (0, *HORIZONS)],
        bezirk=_rows(run, bezirk_area, bezirk_counts[-1], s),
        city=_rows(run, city_area, city_counts[-1], s),
        districts=needs,
        small=[n.name for n in needs if n.small],
        observed_years=observed["years"],
        observed=[float(v) for v in bezirk_counts[:, names.index(FAN_GROUP)]],
        projected_years=list(axes["years"]),
        quantiles=quantiles_of(run.result)[s, :, bezirk_area, fan_group].astype(float).tolist(),
    )
