"""Reading an uploaded table (CSV or XLSX) into header and rows of text, safely.

Everything a statistician may bring is turned into the same shape, so validation sees one
kind of input: CSV in UTF-8 (with or without BOM) or Windows-1252 with ``;``, ``,`` or tab,
and XLSX (first sheet, cached values of formulas). Hostile or broken files get a clear
message instead of an exception.

``read_table`` holds the whole table in memory; ``open_table`` reads a CSV file row by row, as
often as the caller needs to pass over it, so a large upload never sits in memory whole.
"""

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from core.importing import ImportRejected, RowError
from core.numbers import NumberFormat, number_text
from core.sandbox import run_boxed


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    description: str
    first_row: int = 2  # the spreadsheet row of rows[0]
    # Spreadsheet cells that held real numbers: (row index, column) → value. Their text is
    # written in whatever format the file's text cells turn out to use.
    numeric: dict[tuple[int, int], float] = field(default_factory=dict)


def _reject(field: str, value: str, message: str, row: int | None = None) -> ImportRejected:
    return ImportRejected([RowError(row, field, value, message)])


def read_table(path: Path) -> Table:
    """Header and rows of the file's first table; raises ImportRejected with the reason."""
    path = Path(path)
    _check_size(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise _reject("Datei", path.name, "die Datei ist leer")
    if raw.startswith(b"PK\x03\x04"):
        table = _read_xlsx(path)
    elif b"\x00" in raw[:4096]:
        raise _reject("Datei", path.name, "keine Tabelle: weder CSV-Text noch XLSX")
    else:
        try:
            table = _read_csv(raw, path)
        except csv.Error as error:  # e.g. a field longer than the csv module's limit
            raise _reject("Datei", path.name, f"kein lesbares CSV ({error})") from None
    if not [cell for cell in table.header if cell]:
        raise _reject("Datei", path.name, "keine Kopfzeile gefunden")
    table.rows = [row for row in table.rows if any(cell.strip() for cell in row)]
    if not table.rows:
        raise _reject("Datei", path.name, "nur eine Kopfzeile, keine Datenzeilen")
    return table


def _check_size(path: Path) -> None:
    limit = getattr(settings, "ATLAS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    size = path.stat().st_size
    if size > limit:
        raise _reject(
            "Datei", path.name, f"zu groß: {size / 1e6:.1f} MB, erlaubt sind {limit / 1e6:.0f} MB"
        )


DELIMITER_NAMES = {";": "Semikolon", ",": "Komma", "\t": "Tabulator"}


def _delimiter(text: str) -> str:
    """The delimiter of the header line (the first line of ``text``)."""
    try:
        return csv.Sniffer().sniff(text[:20000].split("\n", 1)[0], delimiters=";,\t").delimiter
    except csv.Error:
        return ","  # one column only: the header check will say what is missing


def _read_csv(raw: bytes, path: Path) -> Table:
    try:
        text, encoding = raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", errors="replace"), "Windows-1252"
    delimiter = _delimiter(text)
    codec = "utf-8-sig" if encoding == "UTF-8" else "cp1252"
    _check_csv(path, encoding=codec, delimiter=delimiter)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return Table(
        header=[cell.strip() for cell in rows[0]] if rows else [],
        rows=rows[1:],
        description=f"CSV, {encoding}, Trennzeichen {DELIMITER_NAMES[delimiter]}",
    )


@dataclass
class Source:
    """A table to pass over row by row: its header and description at once, its data rows
    (spreadsheet row number and cells, blank rows left out) as often as ``rows()`` is called.
    """

    header: list[str]
    description: str
    sha256: str  # of the file's bytes
    _rows: Callable[[], Iterator[tuple[int, list[str]]]]
    # Set for spreadsheets: the table in memory, whose number cells follow the decided format.
    table: Table | None = None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows()

    def number_format(
        self, columns: list[int], on_row: Callable[[int, list[str]], None] | None = None
    ) -> tuple[bool, str]:
        """One pass over the rows: ``on_row`` sees each, then the file's number format is
        decided from the text of ``columns`` (as ``number_format``)."""
        if self.table is not None:
            if on_row:
                for number, row in self.rows():
                    on_row(number, row)
            return number_format(self.table, columns)
        decider = NumberFormat(self.header, semicolon="Semikolon" in self.description)
        see = decider.see
        for number, row in self.rows():
            if on_row:
                on_row(number, row)
            width = len(row)
            for column in columns:
                # Only a separator can decide anything; most cells are plain integers.
                if column < width and ("." in row[column] or "," in row[column]):
                    see(number, column, row[column])
        return decider.decide()


def open_table(path: Path) -> Source:
    """The file's first table, for reading row by row; raises ImportRejected with the reason.

    Checks as ``read_table``. A CSV file is read from disk on every pass, never held whole;
    a spreadsheet is read in the box (core.sheets, with its limits) into memory once.
    """
    path = Path(path)
    _check_size(path)
    digest, utf8, blank = _scan_bytes(path)
    if blank:
        raise _reject("Datei", path.name, "die Datei ist leer")
    with path.open("rb") as file:
        start = file.read(4096)
    if start.startswith(b"PK\x03\x04"):
        table = read_table(path)
        return Source(
            table.header,
            table.description,
            digest,
            lambda: ((table.first_row + i, row) for i, row in enumerate(table.rows)),
            table=table,
        )
    if b"\x00" in start:
        raise _reject("Datei", path.name, "keine Tabelle: weder CSV-Text noch XLSX")
    encoding = "utf-8-sig" if utf8 else "cp1252"
    with path.open(encoding=encoding, errors="replace", newline="") as file:
        delimiter = _delimiter(file.read(20000))
    _check_csv(path, encoding=encoding, delimiter=delimiter)

    def records() -> Iterator[list[str]]:
        with path.open(encoding=encoding, errors="replace", newline="") as file:
            try:
                yield from csv.reader(file, delimiter=delimiter)
            except csv.Error as error:  # e.g. a field longer than the csv module's limit
                raise _reject("Datei", path.name, f"kein lesbares CSV ({error})") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        # Every record counts, blank ones too, so the numbers are the rows a spreadsheet shows.
        for number, row in enumerate(records(), start=1):
            if number > 1 and row and (row[0].strip() or any(cell.strip() for cell in row)):
                yield number, row

    first = next(records(), [])
    header = [cell.strip() for cell in first]
    if not [cell for cell in header if cell]:
        raise _reject("Datei", path.name, "keine Kopfzeile gefunden")
    if next(rows(), None) is None:
        raise _reject("Datei", path.name, "nur eine Kopfzeile, keine Datenzeilen")
    names = "UTF-8" if utf8 else "Windows-1252"
    description = f"CSV, {names}, Trennzeichen {DELIMITER_NAMES[delimiter]}"
    return Source(header, description, digest, rows)


def _scan_bytes(path: Path, chunk: int = 1 << 20) -> tuple[str, bool, bool]:
    """SHA-256 of the file, whether it is valid UTF-8, and whether it holds only whitespace."""
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")()
    utf8, blank = True, True
    with path.open("rb") as file:
        while data := file.read(chunk):
            digest.update(data)
            blank = blank and not data.strip()
            if utf8:
                try:
                    decoder.decode(data)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), utf8, blank


def _read_xlsx(path: Path) -> Table:
    """The first sheet, read in the box with the upload limits (core.sheets)."""
    answer = run_boxed(task="xlsx", path=path, name=path.name, options={"max_cells": _max_cells()})
    numeric = {(row, column): value for row, column, value in answer["numeric"]}
    return Table(answer["header"], answer["rows"], answer["description"], numeric=numeric)


def _check_csv(path: Path, *, encoding: str, delimiter: str) -> None:
    """Count a CSV file's cells in the box before it is read here: one line of a million
    delimiters would otherwise become a million cells in the worker."""
    run_boxed(
        task="csv",
        path=path,
        name=path.name,
        options={"max_cells": _max_cells(), "encoding": encoding, "delimiter": delimiter},
    )


def _max_cells() -> int:
    return getattr(settings, "ATLAS_UPLOAD_MAX_CELLS", 5_000_000)


def number_format(table: Table, columns: list[int]) -> tuple[bool, str]:
    """Decide once per file whether numbers are German (1.234,5) or international (1,234.5).

    Returns (german, how it was decided). Raises ImportRejected when the file mixes both.
    """
    german, decided = _decide(table, columns)
    # Real spreadsheet numbers follow the format the text cells use (or any, if none do).
    for (row, column), value in table.numeric.items():
        if row < len(table.rows) and german:
            table.rows[row][column] = number_text(value, german=True)
    if table.numeric and decided.endswith("unerheblich)"):
        return german, "aus Excel-Zellen"
    return german, decided


def _decide(table: Table, columns: list[int]) -> tuple[bool, str]:
    decider = NumberFormat(table.header, semicolon="Semikolon" in table.description)
    for offset, row in enumerate(table.rows):
        number = offset + table.first_row
        for column in columns:
            if (offset, column) in table.numeric:
                continue  # a real number decides nothing about how text is written
            decider.see(number, column, row[column] if column < len(row) else "")
    return decider.decide()
