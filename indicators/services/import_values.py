"""Importing observations from a long-format CSV file into a new release.

Columns (German or English, any case): gebiet/area (or code/schluessel), optional
ebene/level, indikator/indicator, jahr/year, wert/value, zaehler/numerator,
nenner/denominator, optional status, hinweis/note.
A file with ``;`` as delimiter uses German numbers (1.234,5), one with ``,`` international
numbers (1234.5). The DIN 55301 symbols . - x / ... in the value column are statuses.
"""

import csv
import datetime
import difflib
import hashlib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from atlas.importing import ImportRejected, RowError
from districts.models import District
from indicators.models import Indicator, Observation, Release

COLUMNS = {
    "gebiet": "area",
    "area": "area",
    "code": "area",
    "schluessel": "area",
    "schlüssel": "area",
    "ebene": "level",
    "level": "level",
    "indikator": "indicator",
    "indicator": "indicator",
    "jahr": "year",
    "year": "year",
    "wert": "value",
    "value": "value",
    "zaehler": "numerator",
    "zähler": "numerator",
    "numerator": "numerator",
    "nenner": "denominator",
    "denominator": "denominator",
    "status": "status",
    "hinweis": "note",
    "note": "note",
}
REQUIRED = ("area", "indicator", "year", "value")
SYMBOLS = {s.value for s in Observation.Status} - {s.value for s in Observation.WITH_VALUE}
YEARS = range(1950, 2101)


@dataclass
class ValueImportResult:
    release: Release | None
    rows: int
    number_format: str
    dry_run: bool = False

    def summary(self) -> str:
        verb = "geprüft (Probelauf, nichts geschrieben)" if self.dry_run else "importiert"
        return f"{self.rows} Werte {verb}; Zahlenformat {self.number_format}"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


GERMAN_NUMBER = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
INTERNATIONAL_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


def _parse_number(text: str, *, german: bool) -> float:
    """A number in the file's format; 12.5 in a German file is an error, not 125."""
    cleaned = text.strip()
    if not (GERMAN_NUMBER if german else INTERNATIONAL_NUMBER).fullmatch(cleaned):
        raise ValueError(text)
    # German: 1.234,5; international: 1,234.5 (thousands separators dropped).
    cleaned = cleaned.replace(".", "").replace(",", ".") if german else cleaned.replace(",", "")
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


@dataclass
class _Lookup:
    """Districts by level and code, every boundary version, and indicators by slug."""

    versions: dict[tuple[str, str], list[District]]
    levels_of: dict[str, set[str]]
    indicators: dict[str, Indicator]

    @classmethod
    def load(cls) -> "_Lookup":
        versions: dict[tuple[str, str], list[District]] = {}
        levels_of: dict[str, set[str]] = {}
        for district in District.objects.select_related("level"):
            versions.setdefault((district.level.slug, district.code), []).append(district)
            levels_of.setdefault(district.code, set()).add(district.level.slug)
        return cls(versions, levels_of, {i.slug: i for i in Indicator.objects.all()})

    def district(self, level: str, code: str, year: int | None) -> District | None:
        """The version of the district valid at the end of the year (values refer to 31 Dec)."""
        day = datetime.date(year, 12, 31) if year else datetime.date.today()
        for district in self.versions.get((level, code), []):
            if district.valid_from <= day and (
                district.valid_to is None or district.valid_to > day
            ):
                return district
        return None


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; meinten Sie „{close[0]}“?" if close else ""


