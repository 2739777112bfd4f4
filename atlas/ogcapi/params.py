"""Query parameters of the OGC endpoints, each rejected with a 400 that names it."""

import datetime
import math

from core.http import BadParameter, integer
from indicators.selectors import published_years

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
Bbox = tuple[float, float, float, float]
Period = tuple[datetime.date | None, datetime.date | None]


def check_known(request, allowed: tuple[str, ...]) -> None:
    """OGC API Features asks servers to refuse parameters they do not define."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        name = unknown[0]
        raise BadParameter(
            name,
            f"unbekannter Parameter „{name}“, erlaubt: {', '.join(allowed)} / "
            f"unknown parameter '{name}', allowed: {', '.join(allowed)}",
        )


def wants_html(request, json_types: tuple[str, ...]) -> bool:
    """``f=html|json`` decides; without it the Accept header (browsers get HTML)."""
    f = request.GET.get("f", "").strip()
    if f:
        if f not in ("json", "html"):
            raise BadParameter(
                "f", f"„f“ muss json oder html sein, nicht {f!r} / 'f' must be json or html"
            )
        return f == "html"
    return request.get_preferred_type([*json_types, "text/html"]) == "text/html"


def bbox(request) -> Bbox | None:
    """minx,miny,maxx,maxy in CRS84 (a third dimension, if given, is ignored)."""
    raw = request.GET.get("bbox", "").strip()
    if not raw:
        return None
    message = (
        "„bbox“ braucht 4 Zahlen minx,miny,maxx,maxy (Länge/Breite, WGS 84) mit min ≤ max / "
        "'bbox' needs 4 numbers minx,miny,maxx,maxy (longitude/latitude) with min <= max"
    )
    try:
        numbers = [float(part) for part in raw.split(",")]
    except ValueError:
        raise BadParameter("bbox", message) from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadParameter("bbox", message)
    minx, miny, maxx, maxy = numbers
    if minx > maxx or miny > maxy:
        raise BadParameter("bbox", message)
    return minx, miny, maxx, maxy


MAX_OFFSET = 1_000_000_000


def limit(request) -> int:
    value = integer(request, "limit", default=DEFAULT_LIMIT)
    if not 1 <= value <= MAX_LIMIT:
        raise BadParameter(
            "limit",
            f"„limit“ muss zwischen 1 und {MAX_LIMIT} liegen / "
            f"'limit' must be between 1 and {MAX_LIMIT}",
        )
    return value


def offset(request) -> int:
    value = integer(request, "offset", default=0)
    if value < 0:
        raise BadParameter("offset", "„offset“ darf nicht negativ sein / 'offset' must be >= 0")
    # Far beyond any collection, and small enough for the database's OFFSET (a bigint).
    if value > MAX_OFFSET:
        raise BadParameter(
            "offset",
            f"„offset“ darf höchstens {MAX_OFFSET} sein / 'offset' must be <= {MAX_OFFSET}",
        )
    return value


def year(request) -> int:
    """A year with published values; by default the newest."""
    years = published_years()
    value = integer(request, "year", default=years[-1] if years else None)
    if value not in years:
        listed = f"{years[0]}–{years[-1]}" if years else "–"
        raise BadParameter(
            "year",
            f"keine veröffentlichten Werte für Jahr {value} (vorhanden: {listed}) / "
            f"no published values for year {value} (available: {listed})",
        )
    return value


def period(request) -> Period | None:
    """``datetime``: an instant or an interval start/end, either end open as '..' or empty."""
    raw = request.GET.get("datetime", "").strip()
    if not raw:
        return None
    parts = raw.split("/")
    if len(parts) > 2:
        raise _bad_datetime()
    dates = [_date(part) for part in parts]
    if len(dates) == 1:
        if dates[0] is None:
            raise _bad_datetime()
        return dates[0], dates[0]
    start, end = dates
    if start is not None and end is not None and start > end:
        raise _bad_datetime()
    return start, end


def _date(text: str) -> datetime.date | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    try:
        if "T" in text or "t" in text:
            return datetime.datetime.fromisoformat(text.upper()).date()
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _bad_datetime() from None


def _bad_datetime() -> BadParameter:
    return BadParameter(
        "datetime",
        "„datetime“ muss ein Zeitpunkt (2024-12-31 oder 2024-12-31T00:00:00Z) oder ein "
        "Zeitraum Anfang/Ende sein, offen mit '..' / 'datetime' must be an RFC 3339 date, "
        "date-time or interval start/end ('..' for open)",
    )
