"""Pure statistics for the read path: disclosure control (no Django needed to test it)."""

from dataclasses import dataclass, replace

SECRET = "."  # DIN 55301: Zahlenwert unbekannt oder geheim zu halten
WITH_VALUE = frozenset({"normal", "provisional", "estimated"})


@dataclass(frozen=True)
class Cell:
    """A value as the public may see it; ``status`` is a DIN 55301 symbol where none is shown."""

    value: float | None
    numerator: float | None
    denominator: float | None
    status: str

    @property
    def has_value(self) -> bool:
        return self.status in WITH_VALUE and self.value is not None


def protect(cell: Cell, *, kind: str, threshold: int) -> Cell:
    """Primary disclosure control: a case count below the threshold is shown as ".".

    The case count is the value of a count indicator and the numerator of a rate; negative
    numerators (net migration) are balances, not cases.
    """
    if not cell.has_value:
        return cell
    if kind == "count":
        cases = cell.value
    elif kind == "rate" and cell.numerator is not None and cell.numerator >= 0:
        cases = cell.numerator
    else:
        return cell
    if cases < threshold:
        return replace(cell, value=None, numerator=None, denominator=None, status=SECRET)
    return cell