def _validate(reader, *, german: bool, lookup: _Lookup) -> tuple[list[Observation], list[RowError]]:
    header = {name: COLUMNS.get((name or "").strip().lower()) for name in reader.fieldnames or []}
    errors = [
        RowError(1, column, "", "Pflichtspalte fehlt")
        for column in REQUIRED
        if column not in header.values()
    ]
    if errors:
        return [], errors
    observations, seen = [], {}
    for row_number, raw in enumerate(reader, start=2):
        row = {header[k]: (v or "").strip() for k, v in raw.items() if header.get(k)}
        row_errors = []

        def fail(column, message, row_number=row_number, row=row, row_errors=row_errors):
            row_errors.append(RowError(row_number, column, row.get(column, ""), message))

        if raw.get(None):
            extra = ", ".join(raw[None])
            row_errors.append(
                RowError(row_number, "Zeile", extra, "mehr Felder als Spalten im Kopf")
            )
        indicator = lookup.indicators.get(row["indicator"])
        if indicator is None:
            fail(
                "indicator", "unbekannter Indikator" + _suggest(row["indicator"], lookup.indicators)
            )
        elif indicator.computation:
            fail("indicator", "wird vom Atlas berechnet und nicht hochgeladen")
        try:
            year = int(row["year"])
            if year not in YEARS:
                raise ValueError
        except ValueError:
            year = None
            fail("year", f"kein Jahr zwischen {YEARS.start} und {YEARS.stop - 1}")
        district = None
        levels = sorted(lookup.levels_of.get(row["area"], set()))
        level = row.get("level") or (levels[0] if len(levels) == 1 else "")
        if not row.get("level") and len(levels) > 1:
            fail("area", "Schlüssel auf mehreren Ebenen vorhanden; Spalte „ebene“ angeben")
        elif level in levels:
            district = lookup.district(level, row["area"], year)
            if district is None and year is not None:
                fail("area", f"Gebiet hatte am 31.12.{year} keine gültige Grenze")
        else:
            fail("area", "unbekanntes Gebiet" + _suggest(row["area"], lookup.levels_of))

        numbers = {}
        for column in ("value", "numerator", "denominator"):
            text = row.get(column, "")
            if text == "" or (column == "value" and text in SYMBOLS):
                numbers[column] = None
                continue
            try:
                numbers[column] = _parse_number(text, german=german)
            except ValueError:
                numbers[column] = None
                fail(column, "keine Zahl" + (" (deutsches Format erwartet)" if german else ""))
        status = row.get("status") or (row["value"] if row["value"] in SYMBOLS else "normal")
        if status not in Observation.Status.values:
            fail("status", "unbekannter Status")
        elif status not in Observation.WITH_VALUE:
            for column in ("value", "numerator", "denominator"):
                if numbers.get(column) is not None:
                    fail(column, f"Zahl neben dem Zeichen „{status}“, das für keine Zahl steht")
        if row_errors or indicator is None:
            errors += row_errors
            continue

        value, numerator, denominator = (
            numbers["value"],
            numbers["numerator"],
            numbers["denominator"],
        )
        if value is None and status in Observation.WITH_VALUE:
            if numerator is not None and denominator:
                value = numerator / denominator * indicator.factor
            else:
                fail("value", "Wert fehlt")
        if denominator is not None and denominator <= 0:
            fail("denominator", "Nenner muss größer als 0 sein")
        if indicator.kind == Indicator.Kind.COUNT and value is not None and value < 0:
            fail("value", "Anzahl darf nicht negativ sein")
        if indicator.is_proportion and numerator is not None and denominator is not None:
            if numerator < 0:
                fail("numerator", "Zähler darf nicht negativ sein")
            elif numerator > denominator:
                fail("numerator", "Zähler größer als Nenner")
        if value is not None and numerator is not None and denominator and denominator > 0:
            expected = numerator / denominator * indicator.factor
            if abs(value - expected) > 0.5 * 10**-indicator.decimals + 1e-9 * abs(expected):
                fail("value", f"passt nicht zu Zähler/Nenner (erwartet {expected:.6g})")
        key = (indicator.id, district.id, year)
        if key in seen:
            fail("area", f"doppelter Eintrag (auch in Zeile {seen[key]})")
        seen[key] = row_number
        if row_errors:
            errors += row_errors
            continue
        observations.append(
            Observation(
                indicator=indicator,
                district=district,
                year=year,
                reference_date=datetime.date(year, 12, 31),
                value=value if status in Observation.WITH_VALUE else None,
                numerator=numerator,
                denominator=denominator,
                status=status,
                note=row.get("note", ""),
            )
        )
    return observations, errors


@transaction.atomic
def import_values(
    *,
    path: Path,
    title: str,
    user=None,
    publish: bool = False,
    dry_run: bool = False,
) -> ValueImportResult:
    """Validate a whole file, then write it as one release (or nothing, raising ImportRejected)."""
    raw = Path(path).read_bytes()
    text = _decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    german = delimiter == ";"
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    observations, errors = _validate(reader, german=german, lookup=_Lookup.load())
    if errors:
        raise ImportRejected(errors)
    number_format = "deutsch (1.234,5)" if german else "international (1234.5)"
    if dry_run:
        return ValueImportResult(None, len(observations), number_format, dry_run=True)

    release = Release.objects.create(
        title=title,
        source_filename=Path(path).name,
        sha256=hashlib.sha256(raw).hexdigest(),
        created_by=user,
    )
    for observation in observations:
        observation.release = release
    Observation.objects.bulk_create(observations, batch_size=5000)
    if publish:
        release.status = Release.Status.PUBLISHED
        release.published_at = timezone.now()
        release.published_by = user
        release.save(update_fields=["status", "published_at", "published_by"])
    return ValueImportResult(release, len(observations), number_format)
