"""What every output does to a public value besides writing it down, defined once.

An approximate value (rolled up through levels that do not nest) is an estimate and is
written rounded: the value to the indicator's decimals, its numerator and denominator to
whole numbers, never with all the digits of the weighted sum, from which the parts it was
summed from could be worked back. A statistic collected only every few years says so in the
years between.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from . import units
from .models import Indicator
from .selectors import AreaValue


@dataclass(frozen=True)
class Numbers:
    """The numbers an output writes for an area; None where a symbol stands instead."""

    value: float | None
    numerator: float | None
    denominator: float | None


NONE = Numbers(None, None, None)


def rounded(number: float | None, decimals: int) -> float | None:
    """As the pages show it (units.rounded: half away from zero); None stays None."""
    return None if number is None else units.rounded(number, decimals)


def numbers(area: AreaValue | None, indicator: Indicator) -> Numbers:
    """Value, numerator and denominator of an area as every output writes them."""
    if area is None or not area.has_value:
        return NONE
    cell = area.cell
    if not area.approximate:
        return Numbers(cell.value, cell.numerator, cell.denominator)
    return Numbers(
        rounded(cell.value, indicator.decimals),
        rounded(cell.numerator, 0),
        rounded(cell.denominator, 0),
    )


def survey_interval(years: Iterable[int]) -> int:
    """Years from one survey to the next where a statistic is collected every few years
    (2: every other year); 1 where it is yearly or irregular, or too few years tell."""
    gaps = {b - a for a, b in itertools.pairwise(sorted(set(years)))}
    return gaps.pop() if len(gaps) == 1 and min(gaps) > 1 else 1


def between_surveys(year: int, years: Iterable[int]) -> int | None:
    """The survey interval, where ``year`` falls between two surveys of a statistic collected
    every few years (so it has no value by design); None for a year that could have one."""
    years = sorted(set(years))
    interval = survey_interval(years)
    if interval == 1 or year in years or year < years[0]:
        return None
    return interval if (year - years[0]) % interval else None
