"""The published run's need for places per statistical district in one projected year, one
scenario and one Kita demand quota, as the projection's overview page shows it: children under
3 and from 3 to 5 (median and 80 % interval), Kita places, need and the probability of a
shortfall; primary-school entrants and entry classes; people in need of care.

Everything is read from the stored arrays (``quantiles_of``, ``need_of``); nothing is summed
across districts, as quantiles do not add up.
"""

from dataclasses import dataclass

import numpy as np

from indicators.presenters import shown
from projections.catalogue import DEFAULT_SCENARIO
from projections.selectors import need_of, quantiles_of

DEFAULT_YEAR = 2030
DEFAULT_QUOTA = 45  # per cent; the nearest of the run's quotas to NRW's 47.8 % of 2022
# Quantile positions in ``projections.model.QUANTILES``: q10, median, q90.
LOW, MEDIAN, HIGH = 1, 3, 5


@dataclass(frozen=True)
class Spread:
    """A projected count: median and 80 % interval."""

    median: float
    low: float
    high: float


@dataclass(frozen=True)
class DistrictNeed:
    code: str
    name: str
    small: bool  # under 5,000 inhabitants in the base year: a rough projection
    under_three: Spread
    three_to_five: Spread
    places: int | None  # Kita places at the end of the base year; None where unknown
    kita_need: float  # median of the places needed at the quota
    shortfall: float | None  # probability (0–1) that the need exceeds the places
    entrants: float
    entry_classes: int
    care: float  # people in need of care, constant rates
    care_rising: float  # rising rates


@dataclass(frozen=True)
class Choice:
    """What the overview shows: a projected year, a scenario and a Kita quota (per cent)."""

    year: int
    scenario: str
    quota: int


def probability_text(value: float | None) -> str:
    """A shortfall probability as shown: in whole per cent, but never 0 or 100 %. It is the
    share of a finite number of simulations (50 in the demo), which cannot show an event to be
    impossible or certain."""
    if value is None:
        return "–"
    percent = value * 100
    if percent < 0.5:
        return "< 1 %"
    if percent > 99.5:
        return "> 99 %"
    return f"{shown(percent, 0)} %"


def quotas_of(run) -> list[int]:
    """The run's Kita demand quotas in per cent."""
    return [round(q * 100) for q in run.result.axes["kita_quotas"]]


def default_choice(run) -> Choice:
    """2030 (or the run's nearest year), trend, 45 % (or the run's nearest quota)."""
    axes = run.result.axes
    year = min(axes["years"], key=lambda y: (abs(y - DEFAULT_YEAR), y))
    scenario = DEFAULT_SCENARIO if DEFAULT_SCENARIO in axes["scenarios"] else axes["scenarios"][0]
    quota = min(quotas_of(run), key=lambda q: (abs(q - DEFAULT_QUOTA), q))
    return Choice(year, scenario, quota)


def _spread(values: np.ndarray) -> Spread:
    return Spread(float(values[MEDIAN]), float(values[LOW]), float(values[HIGH]))


def district_needs(run, choice: Choice) -> list[DistrictNeed]:
    """One row per statistical district of the run, in the run's order."""
    axes = run.result.axes
    s = axes["scenarios"].index(choice.scenario)
    h = axes["years"].index(choice.year)
    q = quotas_of(run).index(choice.quota)
    quantiles = quantiles_of(run.result)[s, h]  # (area, group, quantile)
    arrays = need_of(run.result)
    groups = axes["groups"]
    variants = axes["care_variants"]
    rows = []
    for d, places in enumerate(axes["kita_places"]):
        _level, code, name = axes["areas"][d]
        shortfall = float(arrays["kita_shortfall"][s, q, h, d])
        rows.append(
            DistrictNeed(
                code=code,
                name=name,
                small=bool(axes["small"][d]),
                under_three=_spread(quantiles[d, groups.index("0-2")]),
                three_to_five=_spread(quantiles[d, groups.index("3-5")]),
                places=places,
                kita_need=float(arrays["kita_need"][s, q, h, d]),
                shortfall=None if np.isnan(shortfall) or places is None else shortfall,
                entrants=float(arrays["entrants"][s, h, d]),
                entry_classes=int(arrays["entry_classes"][s, h, d]),
                care=float(arrays["care"][s, variants.index("konstant"), h, d]),
                care_rising=float(arrays["care"][s, variants.index("steigend"), h, d]),
            )
        )
    return rows
