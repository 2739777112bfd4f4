"""Importing register data (population and events by district, year, sex and age) from up to
three tables, CSV or XLSX, as the demo's ``fixtures/bottrop/register/`` files lay them out.

Columns in German or English, any case (``REGISTER_FILES`` lists the names). Numbers are
German or international, decided once per file (core.numbers), and must be whole and not
negative; ages run 0–100, 100 (or ``100+``) standing for 100 and over; sex is ``m`` or ``w``.
Every row is checked before anything is written; a file with an error writes nothing, and the
errors name file, row and column. A file replaces what is stored for the years it holds (for
the districts of the level), so a corrected year is imported again whole.
"""

import datetime
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction

from core import audit
from core.importing import ImportRejected, RowError
from core.numbers import no_number, reader
from districts.models import District
from indicators.services.tables import number_format, read_table
from projections.models import (
    MOTHER_AGE_MAX,
    MOTHER_AGE_MIN,
    TOP_AGE,
    RegisterBirths,
    RegisterCell,
    RegisterImport,
    RegisterMove,
)
from projections.register import register_from_frames

LISTED = 200  # errors listed one by one; the rest are counted
RANGES = {"year": (1900, 2200), "age": (0, TOP_AGE), "mother_age": (MOTHER_AGE_MIN, MOTHER_AGE_MAX)}
DIGITS = re.compile(r"(\d{1,9}\n)*\d{1,9}")


@dataclass(frozen=True)
class Column:
    name: str  # the field, and the column's English name
    aliases: tuple[str, ...]  # other names a file may use (German first)
    kind: str  # year, district, sex, age, mother_age, count

    @property
    def label(self) -> str:
        """The German name, as messages give it."""
        return LABELS.get(self.name, self.name)


@dataclass(frozen=True)
class RegisterFile:
    label: str  # German, for messages
    model: type
    columns: tuple[Column, ...]
    key_size: int  # the first columns are the row's key

    @property
    def key(self) -> tuple[Column, ...]:
        return self.columns[: self.key_size]


LABELS = {
    "year": "Jahr", "code": "Gebiet", "sex": "Geschlecht", "age": "Alter",
    "population": "Bevölkerung", "deaths": "Gestorbene", "moves_in": "Zuzüge",
    "moves_out": "Fortzüge", "mother_age": "Alter der Mutter", "births": "Geburten",
    "from_code": "Von", "to_code": "Nach", "moves": "Umzüge",
}  # fmt: skip
YEAR = Column("year", ("jahr",), "year")
SEX = Column("sex", ("geschlecht",), "sex")
AGE = Column("age", ("alter",), "age")
REGISTER_FILES = {
    "cells": RegisterFile(
        "Bevölkerung und Ereignisse",
        RegisterCell,
        (
            YEAR,
            Column("code", ("gebiet", "schluessel", "schlüssel"), "district"),
            SEX,
            AGE,
            Column("population", ("bevoelkerung", "bevölkerung", "einwohner"), "count"),
            Column("deaths", ("gestorbene", "sterbefaelle", "sterbefälle"), "count"),
            Column("moves_in", ("zuzuege", "zuzüge"), "count"),
            Column("moves_out", ("fortzuege", "fortzüge"), "count"),
        ),
        4,
    ),
    "births": RegisterFile(
        "Geburten",
        RegisterBirths,
        (
            YEAR,
            Column("code", ("gebiet", "schluessel", "schlüssel"), "district"),
            Column("mother_age", ("alter_mutter", "alter der mutter"), "mother_age"),
            SEX,
            Column("births", ("geburten", "lebendgeborene"), "count"),
        ),
        4,
    ),
    "within": RegisterFile(
        "Umzüge zwischen Bezirken",
        RegisterMove,
        (
            YEAR,
            Column("from_code", ("von", "herkunft"), "district"),
            Column("to_code", ("nach", "ziel"), "district"),
            SEX,
            AGE,
            Column("moves", ("umzuege", "umzüge"), "count"),
        ),
        5,
    ),
}
SEX_CODES = {"m": "m", "männlich": "m", "maennlich": "m", "male": "m",
             "w": "w", "f": "w", "weiblich": "w", "female": "w"}  # fmt: skip
