"""Importing observations from a CSV or XLSX file into a new release.

Long layout, columns in German or English, any case: gebiet/area (or code/schluessel),
optional ebene/level, indikator/indicator, jahr/year, wert/value, zaehler/numerator,
nenner/denominator, optional status, hinweis/note. Wide layout: gebiet, jahr, then one column
per indicator slug. Numbers are German (1.234,5) or international (1,234.5), decided once per
file (tables.number_format). The DIN 55301 symbols . - x / ... in the value column are
statuses.
"""

import datetime
import difflib
import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import formats, timezone

from atlas import audit
from atlas.importing import ImportRejected, RowError
from districts.models import District, Level
from indicators.models import Indicator, Observation, Release, ThemeAccess

from .tables import Table, number_format, read_table

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
# Columns the atlas's own downloads add for readers (names, units, intervals, provenance): a
# download read back in skips them.
DOWNLOAD_EXTRAS = {
    "gebietsname", "indikatorname", "einheit", "ki_unten", "ki_oben", "vergleich_stadt",
    "quelle", "lizenz", "datenstand",
}  # fmt: skip
REQUIRED = ("area", "indicator", "year", "value")
# Statuses as statisticians write them, German or English.
STATUS_NAMES = {
    "vorläufig": "provisional", "vorlaeufig": "provisional", "provisional": "provisional",
    "geschätzt": "estimated", "geschaetzt": "estimated", "estimated": "estimated",
    "normal": "normal",
}  # fmt: skip
GERMAN_NAMES = {"area": "gebiet", "indicator": "indikator", "year": "jahr", "value": "wert"}
SYMBOLS = {s.value for s in Observation.Status} - {s.value for s in Observation.WITH_VALUE}
YEARS = range(1950, 2101)


@dataclass
class ValueImportResult:
    release: Release | None
    rows: int
    number_format: str
    dry_run: bool = False
    description: str = ""
    preview: "Preview | None" = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "geprüft (Probelauf, nichts geschrieben)" if self.dry_run else "importiert"
        lines = [f"{self.rows} Werte {verb}; {self.description}; Zahlen {self.number_format}"]
        if self.preview is not None:
            lines.append(
                f"neu: {self.preview.new}, geändert: {len(self.preview.changed)}, "
                f"unverändert: {self.preview.unchanged}"
            )
            lines += [
                f"  Zeile {c.row}: {c.indicator} {c.area} {c.year}: {c.old} → {c.new}"
                for c in self.preview.changed[:50]
            ]
        lines += [f"Warnung: {w}" for w in self.warnings]
        return "\n".join(lines)


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
    level_names: dict[str, str] = field(default_factory=dict)  # slug or name (lower) → slug

    @classmethod
    def load(cls) -> "_Lookup":
        versions: dict[tuple[str, str], list[District]] = {}
        levels_of: dict[str, set[str]] = {}
        for district in District.objects.select_related("level"):
            versions.setdefault((district.level.slug, district.code), []).append(district)
            levels_of.setdefault(district.code, set()).add(district.level.slug)
        indicators = Indicator.objects.select_related("theme")
        level_names = {}
        for slug, name_de, name_en in Level.objects.values_list("slug", "name_de", "name_en"):
            for name in (slug, name_de, name_en):
                level_names[name.strip().lower()] = slug
        return cls(versions, levels_of, {i.slug: i for i in indicators}, level_names)

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


@dataclass
class _Record:
    """One value to import: a long-format row, or one indicator cell of a wide row."""

    row: int
    cells: dict[str, str]  # internal column name → text
    names: dict[str, str]  # internal column name → the file's column name, for messages


IGNORE = "ignore"


def _roles(table: Table, mapping: dict[str, str]) -> list[tuple]:
    """What each column holds: ("key", name), ("wide", slug, year or None), ("ignore",) or
    None (not understood). A mapping (file header → target) beats the built-in names."""
    roles = []
    for name in table.header:
        key = name.strip().lower()
        target = mapping.get(name) or COLUMNS.get(key)
        if target is None and key in DOWNLOAD_EXTRAS:
            target = IGNORE
        if target == IGNORE:
            roles.append(("ignore",))
        elif target in COLUMNS.values():
            roles.append(("key", target))
        elif target and target.startswith("indicator:"):
            _, slug, *year = target.split(":")
            roles.append(("wide", slug, int(year[0]) if year else None))
        else:
            roles.append(None)
    return roles


