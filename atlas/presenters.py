"""Numbers as the interface shows them: German format, the indicator's decimals, "." kept."""

from django.utils.formats import number_format

from indicators.selectors import AreaValue


def shown(value: float | None, decimals: int) -> str:
    if value is None:
        return "–"
    # Django's number_format cuts off digits; the value is rounded first.
    return number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def shown_area(area: AreaValue | None, decimals: int) -> str:
    """A value, or the symbol standing in for it ("." withheld, "x" not rolled up)."""
    if area is None or area.cell is None or area.cell.status in ("", None):
        return "–"
    if not area.cell.has_value:
        return area.cell.status
    return ("≈ " if area.approximate else "") + shown(area.cell.value, decimals)


def shown_interval(area: AreaValue | None, decimals: int) -> str:
    if area is None or area.interval is None:
        return ""
    low, high = area.interval
    return f"{shown(low, decimals)} – {shown(high, decimals)}"
