"""Importing observations from a CSV or XLSX file into a new release.

Long layout, columns in German or English, any case: gebiet/area (or code/schluessel),
optional ebene/level, indikator/indicator, jahr/year, wert/value, zaehler/numerator,
nenner/denominator, optional status, hinweis/note. Wide layout: gebiet, jahr, then one column
per indicator slug. Numbers are German (1.234,5) or international (1,234.5), decided once per
file (core.numbers). The DIN 55301 symbols . - x / ... in the value column are
statuses.

How a file goes in, with memory that does not grow with its length: one pass over the rows
decides the number format; a second one checks each value as a plain tuple and COPYs the keys
and numbers into a temporary staging table; duplicates, the theme rights, the preview and the
plausibility warnings are queries on that table; only a file without errors is then written,
with one INSERT … SELECT, in the same transaction.
"""

import datetime
import difflib
import heapq
import io
import itertools
import operator
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core import audit
from core.importing import ImportRejected, RowError
from core.numbers import no_number, reader
from core.uploads import store_on_commit
from districts.models import District, Level
from indicators.models import Indicator, Observation, Release, ThemeAccess

from .export import restore_text
from .tables import Source, open_table

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
    "gebietsname", "indikatorname", "einheit", "ki_unten", "ki_oben", "ungefaehr",
    "approximate", "vergleich_stadt", "quelle", "lizenz", "datenstand",
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
STATUSES = frozenset(Observation.Status.values)
WITH_VALUE = frozenset(str(s.value) for s in Observation.WITH_VALUE)
YEARS = range(1950, 2101)
NOTE_LENGTH = Observation._meta.get_field("note").max_length
# Errors, changed values and warnings are listed one by one up to this many; the rest are
# counted, so a file that is wrong in every row gets a readable answer in bounded memory.
LISTED = 1000
# Rows per piece of the COPY into the staging table: the text of one piece is all the import
# holds of them.
BATCH = 20_000
STAGING = "atlas_import_staging"
PUBLIC = "atlas_import_public"
# The order of the fields a record is checked from (see _Checker.check).
FIELDS = ("area", "level", "indicator", "year", "value", "numerator", "denominator", "status",
          "note")  # fmt: skip


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
                f"neu: {self.preview.new}, geändert: {self.preview.changed_count}, "
                f"unverändert: {self.preview.unchanged}"
            )
            lines += [
                f"  Zeile {c.row}: {c.indicator} {c.area} {c.year}: {c.old} → {c.new}"
                for c in self.preview.changed[:50]
            ]
        lines += [f"Warnung: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class _Lookup:
    """Districts by level and code (every boundary version, as ids), indicators by slug."""

    # (level slug, code) → [(valid_from, valid_to, id)]
    versions: dict[tuple[str, str], list[tuple]]
    levels_of: dict[str, tuple[str, ...]]  # code → the slugs of its levels, sorted
    indicators: dict[str, Indicator]
    level_names: dict[str, str] = field(default_factory=dict)  # slug or name (lower) → slug
    cities: frozenset[int] = frozenset()  # ids of the districts on the level "stadt"

    @classmethod
    def load(cls) -> "_Lookup":
        versions: dict[tuple[str, str], list[tuple]] = {}
        levels_of: dict[str, set[str]] = {}
        cities = set()
        # Ids and dates only: boundaries of thousands of districts are not needed here.
        for pk, code, level, valid_from, valid_to in District.objects.values_list(
            "id", "code", "level__slug", "valid_from", "valid_to"
        ):
            versions.setdefault((level, code), []).append((valid_from, valid_to, pk))
            levels_of.setdefault(code, set()).add(level)
            if level == "stadt":
                cities.add(pk)
        indicators = Indicator.objects.select_related("theme")
        level_names = {}
        for slug, name_de, name_en in Level.objects.values_list("slug", "name_de", "name_en"):
            for name in (slug, name_de, name_en):
                level_names[name.strip().lower()] = slug
        return cls(
            versions,
            {code: tuple(sorted(levels)) for code, levels in levels_of.items()},
            {i.slug: i for i in indicators},
            level_names,
            frozenset(cities),
        )

    def district(self, level: str, code: str, day: datetime.date) -> int | None:
        """The id of the version of the district valid on ``day``."""
        for valid_from, valid_to, pk in self.versions.get((level, code), ()):
            if valid_from <= day and (valid_to is None or valid_to > day):
                return pk
        return None


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; meinten Sie „{close[0]}“?" if close else ""


IGNORE = "ignore"
# A mapping longer than any real file's header is garbage, not a mapping.
MAPPING_ENTRIES = 1000


def mapping_errors(mapping, *, name: str = "", indicators: Container[str]) -> list[RowError]:
    """What makes a column mapping (file header → target) unusable, one error per bad entry
    naming the mapping and the entry; [] for a usable one. ``indicators``: the known slugs."""
    where = f"Spaltenzuordnung „{name}“" if name else "Spaltenzuordnung"
    if not isinstance(mapping, dict):
        return [RowError(None, where, "", "keine Zuordnung „Spalte → Ziel“ (JSON-Objekt erwartet)")]
    if len(mapping) > MAPPING_ENTRIES:
        return [RowError(None, where, "", f"mehr als {MAPPING_ENTRIES} Einträge")]
    errors = []
    for column, target in mapping.items():
        problem = _target_problem(target, indicators)
        if not isinstance(column, str) or not column.strip():
            problem = "leerer Spaltenname"
        if problem:
            shown = target if isinstance(target, str) else repr(target)
            errors.append(RowError(None, where, f"{column} → {shown}"[:200], problem))
    return errors


def mapped_indicators(mapping: dict[str, str]) -> set[str]:
    """The slugs of the indicators a (checked) mapping names as targets."""
    return {
        target.split(":")[1]
        for target in mapping.values()
        if isinstance(target, str) and target.startswith("indicator:")
    }


def _target_problem(target, indicators: Container[str]) -> str:
    if not isinstance(target, str):
        return "Ziel muss ein Text sein"
    if target == IGNORE or target in FIELDS:
        return ""
    kind, _sep, rest = target.partition(":")
    if kind != "indicator" or not rest:
        return "unbekanntes Ziel"
    slug, with_year, year = rest.partition(":")
    if slug not in indicators:
        return "unbekannter Indikator"
    if with_year and not (year.isdecimal() and int(year) in YEARS):
        return f"kein Jahr zwischen {YEARS.start} und {YEARS.stop - 1}"
    return ""


def _roles(header: list[str], mapping: dict[str, str]) -> list[tuple]:
    """What each column holds: ("key", name), ("wide", slug, year or None), ("ignore",) or
    None (not understood). A mapping (file header → target) beats the built-in names."""
    roles = []
    for name in header:
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


@dataclass
class _Layout:
    """Where a file keeps what: the column of each field, and the indicator columns of a wide
    file (column, slug, year or None)."""

    header: list[str]
    index: dict[str, int]  # field → column; absent fields point at an empty cell
    names: dict[str, str]  # field → the file's column name, for messages
    wide: list[tuple[int, str, int | None]]
    numbers: list[int]  # the columns whose text decides the number format


def _layout(header: list[str], lookup: _Lookup, mapping: dict[str, str]) -> _Layout:
    """The layout of the file (long or wide, or by a mapping); raises ImportRejected for
    a broken mapping and for unknown and missing columns."""
    broken = mapping_errors(mapping, indicators=lookup.indicators)
    if broken:
        raise ImportRejected(broken)
    roles = _roles(header, mapping)
    keys = {role[1] for role in roles if role and role[0] == "key"}
    wide = "indicator" not in keys and "value" not in keys
    if wide:
        # Unnamed columns of a wide file are indicators by their slug.
        for i, name in enumerate(header):
            if roles[i] is None and name.strip() in lookup.indicators:
                roles[i] = ("wide", name.strip(), None)
    unknown = [
        RowError(1, name, name, "unbekannte Spalte" + _suggest(name, lookup.indicators))
        for name, role in zip(header, roles, strict=True)
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
        raise ImportRejected(errors)
    width = len(header)
    index = dict.fromkeys(FIELDS, width)
    names = {}
    for i, role in enumerate(roles):
        if role and role[0] == "key":
            index[role[1]], names[role[1]] = i, header[i]
    numbers = [i for i, role in enumerate(_roles(header, mapping)) if _holds_numbers(role)]
    wide_columns = [(i, r[1], r[2]) for i, r in enumerate(roles) if r and r[0] == "wide"]
    return _Layout(header, index, names, wide_columns, numbers)


def unmapped_columns(path: Path, mapping: dict[str, str] | None = None) -> list[str]:
    """Headers of a file the import does not understand (for the admin's mapping step)."""
    header = open_table(path).header
    lookup = _Lookup.load()
    broken = mapping_errors(mapping or {}, indicators=lookup.indicators)
    if broken:
        raise ImportRejected(broken)
    roles = _roles(header, mapping or {})
    return [
        name
        for name, role in zip(header, roles, strict=True)
        if role is None and name.strip() and name.strip() not in lookup.indicators
    ]


@dataclass(frozen=True)
class _Rules:
    """What the checks need of an indicator, read once instead of per row."""

    id: int
    slug: str
    computed: bool
    count: bool
    proportion: bool
    factor: float
    tolerance: float  # half a unit of the last decimal shown

    @classmethod
    def of(cls, indicator: Indicator) -> "_Rules":
        return cls(
            indicator.id, indicator.slug, bool(indicator.computation),
            indicator.kind == Indicator.Kind.COUNT, indicator.is_proportion,
            indicator.factor, 0.5 * 10**-indicator.decimals,
        )  # fmt: skip


class _Checker:
    """Checks one value at a time, from its texts, into a row for the staging table."""

    def __init__(self, lookup: _Lookup, *, german: bool):
        self.lookup = lookup
        self.rules = {slug: _Rules.of(i) for slug, i in lookup.indicators.items()}
        self.number = reader(german=german)
        self.no_number = no_number(german=german)
        self.years: dict[str, int | None] = {}
        self.days: dict[int | None, datetime.date] = {}
        self.suggestions: dict[tuple[str, str], str] = {}
        self.level_slugs = sorted(set(lookup.level_names.values()))

    def year(self, text: str) -> int | None:
        try:
            return self.years[text]
        except KeyError:
            pass
        try:
            year = int(text)
        except ValueError:
            year = None
        if year is not None and year not in YEARS:
            year = None
        self.years[text] = year
        return year

    def day(self, year: int | None) -> datetime.date:
        """The reference date of a year's values (31 Dec); today where the year is unknown."""
        day = self.days.get(year)
        if day is None:
            day = self.days[year] = datetime.date(year, 12, 31) if year else datetime.date.today()
        return day

    def suggest(self, kind: str, word: str) -> str:
        key = (kind, word)
        if key not in self.suggestions:
            options = {
                "indicator": self.lookup.indicators,
                "level": self.level_slugs,
                "area": self.lookup.levels_of,
            }[kind]
            self.suggestions[key] = _suggest(word, options)
        return self.suggestions[key]

    def check(self, area, given, slug, year_text, value_text, numerator_text, denominator_text,
              status_text, note, *, explain: bool = True):  # fmt: skip
        """([(field, message)], staged row or None) for one value given as the texts of
        FIELDS. A row is staged once its key is known, even with errors in its numbers, so
        duplicates are found among all of them; it carries whether it is valid.

        Without ``explain``, messages leave out the suggestions (for errors not listed).
        """
        if area[:1] == "'" or note[:1] == "'":
            # The admin's export keeps text that looks like a formula behind an apostrophe.
            area, note = restore_text(area), restore_text(note)
        bad = []
        rules = self.rules.get(slug)
        if rules is None:
            hint = self.suggest("indicator", slug) if explain else ""
            bad.append(("indicator", "unbekannter Indikator" + hint))
        elif rules.computed:
            bad.append(("indicator", "wird vom Atlas berechnet und nicht hochgeladen"))
        year = self.year(year_text)
        if year is None:
            bad.append(("year", f"kein Jahr zwischen {YEARS.start} und {YEARS.stop - 1}"))
        district = None
        levels = self.lookup.levels_of.get(area, ())
        if given:
            level = self.lookup.level_names.get(given.lower(), "")
        else:
            level = levels[0] if len(levels) == 1 else ""
        if given and not level:
            hint = self.suggest("level", given) if explain else ""
            bad.append(("level", "unbekannte Ebene" + hint))
        elif not given and len(levels) > 1:
            bad.append(("area", "Schlüssel auf mehreren Ebenen vorhanden; Spalte „ebene“ angeben"))
        elif level in levels:
            district = self.lookup.district(level, area, self.day(year))
            if district is None and year is not None:
                bad.append(("area", f"Gebiet hatte am 31.12.{year} keine gültige Grenze"))
        else:
            hint = self.suggest("area", area) if explain else ""
            bad.append(("area", "unbekanntes Gebiet" + hint))

        symbol = value_text in SYMBOLS
        value = numerator = denominator = None
        if value_text and not symbol:
            value = self.number(value_text)
            if value is None:
                bad.append(("value", self.no_number))
        if numerator_text:
            numerator = self.number(numerator_text)
            if numerator is None:
                bad.append(("numerator", self.no_number))
        if denominator_text:
            denominator = self.number(denominator_text)
            if denominator is None:
                bad.append(("denominator", self.no_number))
        status = status_text or (value_text if symbol else "normal")
        status = STATUS_NAMES.get(status.lower(), status)
        if status not in STATUSES:
            bad.append(
                ("status", "unbekannter Status; erlaubt: normal, vorläufig, geschätzt, . - x / ...")
            )
        elif status not in WITH_VALUE:
            beside = f"Zahl neben dem Zeichen „{status}“, das für keine Zahl steht"
            for name, number in (("value", value), ("numerator", numerator),
                                 ("denominator", denominator)):  # fmt: skip
                if number is not None:
                    bad.append((name, beside))
        if bad:
            return bad, None

        if value is None and status in WITH_VALUE:
            if numerator is not None and denominator:
                value = numerator / denominator * rules.factor
            else:
                bad.append(("value", "Wert fehlt"))
        if denominator is not None and denominator <= 0:
            bad.append(("denominator", "Nenner muss größer als 0 sein"))
        if rules.count and value is not None and value < 0:
            bad.append(("value", "Anzahl darf nicht negativ sein"))
        if rules.proportion and numerator is not None and denominator is not None:
            if numerator < 0:
                bad.append(("numerator", "Zähler darf nicht negativ sein"))
            elif numerator > denominator:
                bad.append(("numerator", "Zähler größer als Nenner"))
        if rules.proportion and value is not None and not 0 <= value <= rules.factor:
            bad.append(("value", f"Anteil außerhalb von 0 bis {rules.factor:g}"))
        if value is not None and numerator is not None and denominator and denominator > 0:
            expected = numerator / denominator * rules.factor
            if abs(value - expected) > rules.tolerance + 1e-9 * abs(expected):
                bad.append(("value", f"passt nicht zu Zähler/Nenner (erwartet {expected:.6g})"))
        if len(note) > NOTE_LENGTH:
            bad.append(("note", _("länger als %(length)d Zeichen") % {"length": NOTE_LENGTH}))
        elif "\x00" in note:
            bad.append(("note", _("enthält ein Nullzeichen")))
        return bad, (rules.id, district, year, value, numerator, denominator, status, note,
                     not bad)  # fmt: skip


# COPY's text format: backslash, tab and line breaks in text are escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _create_staging() -> None:
    """The session's staging tables, new and empty. They go with the transaction: dropped at
    its end, or with it on rollback, and explicitly once the import is done (an import inside
    a longer transaction must not find the previous one's rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {PUBLIC}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (seq integer NOT NULL, row integer NOT NULL, "
            "indicator_id bigint NOT NULL, district_id bigint NOT NULL, year smallint NOT NULL, "
            "value double precision, numerator double precision, denominator double precision, "
            "status text NOT NULL, note text NOT NULL, ok boolean NOT NULL) ON COMMIT DROP"
        )


def _drop_staging() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {PUBLIC}")


@dataclass
class _Staged:
    """What the pass that checks and stages the rows found."""

    count: int = 0  # rows staged
    errors: list[tuple[int, RowError]] = field(default_factory=list)  # (seq, error), listed
    error_count: int = 0
    cities: bool = False  # whether a city's own value is among the rows


class _Stream(io.TextIOBase):
    """Text pieces from an iterator as a file, for COPY ... FROM STDIN: the database takes in
    one piece while the next is being made. An exception while making a piece ends the input
    and is kept in ``error`` (psycopg2 would turn it into a database error)."""

    def __init__(self, pieces):
        self.pieces, self.piece, self.at, self.error = iter(pieces), "", 0, None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if self.at >= len(self.piece):
            try:
                # An empty string would end the COPY: empty pieces are skipped.
                self.piece, self.at = next((p for p in self.pieces if p), ""), 0
            except Exception as error:
                self.error, self.piece, self.at = error, "", 0
        end = len(self.piece) if size is None or size < 0 else self.at + size
        text, self.at = self.piece[self.at : end], min(end, len(self.piece))
        return text


def _stage(source: Source, layout: _Layout, checker: _Checker) -> _Staged:
    """Check every value of the file and COPY the keyed ones into the staging table."""
    staged = _Staged()
    index = layout.index
    texts_of = operator.itemgetter(*(index[name] for name in FIELDS))
    width = len(layout.header)
    pad = [""] * (width + 1)
    cities = checker.lookup.cities
    # In the wide layout, the value of a record is named by its indicator's column.
    wide_names = {column: {**layout.names, "value": layout.header[column]}
                  for column, _slug, _year in layout.wide}  # fmt: skip

    def records():
        """(row number, texts of FIELDS, the file's names of FIELDS) of every value."""
        for number, row in source.rows():
            cells = [cell.strip() for cell in row]
            if len(cells) <= width:
                cells += pad[len(cells) :]  # missing cells are empty, and so is [width]
            texts = texts_of(cells)
            if not layout.wide:
                yield number, texts, layout.names
                continue
            for column, slug, year in layout.wide:
                text = cells[column]
                if text == "":
                    continue  # an empty cell in the wide layout means: no value delivered
                record = list(texts)
                record[2], record[4] = slug, text
                if year is not None:
                    record[3] = str(year)
                yield number, record, wide_names[column]

    def batches():
        """The staged rows in COPY's text format, BATCH rows to a piece."""
        check, lines, count, explain = checker.check, [], 0, True
        for position, (number, texts, names) in enumerate(records()):
            bad, row = check(*texts, explain=explain)
            if bad:
                staged.error_count += len(bad)
                for name, message in bad:
                    if len(staged.errors) < LISTED:
                        error = RowError(number, names.get(name, name),
                                         texts[FIELDS.index(name)], message)  # fmt: skip
                        staged.errors.append((position, error))
                explain = len(staged.errors) < LISTED
            if row is None:
                continue
            indicator, district, year, value, numerator, denominator, status, note, ok = row
            if note:
                note = note.translate(COPY_ESCAPES)
            lines.append(
                f"{position}\t{number}\t{indicator}\t{district}\t{year}\t"
                f"{NULL if value is None else repr(value)}\t"
                f"{NULL if numerator is None else repr(numerator)}\t"
                f"{NULL if denominator is None else repr(denominator)}\t"
                f"{status}\t{note}\t{'t' if ok else 'f'}\n"
            )
            count += 1
            if district in cities:
                staged.cities = True
            if len(lines) >= BATCH:
                yield "".join(lines)
                lines.clear()
        staged.count = count
        yield "".join(lines)

    with connection.cursor() as cursor:
        # One COPY for the whole file. The buffer size is positional: Django's debug cursor
        # passes on no keywords.
        stream = _Stream(batches())
        cursor.copy_expert(f"COPY {STAGING} FROM STDIN", stream, 1 << 16)
    if stream.error:
        raise stream.error
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {STAGING}")
    return staged


def _duplicates() -> tuple[list[tuple[int, RowError]], int]:
    """Staged rows whose key an earlier row of the file already has: the listed ones with
    their position, and how many there are."""
    query = (
        "SELECT seq, row, previous, district_id FROM (SELECT seq, row, district_id, lag(row) "
        f"OVER (PARTITION BY indicator_id, district_id, year ORDER BY seq) AS previous "
        f"FROM {STAGING}) keyed WHERE previous IS NOT NULL ORDER BY seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{query} LIMIT %s", [LISTED + 1])
        rows = cursor.fetchall()
        count = len(rows)
        if count > LISTED:
            cursor.execute(f"SELECT count(*) FROM ({query}) duplicates")
            count = cursor.fetchone()[0]
    return rows[:LISTED], count


def _errors(staged: _Staged, names: dict[str, str], path: Path) -> list[RowError]:
    """Every error in the order of the file's values; within a value, a duplicate last."""
    rows, duplicate_count = _duplicates()
    area = names.get("area", "area")
    codes = dict(District.objects.filter(pk__in={row[3] for row in rows}).values_list("pk", "code"))
    duplicates = [
        (seq, RowError(row, area, codes[district], f"doppelter Eintrag (auch in Zeile {before})"))
        for seq, row, before, district in rows
    ]
    merged = heapq.merge(
        ((seq, 0, error) for seq, error in staged.errors),
        ((seq, 1, error) for seq, error in duplicates),
    )
    errors = [error for _seq, _order, error in itertools.islice(merged, LISTED)]
    return errors + _more(staged.error_count + duplicate_count - len(errors), path)


def _more(count: int, path: Path) -> list[RowError]:
    if count <= 0:
        return []
    message = _("%(count)d weitere Fehler, nicht einzeln aufgeführt") % {"count": count}
    return [RowError(None, "Datei", path.name, message)]


def _outside_themes(user, path: Path) -> list[RowError]:
    """Valid rows for indicators whose theme the user's departments may not upload."""
    if user is None or user.has_perm("indicators.import_all_themes"):
        return []
    allowed = list(ThemeAccess.objects.filter(group__user=user).values_list("theme_id", flat=True))
    query = (
        f"SELECT s.row, i.slug, t.name_de FROM {STAGING} s "
        "JOIN indicators_indicator i ON i.id = s.indicator_id "
        "JOIN indicators_theme t ON t.id = i.theme_id "
        "WHERE s.ok AND NOT i.theme_id = ANY(%s) AND NOT EXISTS ("
        f"SELECT 1 FROM {STAGING} p WHERE p.indicator_id = s.indicator_id "
        "AND p.district_id = s.district_id AND p.year = s.year AND p.seq < s.seq)"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{query} ORDER BY s.seq LIMIT %s", [allowed, LISTED + 1])
        rows = cursor.fetchall()
        count = len(rows)
        if count > LISTED:
            cursor.execute(f"SELECT count(*) FROM ({query}) outside", [allowed])
            count = cursor.fetchone()[0]
    errors = [
        RowError(row, "indikator", slug, f"keine Freigabe für das Themenfeld „{theme}“")
        for row, slug, theme in rows[:LISTED]
    ]
    return errors + _more(count - len(errors), path)


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
    changed: list[Change] = field(default_factory=list)  # the first LISTED, in file order
    changed_count: int = 0


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


SAME = (
    "s.value IS NOT DISTINCT FROM p.value AND s.numerator IS NOT DISTINCT FROM p.numerator "
    "AND s.denominator IS NOT DISTINCT FROM p.denominator AND s.status = p.status"
)


def _preview(staged: _Staged) -> tuple[Preview, list[str]]:
    """The staged rows against the values public now (the latest published per key), and
    jumps against the previous year's public value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PUBLIC} ON COMMIT DROP AS "
            "SELECT DISTINCT ON (o.indicator_id, o.district_id, o.year) o.indicator_id, "
            "o.district_id, o.year, o.value, o.numerator, o.denominator, o.status "
            "FROM indicators_observation o JOIN indicators_release r ON r.id = o.release_id "
            "WHERE r.status = 'published' "
            f"AND o.indicator_id IN (SELECT indicator_id FROM {STAGING}) "
            f"AND o.district_id IN (SELECT district_id FROM {STAGING}) "
            f"AND o.year IN (SELECT year FROM {STAGING} UNION SELECT year - 1 FROM {STAGING}) "
            "ORDER BY o.indicator_id, o.district_id, o.year, r.published_at DESC, r.id DESC"
        )
        if not cursor.rowcount:
            return Preview(new=staged.count), []
        cursor.execute(f"ANALYZE {PUBLIC}")
        keyed = (
            f"FROM {STAGING} s JOIN {PUBLIC} p ON p.indicator_id = s.indicator_id "
            "AND p.district_id = s.district_id AND p.year = s.year"
        )
        cursor.execute(f"SELECT count(*) FILTER (WHERE {SAME}), count(*) {keyed}")
        unchanged, known = cursor.fetchone()
        preview = Preview(
            new=staged.count - known, unchanged=unchanged, changed_count=known - unchanged
        )
        if preview.changed_count:
            cursor.execute(
                "SELECT s.row, i.slug, d.code, s.year, p.value, p.numerator, p.denominator, "
                "p.status, s.value, s.numerator, s.denominator, s.status "
                f"{keyed} JOIN indicators_indicator i ON i.id = s.indicator_id "
                "JOIN districts_district d ON d.id = s.district_id "
                f"WHERE NOT ({SAME}) ORDER BY s.seq LIMIT %s",
                [LISTED],
            )
            preview.changed = [
                Change(row, slug, code, year, _shown(*old), _shown(*new))
                for row, slug, code, year, *values in cursor.fetchall()
                for old, new in [(values[:4], values[4:])]
            ]
        jump = getattr(settings, "ATLAS_IMPORT_JUMP_SHARE", 0.5)
        jumps = (
            f"FROM {STAGING} s JOIN {PUBLIC} p ON p.indicator_id = s.indicator_id "
            "AND p.district_id = s.district_id AND p.year = s.year - 1 "
            "JOIN indicators_indicator i ON i.id = s.indicator_id "
            "JOIN districts_district d ON d.id = s.district_id "
            "WHERE p.value <> 0 AND s.value IS NOT NULL "
            "AND abs(s.value - p.value) / abs(p.value) > %s"
        )
        cursor.execute(
            f"SELECT s.row, i.slug, d.code, s.year, p.value, s.value {jumps} "
            "ORDER BY s.seq LIMIT %s",
            [jump, LISTED + 1],
        )
        rows = cursor.fetchall()
        count = len(rows)
        if count > LISTED:
            cursor.execute(f"SELECT count(*) {jumps}", [jump])
            count = cursor.fetchone()[0]
    warnings = []
    for row, slug, code, year, before, value in rows[:LISTED]:
        share = abs(value - before) / abs(before)
        warnings.append(
            f"Zeile {row}: {slug} in {code} ändert sich gegenüber {year - 1} um {share:.0%} "
            f"({_number(before)} → {_number(value)})"
        )
    if count > LISTED:
        warnings.append(
            _("%(count)d weitere Sprünge gegenüber dem Vorjahr, nicht einzeln aufgeführt")
            % {"count": count - LISTED}
        )
    return preview, warnings


def _sum_warnings(staged: _Staged) -> list[str]:
    """Counts whose city value in the file differs from the sum of its districts in the file
    (those of a level lying wholly in the city, all of them present)."""
    if not staged.cities:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH counts AS (SELECT s.seq, s.indicator_id, s.district_id, s.year, s.value, "
            f"d.level_id FROM {STAGING} s JOIN indicators_indicator i ON i.id = s.indicator_id "
            "JOIN districts_district d ON d.id = s.district_id "
            "WHERE i.kind = 'count' AND s.value <> 0) "
            "SELECT i.slug, c.year, sum(p.value), c.value FROM counts c "
            "JOIN districts_level l ON l.id = c.level_id AND l.slug = 'stadt' "
            "JOIN districts_overlap o ON o.target_id = c.district_id AND o.area_share = 1 "
            "JOIN counts p ON p.district_id = o.source_id AND p.indicator_id = c.indicator_id "
            "AND p.year = c.year AND p.level_id <> c.level_id "
            "JOIN indicators_indicator i ON i.id = c.indicator_id "
            "GROUP BY c.seq, c.district_id, i.slug, c.year, c.value, p.level_id "
            "HAVING abs(sum(p.value) - c.value) > 0.5 AND count(*) = ("
            "SELECT count(*) FROM districts_overlap w JOIN districts_district x "
            "ON x.id = w.source_id WHERE w.target_id = c.district_id AND w.area_share = 1 "
            "AND x.level_id = p.level_id) "
            "ORDER BY c.seq, p.level_id"
        )
        return [
            f"{slug} {year}: Summe der Bezirke {_number(total)} ≠ Stadtwert {_number(value)}"
            for slug, year, total, value in cursor.fetchall()
        ]


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
    # Checked and, if a spreadsheet, read in the box (tables.open_table) before the lock: a
    # file that is slow to read holds up no other import.
    source = open_table(path)
    # One import at a time: a second one waits here, so two uploads never interleave.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('atlas.import_values'))")
    lookup = _Lookup.load()
    layout = _layout(source.header, lookup, mapping or {})
    german, decided = _number_format(source, layout)
    _create_staging()
    staged = _stage(source, layout, _Checker(lookup, german=german))
    errors = _errors(staged, layout.names, path) + _outside_themes(user, path)
    if errors:
        raise ImportRejected(errors)
    preview, warnings = _preview(staged)
    warnings += _sum_warnings(staged)
    result = ValueImportResult(
        None, staged.count, decided, dry_run=dry_run, description=source.description,
        preview=preview, warnings=warnings,
    )  # fmt: skip
    if dry_run:
        _drop_staging()
        return result

    release = Release(title=title, source_filename=path.name, sha256=source.sha256, created_by=user)
    store_on_commit(release.source_file, path)
    release.save()
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "indicators_observation" (release_id, indicator_id, district_id, year, '
            "reference_date, value, numerator, denominator, status, note) "
            "SELECT %s, indicator_id, district_id, year, make_date(year, 12, 31), value, "
            f"numerator, denominator, status, note FROM {STAGING}",
            [release.pk],
        )
    _drop_staging()
    audit.record(
        user=user, obj=release, added=True,
        message=f"{staged.count} Werte aus {path.name} (SHA-256 {release.sha256[:12]}…)",
    )  # fmt: skip
    if publish:
        release.status = Release.Status.PUBLISHED
        release.published_at = timezone.now()
        release.published_by = user
        release.save(update_fields=["status", "published_at", "published_by"])
    result.release = release
    return result


def _number_format(source: Source, layout: _Layout) -> tuple[bool, str]:
    """The file's number format, decided in one pass that also finds rows with more fields
    than the header (reported first: they make every other message doubtful)."""
    too_long, width = [], len(layout.header)

    def check_width(number: int, row: list[str]) -> None:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            extra = ", ".join(row[width:])
            too_long.append(RowError(number, "Zeile", extra, "mehr Felder als Spalten im Kopf"))

    try:
        german, decided = source.number_format(layout.numbers, check_width)
    except ImportRejected:
        if too_long:
            raise ImportRejected(too_long) from None
        raise
    if too_long:
        raise ImportRejected(too_long)
    return german, decided


def _holds_numbers(role) -> bool:
    """Value columns of the long layout, indicator columns of the wide one, unknown ones."""
    return role is None or role[0] == "wide" or role[1:] in (("value",), ("numerator",),
                                                              ("denominator",))  # fmt: skip
