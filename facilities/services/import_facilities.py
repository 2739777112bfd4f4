"""Importing facilities from a table (CSV, XLSX) or a geodata file (GeoJSON, GeoPackage).

Columns (German or English, any case): typ/type (slug or German name of a facility type),
name, adresse/address, plaetze/capacity, eroeffnet/opened, geschlossen/closed (first day no
longer open), kontakt/contact (a link), quelle/source, optional kennung/key (the source's own
id). A table gives the position either as lon/lat in EPSG:4326 (WGS 84) or as x/y in
EPSG:25832 (ETRS89 / UTM 32N, or another metric CRS passed as ``srid``); a geodata file gives
points in its own CRS. Addresses are not geocoded: a row without coordinates is rejected.

Rows are matched to existing facilities by ``kennung`` where the file has one, else by type,
name and address. Nothing is deleted: facilities missing from a file stay as they are (a
closing is recorded by its date). Errors name the table row (the header is row 1) or the
feature number of a geodata file.

Numbers (places, coordinates) are German (1.234,5) or international (1,234.5), decided once
per file from its text cells (core.numbers): "1.000" places in a German file are a thousand.
"""

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyproj
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction

from core.geodata import read_geodata
from core.importing import ImportRejected, RowError
from core.numbers import NumberFormat, no_number, reader
from core.uploads import store_on_commit
from districts.models import METRIC_SRID, District
from facilities.models import Facility, FacilityType, FacilityUpload
from indicators.services.tables import read_table

COLUMNS = {
    "typ": "type", "type": "type", "art": "type", "angebotsart": "type",
    "name": "name",
    "adresse": "address", "address": "address", "anschrift": "address",
    "x": "x", "rechtswert": "x", "easting": "x",
    "y": "y", "hochwert": "y", "northing": "y",
    "lon": "lon", "lng": "lon", "laenge": "lon", "länge": "lon", "longitude": "lon",
    "lat": "lat", "breite": "lat", "latitude": "lat",
    "plaetze": "capacity", "plätze": "capacity", "kapazitaet": "capacity",
    "kapazität": "capacity", "capacity": "capacity",
    "eroeffnet": "opened_on", "eröffnet": "opened_on", "opened": "opened_on",
    "geschlossen": "closed_on", "closed": "closed_on",
    "kontakt": "contact_url", "contact": "contact_url", "url": "contact_url",
    "quelle": "source", "source": "source",
    "kennung": "key", "key": "key", "id": "key",
}  # fmt: skip
GERMAN_NAMES = {
    "type": "typ", "name": "name", "address": "adresse", "capacity": "plaetze",
    "opened_on": "eroeffnet", "closed_on": "geschlossen", "contact_url": "kontakt",
    "source": "quelle", "key": "kennung",
}  # fmt: skip
COMPARED = ["type", "name", "address", "location", "capacity", "opened_on", "closed_on",
            "contact_url", "source", "key"]  # fmt: skip
# The columns that hold numbers, in the order their format is looked for.
NUMERIC = ("capacity", "x", "y", "lon", "lat")
GEODATA_SUFFIXES = {".geojson", ".json", ".gpkg"}
GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
# Positions closer than this (metres) are the same place: rounding in a re-exported file.
SAME_PLACE_METRES = 0.5


@dataclass
class _Row:
    number: int
    fields: dict[str, str]
    point: Point | None = None  # from a geodata file, already in EPSG:25832
    geometry_problem: str = ""
    # Cells the file holds as real numbers (spreadsheet or geodata), not as text.
    real: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Numbers:
    """The file's number format, decided once: how to read a cell, what to say if it is none."""

    read: Callable[[str], float | None]
    no_number: str
    decided: str

    def of(self, row: _Row, role: str) -> float | None:
        real = row.real.get(role)
        return real if real is not None else self.read(row.fields[role])


@dataclass(frozen=True)
class FacilityChange:
    row: int
    name: str
    fields: tuple[str, ...]


