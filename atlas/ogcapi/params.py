"""Query parameters of the OGC endpoints, each rejected with a 400 that names it."""

import dataclasses
import datetime
import math

from core.http import BadParameter
from core.params import FIRST_YEAR, LAST_YEAR, Param
from indicators.selectors import published_years

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# Far beyond any collection, and small enough for the database's OFFSET (a bigint).
MAX_OFFSET = 1_000_000_000

F = Param(
    "f",
    "Ausgabeformat / output format (default: by the Accept header)",
    enum=("json", "html"),
)
LIMIT = Param(
    "limit",
    "Gebiete je Seite / features per page",
    type="integer",
    minimum=1,
    maximum=MAX_LIMIT,
    default=DEFAULT_LIMIT,
)
OFFSET = Param(
    "offset",
    "so viele Gebiete überspringen / features to skip",
    type="integer",
    minimum=0,
    maximum=MAX_OFFSET,
    default=0,
)
YEAR = Param(
    "year",
    "Jahr der Werte (Stichtag 31.12.), ohne Angabe das neueste veröffentlichte; ein Jahr "
    "ohne veröffentlichte Werte wird abgelehnt (400) / year of the values (31 December), "
    "default the newest published; a year without published values is refused (400)",
    type="integer",
    minimum=FIRST_YEAR,
    maximum=LAST_YEAR,
)
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
    f = F.parse(request.GET.get("f"))
    if f:
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


# A limit above the maximum is not an error: the server uses the maximum
# (17-069r4, Requirement /req/core/fc-limit-response-1).
_LIMIT_UNCAPPED = dataclasses.replace(LIMIT, maximum=None)


def limit(request) -> int:
    return min(_LIMIT_UNCAPPED.parse(request.GET.get("limit")) or DEFAULT_LIMIT, MAX_LIMIT)


def offset(request) -> int:
    return OFFSET.parse(request.GET.get("offset")) or 0


def year(request) -> int:
    """A year with published values; by default the newest."""
    years = published_years()
    value = YEAR.parse(request.GET.get("year"))
    if value is None and years:
        value = years[-1]
    if value not in years:
        listed = f"{years[0]}–{years[-1]}" if years else "–"
        raise BadParameter(
            "year",
            f"keine veröffentlichten Werte für Jahr {value} (vorhanden: {listed}) / "
            f"no published values for year {value} (available: {listed})",
        )
    return value


def data_year(request) -> int | None:
    """The year whose values the features carry.

    ``year`` names it. ``datetime`` selects by time as OGC API – Features asks: a value belongs
    to its calendar year (stated for 31 December), so an instant selects the year it falls in
    and an interval the newest published year it touches. None where ``datetime`` touches no
    published year: the answer is then empty. Without either, the newest published year.
    """
    span = period(request)
    if span is None:
        return year(request)
    touched = [y for y in published_years() if _touches(span, y)]
    if "year" not in request.GET:
        return touched[-1] if touched else None
    chosen = year(request)
    if chosen not in touched:
        raise BadParameter(
            "datetime",
            f"„datetime“ passt nicht zu „year“ {chosen} / 'datetime' does not include "
            f"the year {chosen} given by 'year'",
        )
    return chosen


def _touches(span: Period, data_year: int) -> bool:
    start, end = span
    return (start is None or start.year <= data_year) and (end is None or data_year <= end.year)


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