# Model field of each district column.
DISTRICT_FIELDS = {"code": "district_id", "from_code": "origin_id", "to_code": "destination_id"}


@dataclass
class RegisterImportResult:
    register_import: RegisterImport | None
    rows: dict[str, int]
    number_formats: dict[str, str]
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    years: dict[str, list[int]] = field(default_factory=dict)  # the years each file replaces

    def summary(self) -> str:
        verb = "geprüft (Probelauf, nichts geschrieben)" if self.dry_run else "importiert"
        formats = self.number_formats
        lines = [
            f"{REGISTER_FILES[kind].label}: {rows} Zeilen {verb}; Zahlen {formats[kind]}"
            for kind, rows in self.rows.items()
        ]
        return "\n".join(lines + [f"Warnung: {w}" for w in self.warnings])


class Districts:
    """The ids of the districts of a level, by code and the year whose 31 Dec they cover."""

    def __init__(self, level: str):
        self.versions = defaultdict(list)
        rows = District.objects.filter(level__slug=level).values_list(
            "code", "valid_from", "valid_to", "pk"
        )
        for code, valid_from, valid_to, pk in rows:
            self.versions[code].append((valid_from, valid_to, pk))
        self.cache: dict[tuple[str, int], int | None] = {}

    def get(self, code: str, year: int) -> int | None:
        if (code, year) not in self.cache:
            day = datetime.date(year, 12, 31)
            self.cache[(code, year)] = next(
                (
                    pk
                    for start, end, pk in self.versions.get(code, ())
                    if start <= day and (end is None or day < end)
                ),
                None,
            )
        return self.cache[(code, year)]


@dataclass
class Parsed:
    kind: str
    path: Path
    sha256: str
    number_format: str
    records: list[tuple]  # model field values in column order, district columns as ids
    codes: list[tuple]  # the district codes of each record, for the balance check


def _columns(spec: RegisterFile, header: list[str], path: Path) -> tuple[list[int], list[RowError]]:
    names = [cell.strip().lower().replace("-", "_") for cell in header]
    positions, errors = [], []
    for column in spec.columns:
        found = [i for i, name in enumerate(names) if name in (column.name, *column.aliases)]
        if not found:
            errors.append(
                RowError(
                    1, column.label, "", f"{path.name}: Spalte fehlt ({column.label}/{column.name})"
                )
            )
        positions.append(found[0] if found else -1)
    return positions, errors


def _plain(kind: str, table, positions: list[int], districts: Districts) -> list | None:
    """The records of a file whose every cell is as expected, read column by column; None as
    soon as anything is not, so that the row-by-row check finds and names it."""
    spec = REGISTER_FILES[kind]
    width = max(positions) + 1
    if any(len(row) < width for row in table.rows):
        return None
    cells = {
        column.name: [row[p].strip() for row in table.rows]
        for p, column in zip(positions, spec.columns, strict=True)
    }
    columns = []
    for column in spec.columns:
        text = cells[column.name]
        if column.kind == "sex":
            values = [SEX_CODES.get(cell.lower()) for cell in text]
            if None in values:
                return None
            columns.append(values)
            continue
        if column.kind == "district":
            columns.append(None)  # after the year is known
            continue
        # One regular expression over the whole column: far faster than one per cell.
        if not DIGITS.fullmatch("\n".join(text)):
            return None
        values = np.array(text, dtype=np.int64)
        low, high = RANGES.get(column.kind, (0, None))
        if values.min() < low or (high is not None and values.max() > high):
            return None
        columns.append(values.tolist())
    years = columns[0]
    for index, column in enumerate(spec.columns):
        if column.kind == "district":
            codes = cells[column.name]
            ids = [districts.get(code, year) for code, year in zip(codes, years, strict=True)]
            if None in ids:
                return None
            columns[index] = ids
    records = list(zip(*columns, strict=True))
    if len(set(r[: spec.key_size] for r in records)) != len(records):
        return None
    if kind == "within" and any(r[1] == r[2] for r in records):
        return None
    return records