@dataclass
class FacilityImportResult:
    rows: int
    added: list[str] = field(default_factory=list)
    changed: list[FacilityChange] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False
    upload: FacilityUpload | None = None
    number_format: str = ""

    def summary(self) -> str:
        verb = "geprüft (Probelauf, nichts geschrieben)" if self.dry_run else "importiert"
        lines = [
            f"{self.rows} Angebote {verb}; neu: {len(self.added)}, "
            f"geändert: {len(self.changed)}, unverändert: {self.unchanged}; "
            f"Zahlen {self.number_format}"
        ]
        lines += [f"  Zeile {c.row}: {c.name}: {', '.join(c.fields)}" for c in self.changed[:50]]
        return "\n".join(lines)


def _column(name: str) -> str | None:
    return COLUMNS.get(str(name).strip().casefold())


def _table_rows(path: Path) -> tuple[list[_Row], bool]:
    """The rows, and whether the file is a CSV separated by semicolons (as German Excel
    writes it, which decides a file of whole numbers)."""
    table = read_table(path)
    roles = [_column(name) for name in table.header]
    rows = []
    for index, cells in enumerate(table.rows):
        row = _Row(table.first_row + index, {})
        for column, (role, cell) in enumerate(zip(roles, cells, strict=False)):
            if role is not None:
                row.fields[role] = str(cell).strip()
                row.real.pop(role, None)  # a later column of the same role wins, as a whole
                if (index, column) in table.numeric:
                    row.real[role] = float(table.numeric[index, column])
        rows.append(row)
    return rows, "Semikolon" in table.description


def _geodata_suffix(path: Path) -> str | None:
    """Which geodata format a file is (a GeoPackage also when named otherwise), or None for a
    table."""
    with path.open("rb") as handle:
        if handle.read(16).startswith(b"SQLite format 3"):
            return ".gpkg"
    suffix = path.suffix.lower()
    return suffix if suffix in GEODATA_SUFFIXES else None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _geodata_rows(path: Path, suffix: str) -> list[_Row]:
    data = read_geodata(path=path, suffix=suffix)
    roles = [_column(name) for name in data.columns]
    # GeoJSON is WGS 84 unless it names another CRS; other formats say which CRS they use.
    to_metric = (
        None
        if data.crs is None
        else pyproj.Transformer.from_crs(data.crs, METRIC_SRID, always_xy=True).transform
    )
    rows = []
    for number, (cells, geometry) in enumerate(zip(data.rows, data.geometries, strict=True), 1):
        row = _Row(number, {})
        for role, cell in zip(roles, cells, strict=True):
            if role:
                row.fields[role] = _text(cell)
                row.real.pop(role, None)  # a later column of the same role wins, as a whole
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    row.real[role] = float(cell)
        if geometry is None or geometry.geom_type != "Point" or geometry.is_empty:
            row.geometry_problem = "kein Punkt (Geometrie muss ein Punkt sein)"
        elif to_metric is None:
            row.geometry_problem = "Koordinatenbezugssystem der Datei unbekannt"
        else:
            row.point = Point(*to_metric(geometry.x, geometry.y), srid=METRIC_SRID)
        rows.append(row)
    if not rows:
        raise ImportRejected([RowError(None, "Datei", path.name, "keine Objekte")])
    return rows


def _numbers(rows: list[_Row], *, semicolon: bool) -> _Numbers:
    """The file's number format, from the text of its number cells (raises ImportRejected
    for a file that mixes both formats or cannot be decided)."""
    decider = NumberFormat([GERMAN_NAMES.get(role, role) for role in NUMERIC], semicolon=semicolon)
    for row in rows:
        for column, role in enumerate(NUMERIC):
            if role in row.fields and role not in row.real:
                decider.see(row.number, column, row.fields[role])
    german, decided = decider.decide()
    return _Numbers(reader(german=german), no_number(german=german), decided)


def _date(text: str) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    if match := ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := GERMAN_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(text)
    return datetime.date(int(year), int(month), int(day))


