"""The fact sheet (Steckbrief) of a Stadtbezirk for one year: a printable page and its PDF.

Every number comes from the read path (indicators.selectors), so disclosure control and
release visibility hold here as on the map; the trend lines are drawn on the server as inline
SVG, so the page prints and converts to PDF without JavaScript.
"""

import datetime
import hashlib
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils._os import safe_join
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from core.http import BadParameter
from districts.models import District
from indicators import units
from indicators.marks import between_surveys
from indicators.models import Indicator, Observation
from indicators.presenters import (
    against_city,
    reason_of,
    shown,
    shown_area,
    shown_change,
    sources,
    sparkline,
    status_mark,
    status_marks,
    survey_note,
)
from indicators.selectors import (
    AreaValue,
    ProfileRow,
    Source,
    available_years,
    profile_row,
    published_releases,
    published_years,
    value_of,
    weight_bases,
    year_tables,
)
from indicators.services.downloads import licence
from reports.figures import age_pyramid, bezirk_map

from .factsheet_projection import projection_section
from .kept import Busy, kept, only
from .pagecache import shared_page

TEMPLATE = "atlas/factsheet.html"
# Texts that come with the data but are printed on the sheet, so that the English sheet has
# them in English: the demo data's release, the default data licence's name. (An indicator's
# source has its English text in the catalogue: Indicator.source_en.)
DATA_TEXTS = (
    gettext_noop("Demodaten Bottrop (synthetisch)"),
    gettext_noop("Datenlizenz Deutschland – Namensnennung – Version 2.0"),
)
BEZIRK_LEVEL = "stadtbezirk"
TREND_YEARS = 5
# Weights this close to 1 count as "wholly inside" (areas computed in floating point).
WHOLE = 0.995


@shared_page
def factsheet_view(request, bezirk: str):
    """The fact sheet as a page; ``?year=`` picks the year, the latest published by default."""
    try:
        context = _context(request, bezirk)
    except BadParameter as bad:
        return _bad_request(bad)
    return render(request, TEMPLATE, context)


def factsheet_pdf(request, bezirk: str):
    """The same fact sheet as an A4 PDF, rendered by WeasyPrint from local files only; built
    once per data state, year, language and site address, and kept (atlas/kept.py)."""
    try:
        only(request, "year")
        year = _year(request, _years(bezirk))
        # The PDF's links point to the site: one file per address the site answers to.
        origin = request.build_absolute_uri("/")
        site = hashlib.sha256(origin.encode(), usedforsecurity=False).hexdigest()[:12]
        name = f"steckbrief/{bezirk}/{year}-{get_language() or 'de'}-{site}.pdf"
        pdf = kept(name, lambda: _pdf(request, bezirk, origin))
    except BadParameter as bad:
        return _bad_request(bad)
    except Busy as busy:
        return busy.response()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename_of(bezirk, year)}"'
    return response


def _pdf(request, bezirk: str, origin: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, _context(request, bezirk), request=request)
    # PDF/UA-1: a tagged PDF (headings, lists, tables with their headers, the figures' alt
    # text from the SVG titles) that a screen reader can follow.
    document = HTML(string=html, base_url=origin, url_fetcher=local_fetcher(origin))
    return document.write_pdf(pdf_variant="pdf/ua-1")


def _filename_of(code: str, year: int) -> str:
    bezirk = (
        District.objects.valid_on(datetime.date(year, 12, 31))
        .filter(level__slug=BEZIRK_LEVEL, code=code)
        .first()
    )
    if bezirk is None:
        raise Http404(_("Den Stadtbezirk gab es in diesem Jahr nicht."))
    return pdf_filename({"bezirk": bezirk, "year": year})


def pdf_filename(context: dict) -> str:
    name = context["bezirk"].name
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.replace(umlaut, spelled).replace(umlaut.upper(), spelled.capitalize())
    return f"steckbrief-{slugify(name) or context['bezirk'].code}-{context['year']}.pdf"


def _bad_request(bad: BadParameter) -> HttpResponse:
    return HttpResponseBadRequest(bad.message, content_type="text/plain; charset=utf-8")


def _year(request, years: list[int]) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return years[-1]
    try:
        year = int(raw)
    except ValueError:
        raise BadParameter(
            "year",
            _("Der Parameter „year“ muss eine Jahreszahl sein, z. B. %(year)s.")
            % {"year": years[-1]},
        ) from None
    if year not in years:
        raise BadParameter(
            "year",
            _(
                "Für das Jahr %(year)s (Parameter „year“) sind keine Werte veröffentlicht; "
                "möglich sind %(first)s bis %(last)s."
            )
            % {"year": year, "first": years[0], "last": years[-1]},
        )
    return year