def _records(
    table: Table, lookup: _Lookup, mapping: dict[str, str] | None = None
) -> tuple[list[_Record], list[RowError]]:
    """The file's values as records, from the long or the wide layout (or a mapping)."""
    roles = _roles(table, mapping or {})
    keys = {role[1] for role in roles if role and role[0] == "key"}
    wide = "indicator" not in keys and "value" not in keys
    if wide:
        # Unnamed columns of a wide file are indicators by their slug.
        for i, name in enumerate(table.header):
            if roles[i] is None and name.strip() in lookup.indicators:
                roles[i] = ("wide", name.strip(), None)
    unknown = [
        RowError(1, name, name, "unbekannte Spalte" + _suggest(name, lookup.indicators))
        for name, role in zip(table.header, roles, strict=True)
        if role is None and name.strip()
    ]
    columns = [role for role in roles if role and role[0] == "wide"]
    if wide:
        needs_year = any(role[2] is None for role in columns)
        missing = [c for c in ("area", "year") if c not in keys and (c == "area" or needs_year)]
        if not columns:
            missing.append("indicator")
    else:
        missing = [c for c in REQUIRED if c not in keys]
    errors = unknown + [RowError(1, GERMAN_NAMES[c], "", "Pflichtspalte fehlt") for c in missing]
    if errors:
        return [], errors
    names = {role[1]: table.header[i] for i, role in enumerate(roles) if role and role[0] == "key"}
    records = []
    for offset, row in enumerate(table.rows):
        number = table.first_row + offset
        if len(row) > len(table.header) and any(cell.strip() for cell in row[len(roles) :]):
            extra = ", ".join(row[len(roles) :])
            errors.append(RowError(number, "Zeile", extra, "mehr Felder als Spalten im Kopf"))
            continue
        cells = {
            role[1]: (row[i].strip() if i < len(row) else "")
            for i, role in enumerate(roles)
            if role and role[0] == "key"
        }
        if not wide:
            records.append(_Record(number, cells, names))
            continue
        for i, role in enumerate(roles):
            if not role or role[0] != "wide":
                continue
            text = row[i].strip() if i < len(row) else ""
            if text == "":
                continue  # an empty cell in the wide layout means: no value delivered
            _, slug, year = role
            record = {**cells, "indicator": slug, "value": text}
            if year is not None:
                record["year"] = str(year)
            records.append(_Record(number, record, {**names, "value": table.header[i]}))
    return records, errors


def unmapped_columns(path: Path, mapping: dict[str, str] | None = None) -> list[str]:
    """Headers of a file the import does not understand (for the admin's mapping step)."""
    table = read_table(path)
    lookup = _Lookup.load()
    roles = _roles(table, mapping or {})
    return [
        name
        for name, role in zip(table.header, roles, strict=True)
        if role is None and name.strip() and name.strip() not in lookup.indicators
    ]