def _parse(kind: str, path: Path, districts: Districts) -> tuple[Parsed | None, list[RowError]]:
    spec = REGISTER_FILES[kind]
    table = read_table(path)
    positions, errors = _columns(spec, table.header, path)
    if errors:
        return None, errors
    numeric = [p for p, c in zip(positions, spec.columns, strict=True) if c.kind != "district"]
    german, decided = number_format(table, numeric)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    records = _plain(kind, table, positions, districts)
    if records is not None:
        district_columns = [i for i, c in enumerate(spec.columns) if c.kind == "district"]
        codes = [tuple(row[positions[i]].strip() for i in district_columns) for row in table.rows]
        return Parsed(kind, path, sha256, decided, records, codes), []
    read = reader(german=german)
    # Errors name a column as the file's header does.
    header = {c.name: table.header[p].strip() for p, c in zip(positions, spec.columns, strict=True)}
    records, codes, seen = [], [], {}
    for offset, row in enumerate(table.rows):
        number = offset + table.first_row
        values, row_codes, row_errors, year = [], [], [], None
        for position, column in zip(positions, spec.columns, strict=True):
            text = row[position].strip() if position < len(row) else ""
            if column.kind == "district":
                value = None if year is None else districts.get(text, year)
                message = None
                if year is not None and value is None:
                    message = f"kein Gebiet mit diesem Schlüssel am 31.12.{year}"
                row_codes.append(text)
            else:
                value, message = _cell(column, text, read, german)
            if message:
                row_errors.append(
                    RowError(number, header[column.name], text, f"{path.name}: {message}")
                )
            if column.kind == "year":
                year = value
            values.append(value)
        if kind == "within" and not row_errors and values[1] == values[2]:
            message = f"{path.name}: Umzug innerhalb desselben Gebiets"
            row_errors.append(RowError(number, header["to_code"], row[positions[2]], message))
        key = tuple(values[: spec.key_size])
        if not row_errors and key in seen:
            shown = ", ".join(str(row[p]) for p in positions[: spec.key_size])
            columns = ", ".join(header[c.name] for c in spec.key)  # the key's, as it is shown
            message = f"{path.name}: doppelt, wie Zeile {seen[key]}"
            row_errors.append(RowError(number, columns, shown, message))
        seen.setdefault(key, number)
        errors += row_errors
        if not row_errors:
            records.append(tuple(values))
            codes.append(tuple(row_codes))
    return Parsed(kind, path, sha256, decided, records, codes), errors


def _cell(column: Column, text: str, read, german: bool) -> tuple[object, str | None]:
    """One cell's value and, if it is wrong, the message saying why."""
    if column.kind == "sex":
        sex = SEX_CODES.get(text.lower())
        return sex, None if sex else "Geschlecht m oder w erwartet"
    if column.kind == "age" and text.endswith("+"):
        text = text[:-1].strip()
    number = read(text) if text else None
    if number is None:
        return None, "leer" if not text else no_number(german=german)
    if number < 0 or not float(number).is_integer():
        return None, "ganze Zahl ab 0 erwartet"
    value = int(number)
    low, high = RANGES.get(column.kind, (0, None))
    if high is not None and not low <= value <= high:
        return None, {
            "year": "kein Jahr",
            "age": f"Alter 0 bis {TOP_AGE} erwartet ({TOP_AGE} steht für {TOP_AGE} und älter)",
            "mother_age": f"Alter der Mutter {MOTHER_AGE_MIN} bis {MOTHER_AGE_MAX} erwartet",
        }[column.kind]
    return value, None


