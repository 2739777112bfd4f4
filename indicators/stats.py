"""Pure statistics for the read path: roll-up, primary disclosure control, intervals.

Secondary disclosure control (complements and their audit) is in ``disclosure`` and
``suppression``.

Nothing here touches the database, so every rule can be tested with numbers written by hand.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy.special import gammaincinv

SECRET = "."  # DIN 55301: Zahlenwert unbekannt oder geheim zu halten
NOT_APPLICABLE = "x"  # DIN 55301: Tabellenfach gesperrt, weil Aussage nicht sinnvoll
WITH_VALUE = frozenset({"normal", "provisional", "estimated"})
Z95 = 1.959963984540054

# Why a cell shows no number although the source had one.
DISCLOSURE = "disclosure"  # primary or secondary suppression
NOT_ROLLABLE = "not_rollable"  # indices and medians are not summed up
INCOMPLETE = "incomplete"  # a part of the roll-up has no value


@dataclass(frozen=True)
class Cell:
    """A value as delivered or derived; ``status`` is a DIN 55301 symbol where none is shown."""

    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    reason: str = ""

    @property
    def has_value(self) -> bool:
        return self.status in WITH_VALUE and self.value is not None

    @property
    def suppressed(self) -> bool:
        return self.reason == DISCLOSURE


def withheld(cell: Cell) -> Cell:
    return Cell(None, None, None, SECRET, DISCLOSURE)


def case_count(
    cell: Cell, *, kind: str, factor: float = 1, denominator_is_count: bool = True
) -> float | None:
    """The smallest number of persons or cases behind a cell, which disclosure control checks.

    A count's value; a rate's numerator (derived from value and denominator where it was not
    delivered), or its denominator where that is smaller and counts persons too; a mean's
    denominator (the persons averaged over). Negative numerators are balances (net
    migration), not cases; areas (density) are not cases either.
    """
    if not cell.has_value:
        return None
    if kind == "count":
        return cell.value
    numerator = cell.numerator
    if kind == "rate" and numerator is None and cell.denominator is not None:
        numerator = cell.value * cell.denominator / factor
    candidates = []
    if kind == "rate" and numerator is not None and numerator >= 0:
        candidates.append(numerator)
    if kind in ("rate", "mean") and denominator_is_count and cell.denominator is not None:
        candidates.append(cell.denominator)
    return min(candidates) if candidates else None


def is_below_threshold(
    cell: Cell, *, kind: str, threshold: int, factor: float = 1, denominator_is_count: bool = True
) -> bool:
    cases = case_count(cell, kind=kind, factor=factor, denominator_is_count=denominator_is_count)
    return cases is not None and cases < threshold


def roll_up(parts: Iterable[tuple[Cell, float]], *, kind: str, factor: float) -> Cell:
    """Combine cells weighted by the share of each that lies in the target area.

    Counts sum; rates are Σ numerator / Σ denominator × factor (never a mean of rates);
    means are weighted by their denominators. Indices and medians are not rolled up.
    """
    parts = list(parts)
    if kind not in ("count", "rate", "mean"):
        return Cell(None, None, None, NOT_APPLICABLE, NOT_ROLLABLE)
    if not parts:
        return Cell(None, None, None, SECRET, INCOMPLETE)
    missing = [cell for cell, _ in parts if not cell.has_value]
    if missing:
        symbols = {cell.status for cell in missing}
        # Parts that all wait for the same thing (e.g. "...") pass it on; a mixture is unknown.
        if len(missing) == len(parts) and len(symbols) == 1:
            return Cell(None, None, None, symbols.pop(), INCOMPLETE)
        return Cell(None, None, None, SECRET, INCOMPLETE)
    status = _weakest_status(cell.status for cell, _ in parts)
    if kind == "count":
        return Cell(sum(cell.value * w for cell, w in parts), None, None, status)
    numerator = denominator = 0.0
    for cell, weight in parts:
        if cell.denominator is None:
            return Cell(None, None, None, SECRET, INCOMPLETE)
        part_numerator = cell.numerator
        if part_numerator is None:  # a mean delivered without its sum
            part_numerator = cell.value * cell.denominator / (factor if kind == "rate" else 1)
        numerator += part_numerator * weight
        denominator += cell.denominator * weight
    if denominator <= 0:
        return Cell(None, None, None, SECRET, INCOMPLETE)
    value = numerator / denominator * (factor if kind == "rate" else 1)
    return Cell(value, numerator, denominator, status)


def _weakest_status(statuses: Iterable[str]) -> str:
    order = ["normal", "provisional", "estimated"]
    return max(statuses, key=order.index)


# --- confidence intervals ----------------------------------------------------------------


def wilson_interval(successes: float, trials: float, *, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (as a fraction)."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def garwood_interval(count: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count."""
    alpha = 1 - confidence
    # χ²(2k) quantile / 2 is the Gamma(k, 1) quantile: the regularised incomplete gamma
    # function inverted, without scipy.stats' per-call overhead.
    lower = 0.0 if count <= 0 else float(gammaincinv(count, alpha / 2))
    upper = float(gammaincinv(count + 1, 1 - alpha / 2))
    return lower, upper


def confidence_interval(
    cell: Cell, *, kind: str, is_proportion: bool, factor: float, denominator_is_count: bool = True
) -> tuple[float, float] | None:
    """95 % interval of a rate: Wilson for proportions, Garwood for events per population.

    Rates over something other than people (density per km²) get none.
    """
    if kind != "rate" or not cell.has_value or not denominator_is_count:
        return None
    if cell.numerator is None or cell.denominator is None or cell.numerator < 0:
        return None
    if is_proportion:
        low, high = wilson_interval(cell.numerator, cell.denominator)
    else:
        low, high = garwood_interval(cell.numerator)
        low, high = low / cell.denominator, high / cell.denominator
    return low * factor, high * factor


def compare(interval: tuple[float, float] | None, reference: float | None) -> str | None:
    """ "above"/"below" where the interval excludes the reference, else "not_different"."""
    if interval is None or reference is None:
        return None
    low, high = interval
    if low > reference:
        return "above"
    if high < reference:
        return "below"
    return "not_different"


def judge(comparison: str | None, polarity: str) -> str | None:
    """Turn a significant difference into "better"/"worse" by the indicator's polarity."""
    if comparison not in ("above", "below") or polarity == "neutral":
        return None
    higher_is_better = polarity == "higher_better"
    return "better" if (comparison == "above") == higher_is_better else "worse"


def difference_interval(
    start: float, start_interval: tuple[float, float], end: float, end_interval: tuple[float, float]
) -> tuple[float, float]:
    """95 % interval of ``end`` − ``start`` from the two values' own intervals (MOVER, Zou and
    Donner 2008): with Wilson limits it is Newcombe's hybrid score interval for a difference
    of proportions, with Garwood limits the like for rates per population. The two years are
    taken as independent samples; where they share people the interval is wider than need be,
    so a change judged significant is so all the more."""
    (low_1, high_1), (low_2, high_2) = start_interval, end_interval
    difference = end - start
    below = math.sqrt((end - low_2) ** 2 + (high_1 - start) ** 2)
    above = math.sqrt((high_2 - end) ** 2 + (start - low_1) ** 2)
    return difference - below, difference + above