def _types() -> dict[str, FacilityType]:
    """Facility types by slug and by German and English name, in any case."""
    found = {}
    for facility_type in FacilityType.objects.all():
        for name in (facility_type.slug, facility_type.name_de, facility_type.name_en):
            found[name.casefold()] = facility_type
    return found


def _city():
    city = District.objects.of_level("stadt").current().only("boundary").first()
    if city is None:
        raise ImportRejected(
            [RowError(None, "Datei", "", "keine Stadtgrenze vorhanden: erst Gebiete importieren")]
        )
    return city.boundary.prepared


def _position(row: _Row, srid: int, numbers: _Numbers, fail) -> Point | None:
    if row.geometry_problem:
        fail("Geometrie", "", row.geometry_problem)
        return None
    if row.point is not None:
        return row.point
    values = row.fields
    pairs = [("lon", "lat", 4326), ("x", "y", srid)]
    for first, second, pair_srid in pairs:
        a, b = values.get(first, ""), values.get(second, "")
        if not a and not b:
            continue
        if not (a and b):
            missing = second if a else first
            fail(missing, "", f"fehlt (zu „{first if a else second}“ gehört auch „{missing}“)")
            return None
        x, y = numbers.of(row, first), numbers.of(row, second)
        if x is None or y is None:
            bad = first if x is None else second
            fail(bad, values[bad], numbers.no_number)
            return None
        if pair_srid == 4326 and not (-180 <= x <= 180 and -90 <= y <= 90):
            fail(first, a, "Länge/Breite außerhalb des Wertebereichs (lon/lat in EPSG:4326)")
            return None
        point = Point(x, y, srid=pair_srid)
        if pair_srid != METRIC_SRID:
            point.transform(METRIC_SRID)
        return point
    fail(
        "Koordinaten",
        "",
        "fehlen: lon/lat (EPSG:4326) oder x/y (EPSG:25832) angeben; Adressen werden nicht "
        "in Koordinaten umgerechnet",
    )
    return None


def _validate(
    rows: list[_Row], *, srid: int, numbers: _Numbers
) -> tuple[list[tuple[int, Facility]], list[RowError]]:
    types, city, check_url = _types(), _city(), URLValidator(schemes=["http", "https"])
    errors: list[RowError] = []
    parsed: list[tuple[int, Facility]] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        before = len(errors)

        def fail(column, value, message, row=row):
            errors.append(RowError(row.number, GERMAN_NAMES.get(column, column), value, message))

        values = row.fields
        type_text = values.get("type", "")
        facility_type = types.get(type_text.casefold())
        if not type_text:
            fail("type", "", "fehlt")
        elif facility_type is None:
            known = ", ".join(sorted(FacilityType.objects.values_list("slug", flat=True)))
            fail("type", type_text, f"unbekannte Angebotsart; bekannt sind: {known}")
        name = values.get("name", "")
        if not name:
            fail("name", "", "fehlt")
        point = _position(row, srid, numbers, fail)
        if point is not None and not city.contains(point):
            fail("Koordinaten", f"{point.x:.0f}, {point.y:.0f}", "liegt außerhalb der Stadtgrenze")
        capacity = None
        if text := values.get("capacity", ""):
            number = numbers.of(row, "capacity")
            if number is None:
                fail("capacity", text, numbers.no_number)
            elif number < 0 or not number.is_integer():
                fail("capacity", text, "keine ganze Zahl ≥ 0")
            else:
                capacity = int(number)
        dates = {}
        for column in ("opened_on", "closed_on"):
            try:
                dates[column] = _date(values.get(column, ""))
            except ValueError:
                fail(column, values[column], "kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT)")
                dates[column] = None
        opened, closed = dates["opened_on"], dates["closed_on"]
        if opened and closed and closed <= opened:
            fail("closed_on", values["closed_on"], "liegt nicht nach der Eröffnung")
        contact = values.get("contact_url", "")
        if contact:
            try:
                check_url(contact)
            except ValidationError:
                fail("contact_url", contact, "kein Link (http:// oder https://)")
        key = values.get("key", "")
        identity = ("key", key) if key else (
            "place", facility_type.pk if facility_type else type_text,
            name.casefold(), values.get("address", "").casefold(),
        )  # fmt: skip
        if identity in seen:
            column = "key" if key else "name"
            fail(column, key or name, f"doppelt, schon in Zeile {seen[identity]}")
        seen.setdefault(identity, row.number)
        if len(errors) > before:
            continue
        facility = Facility(
            type=facility_type,
            key=key,
            name=name,
            address=values.get("address", ""),
            location=point,
            capacity=capacity,
            opened_on=opened,
            closed_on=closed,
            contact_url=contact,
            source=values.get("source", ""),
        )
        parsed.append((row.number, facility))
    return parsed, errors


