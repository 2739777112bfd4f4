"""Numbers as the interface shows them: German format, the indicator's decimals, "." kept."""

from dataclasses import dataclass

from django.utils.formats import number_format

from indicators.selectors import AreaValue


def shown(value: float | None, decimals: int) -> str:
    if value is None:
        return "–"
    # Django's number_format cuts off digits; the value is rounded first (and -0.0 is 0).
    rounded = round(value, decimals) + 0.0
    return number_format(rounded, decimals, use_l10n=True, force_grouping=True)


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


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    line: str  # SVG "points" of the Bezirk's values
    city_line: str
    dot: tuple[str, str] | None  # the last year's point, if it has a value


def sparkline(
    own: list[float | None], city: list[float | None], *, width: int = 100, height: int = 28
) -> Sparkline | None:
    """The Bezirk's series and the city's (may be empty) on one scale, for inline SVG."""
    values = [v for v in own + city if v is not None]
    if not values:
        return None
    low, high, pad = min(values), max(values), 3
    n = max(len(own), len(city))

    def point(i: int, v: float) -> tuple[str, str]:
        x = pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5)
        y = height / 2 if high == low else pad + (height - 2 * pad) * (high - v) / (high - low)
        return f"{x:.1f}", f"{y:.1f}"

    def line(series: list[float | None]) -> str:
        # Years without a public value are skipped (biennial statistics, withheld cells);
        # a single year is drawn as a dot (a zero-length line with round caps).
        points = [",".join(point(i, v)) for i, v in enumerate(series) if v is not None]
        return " ".join(points if len(points) != 1 else points * 2)

    last = own[-1] if own else None
    return Sparkline(
        width,
        height,
        line(own),
        line(city),
        point(len(own) - 1, last) if last is not None else None,
    )
