"""Importing the housing pipeline: dwellings expected to be completed per district and year,
from a CSV or XLSX table with the columns Jahr (year), Gebiet (code) and Wohnungen
(dwellings), in German or English, any case.

The same rules as the register import: numbers German or international, decided once per file,
whole and not negative; a district is the version valid on 31 December of the row's year; every
row is checked before anything is written, and a file with an error writes nothing, the errors
naming row, column and value. A file replaces what is stored for the years it holds.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from core import audit
from core.importing import ImportRejected, RowError
from core.numbers import no_number, reader
from indicators.services.tables import number_format, read_table
from projections.models import HousingImport, PlannedDwellings
from projections.services.import_register import LISTED, RANGES, Districts

COLUMNS = {
    "year": ("jahr",),
    "code": ("gebiet", "schluessel", "schlüssel", "bezirk"),
    "dwellings": ("wohnungen", "neue wohnungen", "fertigstellungen"),
}
# Dwellings a district may plan in one year before a row is taken for a typing error.
MOST_PER_YEAR = 5000


@dataclass
class HousingImportResult:
    housing_import: HousingImport | None
    rows: int
    dwellings: int
    number_format: str
    dry_run: bool = False
    years: list[int] = field(default_factory=list)  # the years the file replaces

    def summary(self) -> str:
        verb = "geprüft (Probelauf, nichts geschrieben)" if self.dry_run else "importiert"
        return (
            f"Geplante Wohnungen: {self.rows} Zeilen {verb} ({self.dwellings} Wohnungen); "
            f"Zahlen {self.number_format}"
        )


def _positions(header: list[str], name: str) -> tuple[dict[str, int], list[RowError]]:
    names = [cell.strip().lower().replace("_", " ") for cell in header]
    positions, errors = {}, []
    for column, aliases in COLUMNS.items():
        found = [i for i, text in enumerate(names) if text in (column, *aliases)]
        if found:
            positions[column] = found[0]
        else:
            message = f"{name}: Spalte fehlt ({aliases[0].capitalize()})"
            errors.append(RowError(1, aliases[0].capitalize(), "", message))
    return positions, errors


def _whole(text: str, read, german: bool, low: int, high: int) -> tuple[int | None, str | None]:
    number = read(text) if text else None
    if number is None:
        return None, "leer" if not text else no_number(german=german)
    if not float(number).is_integer() or not low <= number <= high:
        return None, f"ganze Zahl von {low} bis {high} erwartet"
    return int(number), None


def _rows(path: Path, districts: Districts):
    """The file's records (district id, year, dwellings) and every row error."""
    table = read_table(path)
    positions, errors = _positions(table.header, path.name)
    if errors:
        return [], errors, ""
    german, decided = number_format(table, [positions["year"], positions["dwellings"]])
    read = reader(german=german)
    header = {c: table.header[p].strip() for c, p in positions.items()}  # as the file names them
    records, seen = [], {}
    for offset, row in enumerate(table.rows):
        number = offset + table.first_row
        cell = {c: (row[p].strip() if p < len(row) else "") for c, p in positions.items()}
        year, message = _whole(cell["year"], read, german, *RANGES["year"])
        row_errors = [RowError(number, header["year"], cell["year"], f"{path.name}: {message}")] \
            if message else []  # fmt: skip
        dwellings, message = _whole(cell["dwellings"], read, german, 0, MOST_PER_YEAR)
        if message:
            row_errors.append(
                RowError(number, header["dwellings"], cell["dwellings"], f"{path.name}: {message}")
            )
        district = districts.get(cell["code"], year) if year is not None else None
        if year is not None and district is None:
            message = f"{path.name}: kein Gebiet mit diesem Schlüssel am 31.12.{year}"
            row_errors.append(RowError(number, header["code"], cell["code"], message))
        key = (district, year)
        if not row_errors and key in seen:
            message = f"{path.name}: doppelt, wie Zeile {seen[key]}"
            row_errors.append(RowError(number, header["code"], cell["code"], message))
        seen.setdefault(key, number)
        errors += row_errors
        if not row_errors:
            records.append((district, year, dwellings))
    return records, errors, decided


@transaction.atomic
def import_housing(
    *,
    path: Path,
    level: str = "statistischer-bezirk",
    user=None,
    dry_run: bool = False,
    is_demo: bool = False,
) -> HousingImportResult:
    """Check the file whole, then replace the planned dwellings of its years (or write
    nothing, raising ImportRejected with every row and field error)."""
    path = Path(path)
    records, errors, decided = _rows(path, Districts(level))
    if errors:
        listed = errors[:LISTED]
        if len(errors) > LISTED:
            listed.append(RowError(None, "Datei", "", f"und {len(errors) - LISTED} weitere Fehler"))
        raise ImportRejected(listed)
    years = sorted({year for _, year, _ in records})
    result = HousingImportResult(
        None, len(records), sum(r[2] for r in records), decided, dry_run=dry_run, years=years
    )
    if dry_run:
        return result
    source = HousingImport.objects.create(
        created_by=user,
        is_demo=is_demo,
        source_files=[{"name": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                       "rows": len(records)}],
    )  # fmt: skip
    PlannedDwellings.objects.filter(year__in=years, district__level__slug=level).delete()
    PlannedDwellings.objects.bulk_create(
        PlannedDwellings(district_id=d, year=y, dwellings=n, source=source) for d, y, n in records
    )
    audit.record(user=user, obj=source, added=True, message=result.summary())
    result.housing_import = source
    return result
