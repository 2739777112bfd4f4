"""Values as a file in the upload layout, for correction: one release's rows, or the values
public now, chosen by year, theme and indicator. Export → import shows no changes.

Two formats: XLSX (numbers as numbers) and CSV as German Excel reads it (``;``, decimal comma,
UTF-8 with BOM). Numbers keep every digit the database holds (Python's shortest exact form),
so a value read back is the same float.

Text that a spreadsheet would evaluate as a formula (``=HYPERLINK(…)`` planted in a note) stays
text: in the CSV behind an apostrophe, which the import takes off again (``restore_text``); in
the XLSX as a string cell marked as text. Numbers and the DIN 55301 symbols (``-1``, ``-``) are
no formulas and are written as they are.
"""

import csv
import io
import re
from collections.abc import Collection, Iterable
from decimal import Decimal

from core.numbers import AMBIGUOUS
from core.worksheet import Text, xlsx
from indicators.models import Observation, Release

HEADER = ["gebiet", "ebene", "indikator", "jahr", "wert", "zaehler", "nenner", "status", "hinweis"]
COLUMNS = ("district__code", "district__level__slug", "indicator__slug", "year", "value",
           "numerator", "denominator", "status", "note")  # fmt: skip


def export_rows(
    *,
    release: Release | None = None,
    years: Collection[int] = (),
    themes: Collection[int] = (),
    indicators: Collection[int] = (),
    allowed_themes: Collection[int] | None = None,
):
    """The rows to export, as tuples in the order of HEADER: the release's, or without one the
    values public now (per indicator, district and year the latest published release's, as
    the read path takes them). ``years``, ``themes``, ``indicators`` (ids) narrow it, empty
    means all; ``allowed_themes`` (None: all) is what the user may see at all.

    Indicators the atlas computes are left out: the import does not take them.
    """
    observations = Observation.objects.filter(indicator__computation="")
    if years:
        observations = observations.filter(year__in=years)
    if themes:
        observations = observations.filter(indicator__theme_id__in=themes)
    if indicators:
        observations = observations.filter(indicator_id__in=indicators)
    if allowed_themes is not None:
        observations = observations.filter(indicator__theme_id__in=allowed_themes)
    if release is not None:
        observations = observations.filter(release=release)
    else:
        public = observations.published().latest_per_key().values("pk")
        observations = Observation.objects.filter(pk__in=public)
    # Tuples, not model instances: the demo data alone are 13,000 rows.
    return observations.order_by(
        "indicator__slug", "district__level__rank", "district__code", "year"
    ).values_list(*COLUMNS)


# What a spreadsheet starts a formula with (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d[\d.,]*)([eE][+-]?\d+)?")
SYMBOLS = frozenset(Observation.Status.values) - frozenset(Observation.WITH_VALUE)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate the text: it starts like a formula and is neither
    a number nor a DIN 55301 symbol. Text behind an apostrophe that would be one counts too,
    so that ``neutralise`` and ``restore_text`` are exact inverses."""
    text = text.lstrip("'")
    return text.startswith(FORMULA_START) and text not in SYMBOLS and not NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """The text for a CSV cell: behind an apostrophe (the spreadsheets' text marker) where it
    would be evaluated."""
    return "'" + text if is_formula(text) else text


def restore_text(text: str) -> str:
    """The text a cell of an exported file stands for (undoes ``neutralise``)."""
    return text[1:] if text[:1] == "'" and is_formula(text[1:]) else text


def german_number(value: float | None) -> str:
    """A stored number as German Excel writes it: decimal comma, no thousands separator, no
    exponent, and every digit of Python's shortest exact form (0,787402), so it reads back
    as the same float.

    Three decimals after at most three digits (1,234) could also be a thousand written the
    international way; such a number gets a trailing zero (1,2340), so that the import reads
    the file as German even where no other number decides it.
    """
    if value is None:
        return ""
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text:
        text = format(Decimal(text), "f")  # 1e-05 → 0.00001, still exact
    text = text.replace(".", ",")
    return text + "0" if AMBIGUOUS.fullmatch(text) else text


def as_csv(rows: Iterable[tuple]) -> bytes:
    """CSV as German Excel reads it: semicolons, decimal comma, UTF-8 with BOM."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    number = german_number
    writer.writerows(
        (neutralise(area), level, slug, year, number(value), number(numerator),
         number(denominator), status, neutralise(note))
        for area, level, slug, year, value, numerator, denominator, status, note in rows
    )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(rows: Iterable[tuple]) -> bytes:
    """A worksheet "Werte", numbers as numbers, the header row frozen."""
    return xlsx(
        title="Werte",
        header=HEADER,
        rows=(
            (_text(area), level, slug, year, value, numerator, denominator, status,
             _text(note) if note else None)
            for area, level, slug, year, value, numerator, denominator, status, note in rows
        ),
        widths=(12, 20, 28, 7, 12, 12, 12, 10, 40),
    )  # fmt: skip


# Only text starting with one of these can need a text cell.
MAY_BE_FORMULA = (*FORMULA_START, "'")


def _text(text: str) -> str:
    """Text that a spreadsheet would take for a formula as a cell marked as text (Excel keeps
    it text even when it is edited)."""
    if not text.startswith(MAY_BE_FORMULA):
        return text
    if text[:1] == "'" and is_formula(text[1:]):
        text = "'" + text  # an apostrophe of the text itself is kept through restore_text
    return Text(text) if is_formula(text) else text


# The formats of the export page: render, media type, file extension.
FORMATS = {
    "xlsx": (as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": (as_csv, "text/csv; charset=utf-8", "csv"),
}
