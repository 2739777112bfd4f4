"""Reading an uploaded table inside the box (core.boxed): an XLSX workbook's first sheet into
text cells, and a CSV file's cells counted.

A small XLSX file can describe a vast sheet: a dimension of A1:XFD1048576 and one cell in its
last row makes openpyxl produce 17 billion empty cells. So the zip's unpacked size, the
sheet's stated dimension and the cells actually produced are each held to a limit, and the
parent sees only the finished table.
"""

import csv
import itertools
import re
import zipfile
from pathlib import Path

from core.boxed import Refused

# Unpacked XML beyond this many times the file's size is a bomb, not a spreadsheet (real
# workbooks compress about 5 to 20 times).
MAX_RATIO = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
# Excel's own widest sheet; a CSV row beyond it is no table a person made.
MAX_COLUMNS = 16_384


def run(task: str, path: str, options: dict) -> dict:
    path = Path(path)
    if task == "csv":
        return _count_csv(path, options)
    return _read_xlsx(path, max_cells=options["max_cells"])


def _german(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _too_many(max_cells: int) -> Refused:
    return Refused(f"zu viele Tabellenzellen (mehr als {_german(max_cells)})")


def _count_csv(path: Path, options: dict) -> dict:
    max_cells, cells = options["max_cells"], 0
    with path.open(encoding=options["encoding"], errors="replace", newline="") as file:
        try:
            for row in csv.reader(file, delimiter=options["delimiter"]):
                if len(row) > MAX_COLUMNS:
                    raise Refused(f"eine Zeile hat mehr als {MAX_COLUMNS} Felder")
                cells += len(row)
                if cells > max_cells:
                    raise _too_many(max_cells)
        except csv.Error as error:  # e.g. a field longer than the csv module's limit
            raise Refused(f"kein lesbares CSV ({error})") from None
    return {"cells": cells}


def _check_archive(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (OSError, zipfile.BadZipFile) as error:
        raise Refused(f"XLSX nicht lesbar: {error}") from None
    unpacked = sum(m.file_size for m in members)
    if (
        len(members) > MAX_MEMBERS
        or unpacked > MAX_UNPACKED_BYTES
        or unpacked > MAX_RATIO * max(path.stat().st_size, 1 << 20)
    ):
        raise Refused("entpackt zu groß (mögliche ZIP-Bombe)")
    if "xl/workbook.xml" not in names:
        raise Refused("ZIP-Archiv, aber keine XLSX-Arbeitsmappe")
    with zipfile.ZipFile(path) as archive:
        for name in sorted(names):
            if name.endswith((".xml", ".rels")) and _declares_dtd(archive, name):
                raise Refused(f"XLSX nicht lesbar: {name} enthält eine Dokumenttypdeklaration")


# Where an XML part's root element starts, and a document type declaration before it.
_ROOT = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = b"<!DOCTYPE"
PROLOG_BYTES = 1 << 20


def _declares_dtd(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether an XML part declares a DTD, where entities ("billion laughs") and external
    references live. No workbook needs one; refusing it here does not depend on which XML
    parser openpyxl finds installed (defusedxml refuses, lxml silently leaves them out). A
    prolog longer than PROLOG_BYTES counts as one."""
    with archive.open(name) as member:
        head = member.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode()
    root = _ROOT.search(head)
    end = root.start() if root else len(head)
    return _DOCTYPE in head[:end] or (root is None and len(head) == PROLOG_BYTES)


# A formula cell in a worksheet's XML: <f>, <f t="shared" …/> or with a namespace prefix.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula; read in pieces, so a sheet
    without one (the atlas's own exports) is read once, not twice."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as member:
                tail = b""
                while piece := member.read(1 << 20):
                    if _FORMULA.search(tail + piece):
                        return True
                    tail = piece[-64:]
    return False


def _open(path: Path, *, formulas: bool):
    # A DTD is refused before (_check_archive); defusedxml or lxml parse the rest safely.
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=not formulas)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl and defusedxml raise many kinds for broken files
        raise Refused(f"XLSX nicht lesbar: {str(exc)[:200]}") from None


def _read_xlsx(path: Path, *, max_cells: int) -> dict:
    _check_archive(path)
    values = _open(path, formulas=False)
    formulas = _open(path, formulas=True) if _has_formulas(path) else None
    sheet = values.worksheets[0]
    stated = (sheet.max_row or 0) * (sheet.max_column or 0)
    if stated > max_cells:
        raise Refused(
            f"Tabellenblatt laut Datei {_german(sheet.max_row)} Zeilen × "
            f"{_german(sheet.max_column)} Spalten groß, erlaubt sind {_german(max_cells)} Zellen"
        )
    raw_rows = (
        formulas.worksheets[0].iter_rows(values_only=True)
        if formulas is not None
        else itertools.repeat(())
    )
    rows, numeric, cells = [], [], 0
    for row_number, (cells_of_row, raw_cells) in enumerate(
        zip(sheet.iter_rows(values_only=True), raw_rows, strict=False), start=1
    ):
        cells += max(len(cells_of_row), 1)  # a million empty rows cost time, too
        if cells > max_cells:
            raise _too_many(max_cells)
        _check_formulas(row_number, cells_of_row, raw_cells)
        rows.append([cell_text(value) for value in cells_of_row])
        for column, value in enumerate(cells_of_row):
            if row_number > 1 and isinstance(value, int | float) and not isinstance(value, bool):
                numeric.append([row_number - 2, column, value])
    values.close()
    if formulas is not None:
        formulas.close()
    return {
        "header": [cell.strip() for cell in rows[0]] if rows else [],
        "rows": rows[1:],
        "description": f"XLSX, Blatt „{sheet.title}“",
        "numeric": numeric,
    }


def _check_formulas(row_number: int, cells, raw_cells) -> None:
    from openpyxl.utils import get_column_letter

    for column, (value, raw) in enumerate(zip(cells, raw_cells, strict=False), start=1):
        if isinstance(raw, str) and raw.startswith("=") and value is None:
            raise Refused(
                "Formel ohne gespeichertes Ergebnis: bitte in Excel neu berechnen und "
                "speichern oder als Wert einfügen",
                row=row_number,
                field=f"{get_column_letter(column)}{row_number}",
                value=raw,
            )


def cell_text(value) -> str:
    """A spreadsheet cell as text in international notation (Excel stores numbers as such)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()
