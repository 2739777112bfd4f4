"""The columns of a value file: the names the import understands (long and wide layout, in
German or English, or a column mapping chosen in the admin), where each field is, and the
file's values as records of text, one per value.
"""

import difflib
import operator
from collections.abc import Collection, Container, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.importing import ImportRejected, RowError
from indicators.models import Indicator

from ..tables import Source, open_table
from .number_format import holds_numbers

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
    "approximate", "vergleich_stadt", "quelle", "lizenz", "lizenz_url", "namensnennung",
    "demodaten", "datenstand",
}  # fmt: skip
# A public download (its reader's columns "lizenz" and "datenstand" tell it) shows withheld
# values as "." and estimates for areas cut by a district: read back in, a "." would replace the
# stored number and an estimate would pass for a delivered value. Both kinds of row are left
# out, so the values behind them stay as they are; every other row is read as usual.
PUBLIC_MARKERS = frozenset({"lizenz", "datenstand"})
WITHHELD = "."
# The approximate column of each dialect of the download, and the entry that marks an estimate.
APPROXIMATE = {"ungefaehr": "ja", "approximate": "true"}
REQUIRED = ("area", "indicator", "year", "value")
GERMAN_NAMES = {"area": "gebiet", "indicator": "indikator", "year": "jahr", "value": "wert"}
YEARS = range(1950, 2101)
# The order of the fields a record is checked from (see checks.Checker.check).
FIELDS = ("area", "level", "indicator", "year", "value", "numerator", "denominator", "status",
          "note")  # fmt: skip
VALUE, STATUS = FIELDS.index("value"), FIELDS.index("status")


def suggest(word: str, options) -> str:
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
class Layout:
    """Where a file keeps what: the column of each field, and the indicator columns of a wide
    file (column, slug, year or None)."""

    header: list[str]
    index: dict[str, int]  # field → column; absent fields point at an empty cell
    names: dict[str, str]  # field → the file's column name, for messages
    wide: list[tuple[int, str, int | None]]
    numbers: list[int]  # the columns whose text decides the number format
    public: bool = False  # the file is a public download (PUBLIC_MARKERS)
    approximate: tuple[int, str] | None = None  # a public download's estimate column, its "yes"
    skipped_withheld: int = 0  # rows of a public download left out: withheld (".")
    skipped_approximate: int = 0  # rows of a public download left out: estimates


def layout_of(header: list[str], indicators: Collection[str], mapping: dict[str, str]) -> Layout:
    """The layout of the file (long or wide, or by a mapping); raises ImportRejected for
    a broken mapping and for unknown and missing columns."""
    broken = mapping_errors(mapping, indicators=indicators)
    if broken:
        raise ImportRejected(broken)
    roles = _roles(header, mapping)
    keys = {role[1] for role in roles if role and role[0] == "key"}
    wide = "indicator" not in keys and "value" not in keys
    if wide:
        # Unnamed columns of a wide file are indicators by their slug.
        for i, name in enumerate(header):
            if roles[i] is None and name.strip() in indicators:
                roles[i] = ("wide", name.strip(), None)
    unknown = [
        RowError(1, name, name, "unbekannte Spalte" + suggest(name, indicators))
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
    numbers = [i for i, role in enumerate(_roles(header, mapping)) if holds_numbers(role)]
    wide_columns = [(i, r[1], r[2]) for i, r in enumerate(roles) if r and r[0] == "wide"]
    lowered = [name.strip().lower() for name in header]
    public = not wide_columns and set(lowered) >= PUBLIC_MARKERS
    approximate = next(((i, APPROXIMATE[name]) for i, name in enumerate(lowered)
                        if public and name in APPROXIMATE), None)  # fmt: skip
    return Layout(header, index, names, wide_columns, numbers, public, approximate)


def unmapped_columns(path: Path, mapping: dict[str, str] | None = None) -> list[str]:
    """Headers of a file the import does not understand (for the admin's mapping step)."""
    header = open_table(path).header
    indicators = set(Indicator.objects.values_list("slug", flat=True))
    broken = mapping_errors(mapping or {}, indicators=indicators)
    if broken:
        raise ImportRejected(broken)
    roles = _roles(header, mapping or {})
    return [
        name
        for name, role in zip(header, roles, strict=True)
        if role is None and name.strip() and name.strip() not in indicators
    ]


def records(source: Source, layout: Layout) -> Iterator[tuple[int, Sequence[str], dict[str, str]]]:
    """(row number, texts of FIELDS, the file's names of FIELDS) of every value of the file: a
    row of the long layout, or each filled indicator cell of a row of the wide one."""
    texts_of = operator.itemgetter(*(layout.index[name] for name in FIELDS))
    width = len(layout.header)
    pad = [""] * (width + 1)
    # In the wide layout, the value of a record is named by its indicator's column.
    wide_names = {column: {**layout.names, "value": layout.header[column]}
                  for column, _slug, _year in layout.wide}  # fmt: skip
    for number, row in source.rows():
        cells = [cell.strip() for cell in row]
        if len(cells) <= width:
            cells += pad[len(cells) :]  # missing cells are empty, and so is [width]
        texts = texts_of(cells)
        if layout.public and WITHHELD in (texts[VALUE], texts[STATUS]):
            layout.skipped_withheld += 1
            continue
        if layout.approximate and cells[layout.approximate[0]].lower() == layout.approximate[1]:
            layout.skipped_approximate += 1
            continue
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
