"""An indicator's projected years beside its observed series: the published run's calibrated
quantiles of the indicator's planning age group, per area, for the time series of the API,
the map's chart and the profiles.

The quantiles are shown as they are stored: those of different areas or groups never add up.
"""

from dataclasses import dataclass

import numpy as np
from django.urls import reverse

from core.http import BadParameter
from core.params import Param
from projections.catalogue import DEFAULT_SCENARIO, QUANTILE_FIELDS, projected_group
from projections.model import SCENARIOS
from projections.selectors import published_run, quantiles_of

SCENARIO = Param(
    "scenario",
    "scenario of the published population projection (default: trend); the projected "
    "years of an indicator the projection continues",
    enum=tuple(s.slug for s in SCENARIOS),
    example=DEFAULT_SCENARIO,
    default=DEFAULT_SCENARIO,
)
# The series' key of the city, beside the districts' codes (indicators' time_series).
CITY_KEY = "stadt"
CITY_LEVEL = "stadt"


def scenario_of(run, scenario: str | None) -> str:
    """The scenario asked for (default trend); BadParameter (400) where the published run has
    no such scenario, listing the ones it has."""
    scenario = scenario or DEFAULT_SCENARIO
    known = run.result.axes["scenarios"] if run is not None else [s.slug for s in SCENARIOS]
    if scenario not in known:
        listed = ", ".join(known)
        raise BadParameter(
            "scenario",
            f"„scenario“: unbekanntes Szenario {scenario}; möglich sind {listed} / "
            f"'scenario': unknown scenario {scenario}; known are {listed}",
        )
    return scenario


@dataclass(frozen=True)
class Projected:
    """One run's quantiles of one group and scenario: (year, area, quantile)."""

    run: object
    scenario: str
    years: list[int]
    areas: list[list[str]]  # [level, code, name]
    small: list[bool]
    values: np.ndarray

    def index_of(self, level: str, code: str) -> int | None:
        for i, (area_level, area_code, _name) in enumerate(self.areas):
            if area_level == level and area_code == code:
                return i
        return None

    def points(self, index: int, decimals: int) -> list[dict]:
        """The quantiles of one area year by year, rounded to ``decimals``."""
        rows = np.round(self.values[:, index, :].astype(np.float64), decimals)
        return [
            {"year": year, **dict(zip(QUANTILE_FIELDS, map(_number, row), strict=True))}
            for year, row in zip(self.years, rows, strict=True)
        ]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def projected(*, indicator: str, scenario: str | None = None, run=None) -> Projected | None:
    """The published run's quantiles of the indicator's planning age group in a scenario;
    None where the indicator is not projected or no run is published. BadParameter for a
    scenario the run does not have."""
    run = run or published_run()
    scenario = scenario_of(run, scenario)
    group = projected_group(indicator)
    if run is None or group is None:
        return None
    axes = run.result.axes
    if group not in axes["groups"]:
        return None
    values = quantiles_of(run.result)[
        axes["scenarios"].index(scenario), :, :, axes["groups"].index(group), :
    ]
    return Projected(run, scenario, axes["years"], axes["areas"], axes["small"], values)


def projection_series(
    *, indicator: str, level: str, codes: list[str], decimals: int = 0, scenario=None
) -> dict | None:
    """The "projection" of /api/v1/series: the quantiles of the areas ``codes`` of ``level``
    (and of the city, under ``stadt``), or None where the indicator is not projected, no run
    is published or the run has no area of the level."""
    found = projected(indicator=indicator, scenario=scenario)
    if found is None or not any(area[0] == level for area in found.areas):
        return None
    wanted = [(code, found.index_of(level, code)) for code in codes]
    city = next((i for i, area in enumerate(found.areas) if area[0] == CITY_LEVEL), None)
    if city is not None:
        wanted.append((CITY_KEY, city))
    shown = [(code, i) for code, i in wanted if i is not None]
    return {
        **projection_dict(found),
        "series": {code: found.points(i, decimals) for code, i in shown},
        "small": {code: bool(found.small[i]) for code, i in shown},
    }


def projection_dict(found: Projected) -> dict:
    """What a projected number says of itself: the run, its scenarios, demo or not, and where
    its method and its track record are explained."""
    run = found.run
    return {
        "run": run.pk,
        "base_year": run.base_year,
        "scenario": found.scenario,
        "scenarios": list(run.result.axes["scenarios"]),
        "is_demo": run.is_demo,
        "method_url": reverse("projection-method"),
        "accuracy_url": reverse("projection-accuracy"),
    }
