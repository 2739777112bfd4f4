"""Units and precision of the figures derived for display: differences, changes and shares.

One rule for every output that shows them (map, API, profile, fact sheet; the downloads
carry the values themselves):

- A difference or a change is computed from the two values rounded to the indicator's
  decimals, so that the figures on a page add up: 16,2 beside 6,6 differ by 9,6.
- The unit of a change follows from the indicator's metadata: percentage points where the
  unit is %, points for other ratios per 100, per-mille points for rates per 1,000, and the
  indicator's own unit otherwise; a count changes in its unit and in % as well.
- A count is not compared with the city by its difference (a part minus the whole means
  nothing) but by its share of the city.

Rounding is half away from zero on the value as written (2.675 → 2.68), as the browser's
``Intl.NumberFormat`` rounds the map's figures, so a page and the map never disagree on the
last digit (Python's ``round`` rounds 2.5 to 2 and 2.675 to 2.67). Nothing here touches the
database.
"""

import decimal
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# A count's share of the city and a count's change in % are shown with one decimal.
PERCENT_DECIMALS = 1

# Wide enough for any finite float at the at most 6 decimals an indicator may have.
_CONTEXT = decimal.Context(prec=400, rounding=ROUND_HALF_UP)

_PERCENT_UNITS = frozenset({"%", "prozent", "percent", "per cent"})
_PER_MILLE_UNITS = frozenset({"‰", "promille", "per mille"})


@dataclass(frozen=True)
class ChangeUnit:
    """What a change between two years is measured in.

    ``code`` is "percentage_points", "points" or "per_mille_points", or "" where a change is
    in the indicator's own unit (``de``/``en`` then are that unit). ``relative``: the change is
    also given in % of the first value (counts).
    """

    code: str
    de: str
    en: str
    short_de: str
    short_en: str
    relative: bool = False

    def short(self, language: str | None) -> str:
        """The sign written after a change ("Pp."); empty where the unit is the indicator's."""
        return self.short_en if language == "en" else self.short_de


PERCENTAGE_POINTS = ChangeUnit(
    "percentage_points", "Prozentpunkte", "percentage points", "Pp.", "pp"
)
POINTS = ChangeUnit("points", "Punkte", "points", "Punkte", "points")
PER_MILLE_POINTS = ChangeUnit(
    "per_mille_points", "‰-Punkte", "per mille points", "‰-Punkte", "‰ points"
)


@dataclass(frozen=True)
class Change:
    """A change between two years as shown: ``value`` = end − start, both rounded."""

    value: float | None
    relative: float | None  # counts: the change in % of the start, one decimal
    unit: ChangeUnit


def _unit_is(indicator, units: frozenset[str]) -> bool:
    return any(
        (getattr(indicator, field, "") or "").strip().lower() in units
        for field in ("unit_de", "unit_en")
    )


def change_unit(indicator) -> ChangeUnit:
    """The unit a change of ``indicator`` is given in, from its kind, factor and unit.

    ``indicator`` needs ``kind``, ``factor``, ``unit_de`` and ``unit_en`` (an Indicator).
    """
    kind, factor = indicator.kind, indicator.factor
    if _unit_is(indicator, _PERCENT_UNITS):
        return PERCENTAGE_POINTS
    if _unit_is(indicator, _PER_MILLE_UNITS) or (kind == "rate" and factor == 1000):
        return PER_MILLE_POINTS
    # Ratios per 100 (Jugendquotient, places per 100 children) and indices with base 100.
    if kind in ("rate", "index") and factor == 100:
        return POINTS
    own_de, own_en = indicator.unit_de or "", indicator.unit_en or ""
    return ChangeUnit("", own_de, own_en, "", "", relative=kind == "count")


def compared_by_share(indicator) -> bool:
    """Counts are set beside the city as a share of it; rates, means and indices by their
    difference."""
    return indicator.kind == "count"


def _rounded(value: float | Decimal, decimals: int) -> Decimal:
    # A float is taken as it is written (its shortest repr, 2.675 not 2.67499999…), as the
    # browser's number formatting takes it.
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return _CONTEXT.quantize(number, Decimal(1).scaleb(-decimals))


def _number(value: Decimal) -> float:
    return float(value) + 0.0  # no "-0"


def rounded(value: float, decimals: int) -> float:
    """``value`` as shown with ``decimals`` decimals (half away from zero)."""
    return _number(_rounded(value, decimals))


def difference(value: float | None, reference: float | None, decimals: int) -> float | None:
    """``value`` − ``reference`` as the two are shown: both rounded to ``decimals`` first."""
    if value is None or reference is None:
        return None
    return _number(_CONTEXT.subtract(_rounded(value, decimals), _rounded(reference, decimals)))


def _percent(part: Decimal, whole: Decimal) -> float:
    return _number(_rounded(_CONTEXT.divide(_CONTEXT.multiply(part, 100), whole), PERCENT_DECIMALS))


def share(part: float | None, whole: float | None, decimals: int) -> float | None:
    """``part`` in % of ``whole``, from the two as shown, to one decimal; None where a share
    says nothing (no whole, or a negative part)."""
    if part is None or whole is None:
        return None
    part_shown, whole_shown = _rounded(part, decimals), _rounded(whole, decimals)
    if whole_shown <= 0 or part_shown < 0:
        return None
    return _percent(part_shown, whole_shown)


def change(indicator, start: float | None, end: float | None) -> Change:
    """The change of ``indicator`` from ``start`` to ``end`` (None where either is missing or
    withheld), from the values rounded to its decimals, in its change unit."""
    unit = change_unit(indicator)
    if start is None or end is None:
        return Change(None, None, unit)
    decimals = indicator.decimals
    first, last = _rounded(start, decimals), _rounded(end, decimals)
    delta = _CONTEXT.subtract(last, first)
    relative = _percent(delta, first) if unit.relative and first > 0 else None
    return Change(_number(delta), relative, unit)