def _fields(spec: RegisterFile) -> list[str]:
    return [DISTRICT_FIELDS.get(c.name, c.name) for c in spec.columns]


def _write(parsed: Parsed, source: RegisterImport, district_ids: list[int]) -> None:
    """Replace what is stored for the file's years (for the level's districts), by COPY."""
    spec = REGISTER_FILES[parsed.kind]
    table = spec.model._meta.db_table
    fields = _fields(spec)
    years = sorted({record[0] for record in parsed.records})
    district_field = "origin_id" if parsed.kind == "within" else "district_id"
    buffer = io.StringIO()
    for record in parsed.records:
        buffer.write("\t".join(map(str, record)) + f"\t{source.pk}\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE year = ANY(%s) AND {district_field} = ANY(%s)",
            [years, district_ids],
        )
        columns = ", ".join([*fields, "source_id"])
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer, 1 << 16)


def _balance_warning(parsed: dict[str, Parsed]) -> list[str]:
    """Cells whose stock the previous year's stock and the year's events do not explain."""
    if set(parsed) != set(REGISTER_FILES):
        return []
    frames = {}
    for kind, item in parsed.items():
        names = [c.name for c in REGISTER_FILES[kind].columns]
        frame = pd.DataFrame(item.records, columns=names)
        codes = pd.DataFrame(item.codes, columns=[c for c in names if c.endswith("code")])
        frame[codes.columns] = codes
        frames[kind] = frame
    register = register_from_frames(frames["cells"], frames["births"], frames["within"])
    off = [int(np.count_nonzero(register.imbalance(k))) for k in range(1, len(register.years))]
    if not sum(off):
        return []
    years = [int(y) for y, n in zip(register.years[1:], off, strict=True) if n]
    return [
        f"{sum(off)} Zellen (Gebiet × Geschlecht × Alter) gehen nicht auf: Bestand ≠ Vorjahr "
        f"gealtert + Geburten − Gestorbene + Zuzüge − Fortzüge ± Umzüge, in den Jahren "
        f"{', '.join(map(str, years))}"
    ]


@transaction.atomic
def import_register(
    *,
    cells: Path | None = None,
    births: Path | None = None,
    within: Path | None = None,
    level: str = "statistischer-bezirk",
    user=None,
    dry_run: bool = False,
    is_demo: bool = False,
) -> RegisterImportResult:
    """Check the given register files whole, then write them (or nothing, raising
    ImportRejected with every row and field error)."""
    paths = {k: Path(p) for k, p in (("cells", cells), ("births", births), ("within", within)) if p}
    if not paths:
        raise ImportRejected([RowError(None, "Datei", "", "keine Registerdatei angegeben")])
    districts = Districts(level)
    parsed, errors = {}, []
    for kind, path in paths.items():
        item, file_errors = _parse(kind, path, districts)
        errors += file_errors
        if item is not None:
            parsed[kind] = item
    if errors:
        listed = errors[:LISTED]
        if len(errors) > LISTED:
            listed.append(RowError(None, "Datei", "", f"und {len(errors) - LISTED} weitere Fehler"))
        raise ImportRejected(listed)
    result = RegisterImportResult(
        None,
        {kind: len(item.records) for kind, item in parsed.items()},
        {kind: item.number_format for kind, item in parsed.items()},
        dry_run=dry_run,
        warnings=_balance_warning(parsed),
        years={kind: sorted({r[0] for r in item.records}) for kind, item in parsed.items()},
    )
    if dry_run:
        return result
    source = RegisterImport.objects.create(
        created_by=user,
        is_demo=is_demo,
        source_files=[
            {"kind": kind, "name": item.path.name, "sha256": item.sha256, "rows": len(item.records)}
            for kind, item in parsed.items()
        ],
    )
    district_ids = [pk for versions in districts.versions.values() for *_, pk in versions]
    for item in parsed.values():
        _write(item, source, district_ids)
    audit.record(user=user, obj=source, added=True, message=result.summary())
    result.register_import = source
    return result