def _identity(facility: Facility) -> tuple:
    if facility.key:
        return ("key", facility.key)
    return ("place", facility.type_id, facility.name.casefold(), facility.address.casefold())


def _differences(old: Facility, new: Facility) -> list[str]:
    changed = []
    for name in COMPARED:
        if name == "location":
            if old.location.distance(new.location) > SAME_PLACE_METRES:
                changed.append(name)
        elif name == "type":
            if old.type_id != new.type_id:
                changed.append(name)
        elif getattr(old, name) != getattr(new, name):
            changed.append(name)
    return changed


@transaction.atomic
def import_facilities(
    *,
    path: Path,
    user=None,
    dry_run: bool = False,
    srid: int = METRIC_SRID,
    is_demo: bool = False,
) -> FacilityImportResult:
    """Validate a whole file, then add and update its facilities (or nothing, raising
    ImportRejected); the result previews what is new, changed and unchanged."""
    path = Path(path)
    # Read (in the box) before the lock: a file that is slow to read holds up no other import.
    suffix = _geodata_suffix(path)
    rows, semicolon = (_geodata_rows(path, suffix), False) if suffix else _table_rows(path)
    numbers = _numbers(rows, semicolon=semicolon)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('atlas.import_facilities'))")
    parsed, errors = _validate(rows, srid=srid, numbers=numbers)
    if errors:
        raise ImportRejected(errors)

    existing = {_identity(f): f for f in Facility.objects.select_related("type")}
    result = FacilityImportResult(rows=len(parsed), dry_run=dry_run, number_format=numbers.decided)
    to_add, to_change = [], []
    for number, facility in parsed:
        facility.is_demo = is_demo
        old = existing.get(_identity(facility))
        if old is None:
            result.added.append(facility.name)
            to_add.append(facility)
            continue
        changed = _differences(old, facility)
        if old.is_demo != is_demo:
            changed.append("is_demo")
        if not changed:
            result.unchanged += 1
            continue
        result.changed.append(FacilityChange(number, facility.name, tuple(changed)))
        for name in [*COMPARED, "is_demo"]:
            setattr(old, name, getattr(facility, name))
        to_change.append(old)
    if dry_run:
        return result

    Facility.objects.bulk_create(to_add)
    for facility in to_change:
        facility.save()
    raw = path.read_bytes()
    upload = FacilityUpload(
        source_filename=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        created_by=user if getattr(user, "pk", None) else None,
        added=len(to_add),
        changed=len(to_change),
        unchanged=result.unchanged,
    )
    store_on_commit(upload.source_file, path)
    upload.save()
    _record(user, to_add, ADDITION, f"neu aus {path.name} (SHA-256 {upload.sha256[:12]}…)")
    _record(user, to_change, CHANGE, f"geändert durch {path.name} (SHA-256 {upload.sha256[:12]}…)")
    result.upload = upload
    return result


def _record(user, facilities: list[Facility], flag: int, message: str) -> None:
    """Each facility's admin history names the file that added or changed it."""
    if not facilities or user is None or not getattr(user, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=facilities, action_flag=flag, change_message=message
    )