def _validate(
    records: list[_Record], *, german: bool, lookup: _Lookup
) -> tuple[list[Observation], list[RowError], dict[int, int]]:
    observations, errors, seen, rows_of = [], [], {}, {}
    for record in records:
        row, row_number = record.cells, record.row
        row_errors = []

        def fail(column, message, record=record, row_errors=row_errors):
            row_errors.append(
                RowError(
                    record.row,
                    record.names.get(column, column),
                    record.cells.get(column, ""),
                    message,
                )
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
        given = row.get("level", "")
        level = lookup.level_names.get(given.lower(), "") if given else ""
        if not given:
            level = levels[0] if len(levels) == 1 else ""
        if given and not level:
            fail(
                "level",
                "unbekannte Ebene" + _suggest(given, sorted(set(lookup.level_names.values()))),
            )
        elif not given and len(levels) > 1:
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
        status = STATUS_NAMES.get(status.lower(), status)
        if status not in Observation.Status.values:
            fail("status", "unbekannter Status; erlaubt: normal, vorläufig, geschätzt, . - x / ...")
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
        if indicator.is_proportion and value is not None and not 0 <= value <= indicator.factor:
            fail("value", f"Anteil außerhalb von 0 bis {indicator.factor:g}")
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
        rows_of[len(observations)] = row_number
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
    return observations, errors, rows_of


@dataclass(frozen=True)
class Change:
    row: int
    indicator: str
    area: str
    year: int
    old: str
    new: str


@dataclass
class Preview:
    """What confirming the upload would change in the published data."""

    new: int = 0
    unchanged: int = 0
    changed: list[Change] = field(default_factory=list)


def _number(value: float) -> str:
    """A number for messages, in the interface's format (54,2784 in German)."""
    value = round(value, 6)
    return formats.localize(int(value) if value.is_integer() else value, use_l10n=True)


def _shown(value, numerator, denominator, status) -> str:
    if status not in Observation.WITH_VALUE:
        return status
    parts = [_number(value)]
    if numerator is not None:
        parts.append(f"({_number(numerator)}/{_number(denominator)})")
    if status != "normal":
        parts.append(str(Observation.Status(status).label))
    return " ".join(parts)


def _public(observations: list[Observation]) -> dict[tuple[int, int, int], tuple]:
    """The currently public raw values for the keys of the given observations."""
    if not observations:
        return {}
    rows = (
        Observation.objects.published()
        .filter(
            indicator_id__in={o.indicator_id for o in observations},
            district_id__in={o.district_id for o in observations},
            year__in={o.year for o in observations} | {o.year - 1 for o in observations},
        )
        .latest_per_key()
        .values_list("indicator_id", "district_id", "year", "value", "numerator", "denominator",
                     "status")
    )  # fmt: skip
    return {(i, d, y): rest for i, d, y, *rest in rows}


def _preview(
    observations: list[Observation], rows_of: dict[int, int], public: dict
) -> tuple[Preview, list[str]]:
    preview, warnings = Preview(), []
    jump = getattr(settings, "ATLAS_IMPORT_JUMP_SHARE", 0.5)
    for index, o in enumerate(observations):
        new = (o.value, o.numerator, o.denominator, o.status)
        old = public.get((o.indicator_id, o.district_id, o.year))
        if old is None:
            preview.new += 1
        elif tuple(old) == new:
            preview.unchanged += 1
        else:
            preview.changed.append(
                Change(rows_of[index], o.indicator.slug, o.district.code, o.year,
                       _shown(*old), _shown(*new))
            )  # fmt: skip
        before = public.get((o.indicator_id, o.district_id, o.year - 1))
        if before and before[0] and o.value is not None:
            share = abs(o.value - before[0]) / abs(before[0])
            if share > jump:
                warnings.append(
                    f"Zeile {rows_of[index]}: {o.indicator.slug} in {o.district.code} ändert sich "
                    f"gegenüber {o.year - 1} um {share:.0%} ({_number(before[0])} → "
                    f"{_number(o.value)})"
                )
    return preview, warnings


def _sum_warnings(observations: list[Observation]) -> list[str]:
    """Counts whose city value in the file differs from the sum of its districts in the file."""
    from districts.models import Overlap

    warnings = []
    counts = [o for o in observations if o.indicator.kind == Indicator.Kind.COUNT and o.value]
    cities = [o for o in counts if o.district.level.slug == "stadt"]
    for city in cities:
        parts = dict(
            Overlap.objects.filter(target=city.district).values_list("source_id", "area_share")
        )
        for level in {o.district.level_id for o in counts} - {city.district.level_id}:
            rows = [
                o for o in counts
                if o.indicator_id == city.indicator_id and o.year == city.year
                and o.district.level_id == level and parts.get(o.district_id) == 1
            ]  # fmt: skip
            expected = District.objects.filter(
                pk__in=[d for d, w in parts.items() if w == 1], level_id=level
            ).count()
            total = sum(o.value for o in rows)
            if rows and len(rows) == expected and abs(total - city.value) > 0.5:
                warnings.append(
                    f"{city.indicator.slug} {city.year}: Summe der Bezirke {_number(total)} ≠ "
                    f"Stadtwert {_number(city.value)}"
                )
    return warnings


@transaction.atomic
def import_values(
    *,
    path: Path,
    title: str,
    user=None,
    publish: bool = False,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> ValueImportResult:
    """Validate a whole file, then write it as one release (or nothing, raising ImportRejected).

    The result says what the file changes against the published data (preview) and what
    looks implausible without blocking (warnings).
    """
    path = Path(path)
    # One import at a time: a second one waits here, so two uploads never interleave.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('atlas.import_values'))")
    table = read_table(path)
    lookup = _Lookup.load()
    records, errors = _records(table, lookup, mapping)
    if errors:
        raise ImportRejected(errors)
    german, decided = number_format(
        table,
        [i for i, role in enumerate(_roles(table, mapping or {})) if _holds_numbers(role)],
    )
    observations, errors, rows_of = _validate(records, german=german, lookup=lookup)
    errors += _outside_themes(observations, rows_of, user)
    if errors:
        raise ImportRejected(errors)
    preview, warnings = _preview(observations, rows_of, _public(observations))
    warnings += _sum_warnings(observations)
    result = ValueImportResult(
        None, len(observations), decided, dry_run=dry_run, description=table.description,
        preview=preview, warnings=warnings,
    )  # fmt: skip
    if dry_run:
        return result

    raw = path.read_bytes()
    release = Release(
        title=title,
        source_filename=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        created_by=user,
    )
    release.source_file.save(path.name, ContentFile(raw), save=False)
    release.save()
    for observation in observations:
        observation.release = release
    Observation.objects.bulk_create(observations, batch_size=5000)
    audit.record(
        user=user, obj=release, added=True,
        message=f"{len(observations)} Werte aus {path.name} (SHA-256 {release.sha256[:12]}…)",
    )  # fmt: skip
    if publish:
        release.status = Release.Status.PUBLISHED
        release.published_at = timezone.now()
        release.published_by = user
        release.save(update_fields=["status", "published_at", "published_by"])
    result.release = release
    return result


def _outside_themes(observations: list[Observation], rows_of: dict[int, int], user) -> list:
    """Rows for indicators whose theme the user's departments may not upload."""
    if user is None or user.has_perm("indicators.import_all_themes"):
        return []
    allowed = set(ThemeAccess.objects.filter(group__user=user).values_list("theme_id", flat=True))
    return [
        RowError(rows_of[i], "indikator", o.indicator.slug,
                 f"keine Freigabe für das Themenfeld „{o.indicator.theme.name_de}“")
        for i, o in enumerate(observations)
        if o.indicator.theme_id not in allowed
    ]  # fmt: skip


def _holds_numbers(role) -> bool:
    """Value columns of the long layout, indicator columns of the wide one, unknown ones."""
    return role is None or role[0] == "wide" or role[1:] in (("value",), ("numerator",),
                                                              ("denominator",))  # fmt: skip
