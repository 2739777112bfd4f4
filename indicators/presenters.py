"""Numbers as the interface shows them: German format, the indicator's decimals, "." kept."""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators import social_index, stats, units
from indicators.models import Indicator, Observation
from indicators.selectors import AreaValue, ProfileRow


def status_marks() -> dict[str, dict[str, str]]:
    """The marks of values that are not final, as official tables set them after the number."""
    return {
        "provisional": {"symbol": _("p"), "label": _("vorläufiger Wert")},
        "estimated": {"symbol": _("s"), "label": _("geschätzter Wert")},
    }


def status_mark(area: AreaValue | None) -> dict[str, str] | None:
    """The mark of a shown value that is provisional or estimated, else None."""
    if area is None or not area.has_value:
        return None
    return status_marks().get(area.cell.status)


def sources(indicators: list[Indicator]) -> list[str]:
    """The sources of the indicators a page shows, each once, in the page's language."""
    return sorted({i.localised_source for i in indicators if i.source})


def symbol_meanings() -> dict[str, str]:
    """What each DIN 55301 symbol standing in place of a number means."""
    return {
        value: str(label)
        for value, label in Observation.Status.choices
        if value not in Observation.WITH_VALUE
    }


def reasons() -> dict[str, str]:
    """Why an area shows a symbol although its parts have numbers (the read path's reasons)."""
    return {
        stats.NOT_ROLLABLE: _("nicht summierbar (Index oder Median)"),
        stats.INCOMPLETE: _("unvollständig: für einen Teil des Gebiets liegt kein Wert vor"),
        social_index.INCOMPLETE_CORE: _(
            "kein Index: nicht für jeden Kernindikator ist ein Wert veröffentlicht"
        ),
    }


def reason_of(area: AreaValue | None) -> str:
    """Why the area shows a symbol instead of a number, where the read path says so."""
    if area is None or area.cell is None or area.has_value or _passed_on(area.cell):
        return ""
    return reasons().get(area.cell.reason, "")


def _passed_on(cell) -> bool:
    # A roll-up whose parts all wait for the same thing ("...") passes their symbol on: the
    # symbol says it all, "incomplete" would suggest that some part has a value.
    return cell.reason == stats.INCOMPLETE and cell.status != stats.SECRET


def shown(value: float | None, decimals: int) -> str:
    if value is None:
        return "–"
    # Django's number_format cuts off digits: the value is rounded first, by the one rule
    # every derived figure follows (indicators/units.py).
    return number_format(
        units.rounded(value, decimals), decimals, use_l10n=True, force_grouping=True
    )


def signed(value: float | None, decimals: int) -> str:
    """A difference or change: "+" or a real minus sign in front, none where it rounds to 0."""
    if value is None:
        return "–"
    text = shown(value, decimals)
    if text.lstrip("-").strip("0,.") == "":
        return text.lstrip("-")
    return "+" + text if value > 0 else "−" + text.lstrip("-")


def shown_share(share: float | None) -> str:
    """A count's share of the city's count: "4,8 % der Stadt"."""
    if share is None:
        return "–"
    percent = shown(share, units.PERCENT_DECIMALS) + "\u00a0%"
    return _("%(share)s der Stadt") % {"share": percent}


def against_city(row: ProfileRow) -> str:
    """What a profile row sets beside the city's value: the signed difference, or for a count
    its share of the city (a part minus the whole means nothing)."""
    if units.compared_by_share(row.indicator):
        return shown_share(row.share_of_city)
    return signed(row.difference, row.indicator.decimals)


def shown_change(change: units.Change | None, decimals: int) -> str:
    """A change in its unit: "+0,5 Pp.", "−1,2 Punkte", "+372 (+0,7 %)" (no-break spaces)."""
    if change is None or change.value is None:
        return "–"
    text = signed(change.value, decimals)
    short = change.unit.short(get_language())
    if short:
        text += "\u00a0" + short
    if change.relative is not None:
        text += f" ({signed(change.relative, units.PERCENT_DECIMALS)}\u00a0%)"
    return text


def shown_area(area: AreaValue | None, decimals: int) -> str:
    """A value, or the symbol standing in for it ("." withheld, "x" not rolled up)."""
    if area is None or area.cell is None or area.cell.status in ("", None):
        return "–"
    if not area.cell.has_value:
        return area.cell.status
    return ("≈ " if area.approximate else "") + shown(area.cell.value, decimals)


def survey_note(interval: int | None) -> str:
    """ "wird nur alle zwei Jahre erhoben" for a statistic collected every few years."""
    if not interval:
        return ""
    if interval == 2:
        return _("wird nur alle zwei Jahre erhoben")
    return _("wird nur alle %(n)s Jahre erhoben") % {"n": interval}


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