def _years(code: str) -> list[int]:
    """The published years; 404 for an unknown Stadtbezirk or before the first publish."""
    if not District.objects.filter(level__slug=BEZIRK_LEVEL, code=code).exists():
        raise Http404(_("Unbekannter Stadtbezirk"))
    years = published_years()
    if not years:
        raise Http404(_("Es sind noch keine Werte veröffentlicht."))
    return years


def _context(request, code: str) -> dict:
    years = _years(code)
    year = _year(request, years)
    # The boundary version valid in that year (values refer to 31 December).
    bezirk = (
        District.objects.valid_on(datetime.date(year, 12, 31))
        .select_related("level")
        .filter(level__slug=BEZIRK_LEVEL, code=code)
        .first()
    )
    if bezirk is None:
        raise Http404(_("Den Stadtbezirk gab es in diesem Jahr nicht."))
    indicators = key_indicators()
    series_years = [y for y in years if y <= year]
    tables = year_tables(indicators=indicators, years=series_years)
    rows = []
    for i in indicators:
        own = [(y, _own(tables[(i.slug, y)].of_level(BEZIRK_LEVEL), code)) for y in series_years]
        city = [(y, tables[(i.slug, y)].city) for y in series_years]
        shown_year = row_year(own, city, year)
        table = tables[(i.slug, shown_year)]
        row = _row(profile_row(table=table, district=bezirk), own, city, shown_year)
        rows.append(
            row
            | {
                "base_level": table.base_level,
                "year": shown_year,
                "earlier": shown_year != year,
                # A statistic collected every few years: why the row shows an earlier year.
                "skipped": survey_note(_between_surveys(i, year)) if shown_year != year else "",
            }
        )
    themes: dict = {}
    for row in rows:
        themes.setdefault(row["indicator"].theme, []).append(row)
    composition = parts(rows, weight_bases(target=bezirk, year=year))
    provisional = status_marks()["provisional"]
    return {
        "bezirk": bezirk,
        "year": year,
        "years": years,
        "themes": list(themes.items()),
        "row_count": len(rows),
        "parts": composition,
        "map": bezirk_map(bezirk=bezirk, year=year, whole=WHOLE),
        "pyramid": age_pyramid(bezirk=bezirk, year=year),
        "projection": projection_section(bezirk=bezirk),
        "weighting": weighting(composition),
        "approximate": any(r["approximate"] for r in rows),
        "marks": [m for m in status_marks().values() if any(m in r["marks"] for r in rows)],
        "provisional": any(r["year"] == year and provisional in r["marks"] for r in rows),
        "provisional_mark": provisional,
        # An example for the reading guide: the first row that shows an earlier year.
        "earlier": next((r["year"] for r in rows if r["earlier"]), None),
        "is_demo": bezirk.is_demo or any(i.is_demo for i in indicators),
        # Where each number comes from; the licence is the one the data is published under
        # (the downloads'), not the source's own.
        "sources": sources(indicators),
        "licence": licence(),
        "releases": published_releases(indicators=indicators, year=year),
        "today": timezone.localdate(),
    }


def key_indicators() -> list[Indicator]:
    """The configured key indicators that exist, in the catalogue's order (theme by theme)."""
    return list(
        Indicator.objects.filter(slug__in=settings.ATLAS_FACTSHEET_INDICATORS).select_related(
            "theme"
        )
    )


def _own(areas: list[AreaValue], code: str) -> AreaValue | None:
    return next((a for a in areas if a.code == code), None)


