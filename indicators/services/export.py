"""A release as a file in the upload layout, so export → import shows no changes.

Text that a spreadsheet would evaluate as a formula (``=HYPERLINK(…)`` planted in a note) stays
text: in the CSV behind an apostrophe, which the import takes off again (``restore_text``); in
the XLSX as a string cell marked as text. Numbers and the DIN 55301 symbols (``-1``, ``-``) are
no formulas and are written as they are.
"""

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from indicators.models import Observation, Release

HEADER = ["gebiet", "ebene", "indikator", "jahr", "wert", "zaehler", "nenner", "status", "hinweis"]


def _rows(release: Release):
    """The release's rows in the order of HEADER, as tuples (no model instances: a release
    has tens of thousands of rows)."""
    return (
        Observation.objects.filter(release=release)
        .order_by("indicator__slug", "district__level__rank", "district__code", "year")
        .values_list(
            "district__code",
            "district__level__slug",
            "indicator__slug",
            "year",
            "value",
            "numerator",
            "denominator",
            "status",
            "note",
        )
    )


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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def release_csv(release: Release) -> bytes:
    """Long layout, comma-separated, international numbers, UTF-8 with BOM for Excel."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in _rows(release):
        writer.writerow(
            [neutralise(cell) if isinstance(cell, str) else _text(cell) for cell in row]
        )
    return buffer.getvalue().encode("utf-8-sig")


def release_xlsx(release: Release) -> bytes:
    """Long layout as a worksheet, numbers as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Werte")
    sheet.append(HEADER)
    for row in _rows(release):
        sheet.append([_cell(sheet, cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet, text: str) -> WriteOnlyCell:
    """A text cell that stays text: openpyxl would write "=…" as a formula, and Excel reads a
    cell marked as text (quotePrefix) as text even when it is edited."""
    if text[:1] == "'" and is_formula(text[1:]):
        text = "'" + text  # an apostrophe of the text itself is kept through restore_text
    cell = WriteOnlyCell(sheet, value=text)
    if is_formula(text):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