def _row(row: ProfileRow, own: list, city: list, year: int) -> dict:
    """The row of one indicator for ``year``, the year of ``row``; ``own`` and ``city`` are
    the series up to the sheet's year (the sparkline)."""
    indicator, decimals, current = row.indicator, row.indicator.decimals, row.value
    counted = indicator.kind == Indicator.Kind.COUNT
    # A change needs this year's value; a withheld one still shows "." in its place.
    comparable = current is not None and (current.has_value or _withheld(current))
    start_year, start = trend_start(own, year) if comparable else (None, None)
    change = units.change(indicator, value_of(start), value_of(current))
    return {
        "indicator": indicator,
        "value": _keep_together(shown_area(current, decimals)),
        "mark": status_mark(current),
        "city": shown_area(row.city, decimals),
        "city_mark": status_mark(row.city),
        "marks": [m for m in (status_mark(current), status_mark(row.city)) if m],
        "reason": reason_of(current),
        # A count of part of the city is no match for the city's count: its share instead.
        "difference": against_city(row),
        "comparison": current.comparison if current else None,
        "verdict": current.verdict if current else None,
        "suppressed": _withheld(current),
        "city_only": current is None and row.city is not None and row.city.has_value,
        "approximate": current is not None and current.approximate,
        "sources": current.sources if current else (),
        "start_year": start_year,
        "start": _keep_together(shown_area(start, decimals)) if start_year else "",
        "change": "." if _withheld(current) or _withheld(start) else shown_change(change, decimals),
        "sparkline": sparkline(
            [a.cell.value if a is not None and a.has_value else None for _, a in own],
            [] if counted else [a.cell.value if a and a.has_value else None for _, a in city],
        ),
        "with_city_line": not counted,
        "first_year": own[0][0] if own else year,
    }


def row_year(own: list[tuple[int, AreaValue | None]], city: list, year: int) -> int:
    """The year a row shows: the latest up to ``year`` whose Bezirk cell answers for it (a
    number, or a symbol other than "..." such as "." withheld); for an indicator the Bezirk
    never has, the city's latest; ``year`` where neither has one."""
    for series in (own, city):
        answered = [y for y, area in series if _answers(area)]
        if answered:
            return answered[-1]
    return year


def _answers(area: AreaValue | None) -> bool:
    # "..." (the value comes later) and an empty roll-up say nothing about the year.
    cell = area.cell if area is not None else None
    return cell is not None and bool(cell.status) and cell.status != Observation.Status.NOT_YET


def _between_surveys(indicator: Indicator, year: int) -> int | None:
    return between_surveys(year, available_years(indicator=indicator, with_values=True))


def _withheld(area: AreaValue | None) -> bool:
    return area is not None and area.cell is not None and area.cell.suppressed


def _keep_together(text: str) -> str:
    """ "≈ 1.234" must not break between the sign and the number in a narrow column."""
    return text.replace("≈ ", "≈\u00a0")


def trend_start(series: list[tuple[int, AreaValue | None]], year: int):
    """(year, value) to compare with: five years earlier, or the first year after that with a
    published cell; (None, None) where there is none before ``year``."""
    for y, area in series:
        if year - TREND_YEARS <= y < year and area is not None and area.cell and area.cell.status:
            return y, area
    return None, None


def parts(rows: list[dict], bases: dict[tuple[str, str], str]) -> list[dict]:
    """The statistical districts the Bezirk's values are summed from, with the share counted
    and what it is a share of ("population" or "area", from ``bases``: weight_bases)."""
    row = next((r for r in rows if r["sources"]), None)
    if row is None:
        return []
    sources: tuple[Source, ...] = row["sources"]
    return [
        {
            "code": s.code,
            "name": s.name,
            "whole": s.weight >= WHOLE,
            "share": "< 1 %" if s.weight < 0.005 else f"{shown(s.weight * 100, 0)} %",
            "basis": bases.get((row["base_level"], s.code), "area"),
        }
        for s in sources
    ]


def weighting(composition: list[dict]) -> str:
    """What the shares of the districts partly inside are shares of: "area", "population",
    "mixed", or "" where every district lies wholly inside."""
    bases = {part["basis"] for part in composition if not part["whole"]}
    if not bases:
        return ""
    return bases.pop() if len(bases) == 1 else "mixed"


def local_fetcher(origin: str):
    """A WeasyPrint URL fetcher that reads the page's static files from disk and refuses every
    other URL, so making a PDF never touches the network. ``origin`` is the site's own
    scheme and host (the PDF's base URL)."""
    # Imported here: the pages work where the PDF libraries (pango) are not installed.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFileFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url) if url.startswith(origin) else None
            if path is None:
                raise ValueError(f"only the atlas's own static files are loaded: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": mime})

    return StaticFileFetcher(allowed_protocols={"http", "https", "data"})


def static_path(url: str) -> Path | None:
    """The file behind a static URL: from the finders, else from STATIC_ROOT (hashed names)."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(settings.STATIC_URL):
        return None
    name = posixpath.normpath(path.removeprefix(settings.STATIC_URL))
    if name.startswith(("../", "/")) or name in ("..", "."):
        return None
    try:
        found = finders.find(name)
        candidate = Path(found) if found else Path(safe_join(str(settings.STATIC_ROOT), name))
    except (SuspiciousFileOperation, ValueError):
        return None
    return candidate if candidate.is_file() else None
