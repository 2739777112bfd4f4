"""Open-data downloads: tidy tables (CSV, XLSX) and a GeoPackage of the districts.

Every number comes from the read path (indicators.selectors), so a value withheld there is
withheld here: its cell stays empty and its status is ".". Each file states the licence, the
source of every indicator and the release(s) the values came from.

The tidy layout is one row per area, indicator and year. Its key columns are those the value
import reads (gebiet, ebene, indikator, jahr, wert, zaehler, nenner, status, hinweis), so a
release's German CSV can be read back in; the other columns are for readers and are skipped
by the import.
"""

import csv
import datetime
import io
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from districts.models import District, Level
from indicators import marks, social_index, stats
from indicators.models import Indicator, Observation, Release, Theme
from indicators.selectors import (
    AreaValue,
    LevelValues,
    districts_in_year,
    release_contents,
    value_releases,
    year_tables,
)


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal: str
    statuses: dict[str, str]
    approximate: str  # the name of the column that marks approximate values
    yes_no: tuple[str, str]  # its two entries
    # A byte order mark: Excel in a German locale needs it to read UTF-8; programs reading the
    # international dialect (pandas, R, GDAL) take it for part of the first column's name.
    bom: bool


# The words for the statuses that carry a number, defined once: German files (CSV "de", XLSX)
# write the words their metadata explains (STATUS_NOTES, the model's German labels); the
# international CSV writes the API's codes, which are the English words.
GERMAN_STATUSES = {"normal": "normal", "provisional": "vorläufig", "estimated": "geschätzt"}
ENGLISH_STATUSES = {"normal": "normal", "provisional": "provisional", "estimated": "estimated"}

DIALECTS = {
    # Excel in a German locale opens this by double click: semicolons, decimal comma, BOM.
    "de": Dialect("de", ";", ",", GERMAN_STATUSES, "ungefaehr", ("ja", "nein"), bom=True),
    "international": Dialect(
        "international", ",", ".", ENGLISH_STATUSES, "approximate", ("true", "false"), bom=False
    ),
}

# The import reads "gebiet" … "status" and "hinweis" back in; the approximate column, named
# by the dialect, stands after "status".
HEADER = [
    "gebiet", "gebietsname", "ebene", "indikator", "indikatorname", "jahr", "wert",
    "ki_unten", "ki_oben", "zaehler", "nenner", "einheit", "status", "vergleich_stadt",
    "hinweis", "quelle", "lizenz", "lizenz_url", "namensnennung", "demodaten", "datenstand",
]  # fmt: skip
APPROXIMATE_AFTER = HEADER.index("status") + 1


def header(dialect: Dialect) -> list[str]:
    return [*HEADER[:APPROXIMATE_AFTER], dialect.approximate, *HEADER[APPROXIMATE_AFTER:]]


COLUMN_NOTES = [
    ("gebiet", "Schlüssel des Gebiets"),
    ("gebietsname", "Name des Gebiets"),
    ("ebene", "Gebietsebene (stadt, stadtbezirk, statistischer-bezirk, …)"),
    ("indikator", "Kennung des Indikators"),
    ("indikatorname", "Name des Indikators"),
    ("jahr", "Berichtsjahr (Stichtag 31. Dezember)"),
    ("wert", "Wert; leer, wo ein Zeichen in „status“ für ihn steht"),
    ("ki_unten", "untere Grenze des 95-%-Konfidenzintervalls"),
    ("ki_oben", "obere Grenze des 95-%-Konfidenzintervalls"),
    ("zaehler", "Zähler (bei Quoten)"),
    ("nenner", "Nenner (bei Quoten)"),
    ("einheit", "Einheit des Werts"),
    ("status", f"{', '.join(GERMAN_STATUSES.values())} oder ein Zeichen nach DIN 55301"),
    (
        DIALECTS["de"].approximate,
        f"{DIALECTS['de'].yes_no[0]}: angenäherter Wert, aus Teilen von Gebieten einer anderen "
        "Ebene geschätzt (gewichtet mit ihrem Flächen- oder Bevölkerungsanteil), gerundet: der "
        "Wert auf die Nachkommastellen des Indikators, Zähler und Nenner auf ganze Zahlen; "
        "ohne Konfidenzintervall und ohne Vergleich mit der Stadt; "
        f"{DIALECTS['de'].yes_no[1]}: gezählter Wert; leer, wo kein Wert steht. In der "
        f"internationalen CSV-Datei heißt die Spalte „{DIALECTS['international'].approximate}“ "
        f"({' / '.join(DIALECTS['international'].yes_no)})",
    ),
    ("vergleich_stadt", "Vergleich mit dem Wert der Stadt über das Konfidenzintervall"),
    ("hinweis", "Grund für einen fehlenden Wert, angenäherte Werte"),
    ("quelle", "Quelle des Indikators"),
    ("lizenz", "Lizenz der Daten (Kennung)"),
    ("lizenz_url", "Text der Lizenz"),
    ("namensnennung", "Namensnennung, die die Lizenz bei jeder Weitergabe verlangt"),
    (
        "demodaten",
        f"{DIALECTS['de'].yes_no[0]}: Demodaten (synthetisch, nicht amtlich), "
        f"{DIALECTS['de'].yes_no[1]}: amtliche Daten; in der internationalen CSV-Datei "
        f"{' / '.join(DIALECTS['international'].yes_no)}",
    ),
    (
        "datenstand",
        "Nummer des Datenstands (Veröffentlichung), aus dem der Wert stammt; bei einem Wert, "
        "der aus Werten mehrerer Datenstände berechnet ist (etwa für eine höhere Ebene), der "
        "jüngste von ihnen. Alle Datenstände der Datei stehen in den Metadaten",
    ),
]

STATUS_NOTES = [
    (GERMAN_STATUSES["normal"], "endgültiger Wert"),
    (GERMAN_STATUSES["provisional"], "vorläufiger Wert"),
    (GERMAN_STATUSES["estimated"], "geschätzter Wert"),
    (".", "Zahlenwert unbekannt oder geheim zu halten (auch: zu geringe Fallzahl)"),
    ("-", "nichts vorhanden"),
    ("x", "Tabellenfach gesperrt, weil Aussage nicht sinnvoll (z. B. nicht summierbar)"),
    ("/", "keine Angabe, da Zahlenwert nicht sicher genug"),
    ("...", "Angabe fällt später an"),
]

SUPPRESSION_NOTE = (
    "Werte mit zu geringer Fallzahl und Werte, aus denen sie sich zurückrechnen ließen, sind "
    "gesperrt: „wert“ ist leer, „status“ ist „.“."
)
INTERVAL_NOTE = (
    "95 %: Wilson-Intervall für Anteile, exaktes Poisson-Intervall für Raten je Einwohner; "
    "keines für Salden und keines für angenäherte Werte (ihr Schätzfehler aus der Aufteilung "
    "ist unbekannt), daher für sie auch kein Vergleich mit der Stadt."
)
REASONS = {
    stats.DISCLOSURE: "Geheimhaltung: zu geringe Fallzahl oder aus anderen Werten rückrechenbar",
    stats.NOT_ROLLABLE: "nicht summierbar (Index oder Median)",
    stats.INCOMPLETE: "unvollständig: für einen Teil des Gebiets liegt kein Wert vor",
    social_index.INCOMPLETE_CORE: (
        "kein Index: nicht für jeden Kernindikator ist ein Wert veröffentlicht"
    ),
}
COMPARISONS = {
    "above": "signifikant höher als die Stadt",
    "below": "signifikant niedriger als die Stadt",
    "not_different": "nicht signifikant verschieden",
}
APPROXIMATE = "angenähert: aus Teilen von Gebieten einer anderen Ebene geschätzt"

# Text a spreadsheet would run as a formula (CSV injection); the atlas's own DIN symbol "-"
# is a complete cell, not the start of one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SYMBOLS = {s.value for s in Observation.Status} - set(Observation.WITH_VALUE)

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GPKG_TYPE = "application/geopackage+sqlite3"


@dataclass(frozen=True)
class Licence:
    """A licence the atlas publishes data under: what every output says about it."""

    identifier: str
    name: str
    url: str
    uri: str  # as DCAT-AP.de's vocabulary of licences names it
    attribution: str = ""  # the text re-users are to show with the data


# Licences a theme can be published under (ATLAS_THEME_LICENSES): name, text, DCAT-AP.de IRI.
KNOWN_LICENCES = {
    "dl-de/by-2-0": (
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "https://www.govdata.de/dl-de/by-2-0",
        "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    ),
    "dl-de/zero-2-0": (
        "Datenlizenz Deutschland – Zero – Version 2.0",
        "https://www.govdata.de/dl-de/zero-2-0",
        "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    ),
    "CC-BY-4.0": (
        "Creative Commons Namensnennung 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "http://dcat-ap.de/def/licenses/cc-by/4.0",
    ),
    "CC0-1.0": (
        "Creative Commons Zero 1.0 Universell",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "http://dcat-ap.de/def/licenses/cc-zero",
    ),
}


def licence(theme: str | None = None) -> Licence:
    """The licence of a dataset (a theme, by slug), by default ATLAS_DATA_LICENSE.

    Every output — pages, fact sheet, downloads, GeoPackage, OGC API, DCAT — takes the
    licence and its attribution from here. An indicator's ``licence`` is its source's, not
    the atlas's.
    """
    identifier = settings.ATLAS_THEME_LICENSES.get(theme or "", settings.ATLAS_DATA_LICENSE)
    if identifier == settings.ATLAS_DATA_LICENSE:
        name, url, uri = (
            settings.ATLAS_DATA_LICENSE_NAME,
            settings.ATLAS_DATA_LICENSE_URL,
            settings.ATLAS_DATA_LICENSE_URI,
        )
    elif identifier in KNOWN_LICENCES:
        name, url, uri = KNOWN_LICENCES[identifier]
    else:
        raise ImproperlyConfigured(
            f"ATLAS_THEME_LICENSES: unknown licence {identifier!r} for theme {theme!r}; "
            f"known: {', '.join(KNOWN_LICENCES)}"
        )
    atlas = f"Demografie- und Sozialatlas {settings.ATLAS_CITY_NAME}"
    return Licence(identifier, name, url, uri, f"{publisher()}, {atlas}, {identifier} ({url})")


def publisher() -> str:
    return settings.ATLAS_DATA_PUBLISHER


def attribution(theme: str | None = None) -> str:
    """The attribution the licence asks of re-users."""
    return licence(theme).attribution


DEMO_NOTE = "Demodaten: synthetisch erzeugt, nicht amtlich; nicht für Entscheidungen geeignet"


def neutralise(text: str) -> str:
    """Text a spreadsheet would read as a formula gets a leading apostrophe."""
    if text.startswith(FORMULA_STARTS) and text not in SYMBOLS:
        return "'" + text
    return text


@dataclass(frozen=True)
class Row:
    """One area, indicator and year as the read path gives it, with where its value came from."""

    indicator: Indicator
    year: int
    area: AreaValue
    releases: tuple[int, ...]


@dataclass
class Download:
    """Rows ready to write, and what the metadata says about them."""

    title: str
    rows: list[Row]
    releases: list[Release]

    @property
    def licences(self) -> list[Licence]:
        """The licences of the themes in the file (the default one for an empty file)."""
        return list(dict.fromkeys(licence(t.slug) for t in self.themes)) or [licence()]

    @property
    def themes(self) -> list[Theme]:
        seen = {}
        for row in self.rows:
            seen.setdefault(row.indicator.theme_id, row.indicator.theme)
        return sorted(seen.values(), key=lambda t: (t.order, t.slug))


def _cells(row: Row, dialect: Dialect, licences: dict[str, Licence]) -> list:
    """A row as typed cells: numbers stay numbers, text is text. ``licences``: each theme's
    licence, filled as the file's rows meet them (a file has thousands of rows, few themes)."""
    area, cell, indicator = row.area, row.area.cell, row.indicator
    notes = []
    if cell is not None and cell.reason:
        notes.append(REASONS.get(cell.reason, cell.reason))
    if area.approximate:
        notes.append(APPROXIMATE)
    if indicator.is_demo:
        notes.append("Demodaten: synthetisch, nicht amtlich")
    theme = indicator.theme.slug
    lic = licences.get(theme)
    if lic is None:
        lic = licences[theme] = licence(theme)
    has_value = cell is not None and cell.has_value
    status = ""
    if cell is not None:
        status = dialect.statuses.get(cell.status, cell.status)
    shown = marks.numbers(area, indicator)
    return [
        area.code,
        area.name,
        area.level,
        indicator.slug,
        indicator.name_de,
        row.year,
        shown.value,
        area.interval[0] if has_value and area.interval else None,
        area.interval[1] if has_value and area.interval else None,
        shown.numerator,
        shown.denominator,
        indicator.unit_de,
        status,
        (dialect.yes_no[0] if area.approximate else dialect.yes_no[1]) if has_value else "",
        COMPARISONS.get(area.comparison or "", ""),
        "; ".join(notes),
        indicator.source,
        lic.identifier,
        lic.url,
        lic.attribution,
        dialect.yes_no[0] if indicator.is_demo else dialect.yes_no[1],
        row.releases[-1] if row.releases else None,
    ]


def _plain(number: float, decimal: str) -> str:
    """All digits the read path has, never in exponent notation (1e-05 is no German number)."""
    text = str(int(number)) if float(number).is_integer() else format(Decimal(repr(number)), "f")
    return text.replace(".", decimal)


def _csv_text(value, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return _plain(value, dialect.decimal)
    return neutralise(str(value))


def to_csv(download: Download, *, dialect: Dialect) -> bytes:
    """The tidy table as CSV in UTF-8, with a BOM where the dialect asks for one."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(header(dialect))
    licences: dict[str, Licence] = {}
    for row in download.rows:
        writer.writerow([_csv_text(value, dialect) for value in _cells(row, dialect, licences)])
    return encode_csv(buffer.getvalue(), dialect)


def encode_csv(text: str, dialect: Dialect) -> bytes:
    return text.encode("utf-8-sig" if dialect.bom else "utf-8")


def _xlsx_value(value):
    return neutralise(value) if isinstance(value, str) else value


# The columns an indicator's decimals apply to in a worksheet.
DECIMAL_COLUMNS = ("wert", "ki_unten", "ki_oben")


def number_format(decimals: int) -> str:
    """Thousands grouped, exactly the indicator's decimals (Excel localises the separators)."""
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _xlsx_row(row: Row, sheet, positions: list[int], licences: dict[str, Licence]) -> list:
    """A row of a worksheet: the value and its interval rounded to the indicator's decimals,
    in a format that shows them; the CSV keeps every digit for programs."""
    cells = [_xlsx_value(v) for v in _cells(row, DIALECTS["de"], licences)]
    decimals = max(row.indicator.decimals, 0)
    for i in positions:
        if isinstance(cells[i], int | float) and not isinstance(cells[i], bool):
            cell = WriteOnlyCell(sheet, value=round(cells[i], decimals))
            cell.number_format = number_format(decimals)
            cells[i] = cell
    return cells


def bold_cell(text: str, sheet, font: Font) -> WriteOnlyCell:
    """A header cell of a write-only worksheet, in ``font``."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")
    if len(base) > 31:
        # Cut at a word boundary, without a dangling bracket or dash.
        base = base[:31].rsplit(" ", 1)[0].rstrip(" (-–,")
    base = base or "Blatt"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def to_xlsx(download: Download, *, downloaded: datetime.datetime | None = None) -> bytes:
    """One worksheet per theme with the tidy rows, and a worksheet of metadata."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    dialect = DIALECTS["de"]
    taken: set[str] = {"metadaten"}
    licences: dict[str, Licence] = {}
    by_theme = defaultdict(list)
    for row in download.rows:
        by_theme[row.indicator.theme_id].append(row)
    for theme in download.themes:
        sheet = book.create_sheet(_sheet_title(theme.name_de, taken))
        sheet.freeze_panes = "A2"
        for letter, width in (("B", 28), ("D", 24), ("E", 40), ("O", 30), ("P", 40)):
            sheet.column_dimensions[letter].width = width
        names = header(dialect)
        sheet.append([bold_cell(name, sheet, bold) for name in names])
        positions = [names.index(name) for name in DECIMAL_COLUMNS]
        for row in by_theme[theme.id]:
            sheet.append(_xlsx_row(row, sheet, positions, licences))
    meta = book.create_sheet("Metadaten")
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 90
    for line in metadata_lines(download, downloaded=downloaded):
        cells = [_xlsx_value(v) for v in line]
        meta.append([bold_cell(cells[0], meta, bold), *cells[1:]] if cells else [])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _date(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y") if moment else ""


def metadata_lines(
    download: Download, *, downloaded: datetime.datetime | None = None
) -> list[list[str]]:
    """What a reader of a download needs besides the values: licence, sources, releases."""
    downloaded = downloaded or timezone.now()
    sources = sorted({row.indicator.source for row in download.rows if row.indicator.source})
    lines = [["Titel", download.title], ["Herausgeber", publisher()]]
    lines += licence_lines(download.licences)
    if any(row.indicator.is_demo for row in download.rows):
        lines.append(["Demodaten", DEMO_NOTE + " (Spalte „demodaten“)"])
    lines += [
        # Kept once per data state (atlas/kept.py): the day the file was made.
        ["Erstellt am", _date(downloaded)],
        [],
        ["Datenstände", "Nummer, Titel, veröffentlicht am"],
    ]
    lines += [
        [str(release.pk), f"{release.title}, veröffentlicht am {_date(release.published_at)}"]
        for release in download.releases
    ]
    lines += [[], ["Quellen", ""]]
    lines += [["", source] for source in sources]
    lines += [[], ["Zeichen in „status“", "Bedeutung (DIN 55301)"]]
    lines += [[symbol, meaning] for symbol, meaning in STATUS_NOTES]
    lines += [
        [],
        ["Geheimhaltung", SUPPRESSION_NOTE],
        ["Konfidenzintervall", INTERVAL_NOTE],
        [],
        ["Spalte", "Inhalt"],
    ]
    lines += [[name, meaning] for name, meaning in COLUMN_NOTES]
    return lines


def licence_lines(licences: list[Licence]) -> list[list[str]]:
    """The metadata lines of each licence a file's data are under."""
    lines = []
    for lic in licences:
        lines += [
            ["Lizenz", f"{lic.name} ({lic.identifier})"],
            ["Lizenztext", lic.url],
            ["Namensnennung", lic.attribution],
        ]
    return lines


def _releases(ids) -> list[Release]:
    return list(Release.objects.filter(pk__in=set(ids)).order_by("published_at", "pk"))


def _provenance(indicators: list[Indicator], years: list[int]):
    """Which release each raw value came from, and all releases behind an indicator-year."""
    by_key = value_releases(indicator_ids=[i.id for i in indicators], years=years)
    by_indicator_year = defaultdict(set)
    by_year = defaultdict(set)
    for (indicator_id, _, year), release_id in by_key.items():
        by_indicator_year[(indicator_id, year)].add(release_id)
        by_year[year].add(release_id)

    published = Release.objects.filter(pk__in=set(by_key.values())).order_by("published_at", "pk")
    order = {pk: i for i, pk in enumerate(published.values_list("pk", flat=True))}

    def releases(indicator: Indicator, district_id: int, year: int) -> tuple[int, ...]:
        """The releases behind a value, the most recently published last."""
        if (indicator.id, district_id, year) in by_key:
            return (by_key[(indicator.id, district_id, year)],)
        # A roll-up or a computed value draws on the indicator-year (or the whole year).
        found = by_indicator_year.get((indicator.id, year)) or by_year.get(year, set())
        return tuple(sorted(found, key=order.__getitem__))

    return releases


def release_download(release: Release, *, theme: Theme | None = None) -> Download:
    """Every value a published release delivered, as the read path shows it now.

    A value a later release corrected appears with the corrected number and names that release.
    """
    keys = release_contents(release=release)
    indicators = {
        i.id: i
        for i in Indicator.objects.select_related("theme").filter(id__in={k[0] for k in keys})
        if theme is None or i.theme_id == theme.pk
    }
    keys = [k for k in keys if k[0] in indicators]
    years = sorted({k[2] for k in keys})
    tables = year_tables(indicators=indicators.values(), years=years)
    releases = _provenance(list(indicators.values()), years)
    ranks = dict(Level.objects.values_list("slug", "rank"))
    rows = []
    for indicator_id, district_id, year in keys:
        indicator = indicators[indicator_id]
        area = tables[(indicator.slug, year)].areas.get(district_id)
        if area is None:
            continue  # the district has no boundary at the end of that year
        rows.append(Row(indicator, year, area, releases(indicator, district_id, year)))
    rows.sort(
        key=lambda r: (
            r.indicator.theme.order, r.indicator.theme.slug, r.indicator.order,
            r.indicator.slug, ranks.get(r.area.level, 0), r.area.code, r.year,
        )
    )  # fmt: skip
    title = f"Demografie- und Sozialatlas {settings.ATLAS_CITY_NAME}: Datenstand {release.title}"
    if theme is not None:
        title += f", {theme.name_de}"
    return Download(title, rows, _releases(r for row in rows for r in row.releases))


def table_download(values: LevelValues) -> Download:
    """The map's table (one indicator, level and year, maybe within a Stadtbezirk)."""
    indicator, year = values.indicator, values.year
    releases = _provenance([indicator], [year])
    rows = [Row(indicator, year, a, releases(indicator, a.district_id, year)) for a in values.areas]
    title = (
        f"Demografie- und Sozialatlas {settings.ATLAS_CITY_NAME}: {indicator.name_de} {year}, "
        f"{values.level.name_plural_de}"
    )
    return Download(title, rows, _releases(r for row in rows for r in row.releases))


# The GeoPackage's columns beside each indicator's value column.
GPKG_STATUS = "_status"
GPKG_APPROXIMATE = "_ungefaehr"
GPKG_DEMO = "demodaten"
GPKG_VERSION = "1.3"
GPKG_NOTE = (
    "Je Indikator drei Spalten: <Kennung> der Wert (NULL, wo keiner steht); "
    f"<Kennung>{GPKG_STATUS} sein Status: {', '.join(GERMAN_STATUSES.values())} oder das "
    "Zeichen nach DIN 55301, das für den fehlenden Wert steht („.“ gesperrt (Geheimhaltung) "
    "oder unbekannt, „x“ nicht sinnvoll, z. B. nicht summierbar, „...“ Angabe fällt später an, "
    "„-“ nichts vorhanden, „/“ nicht sicher genug), NULL, wo für das Gebiet nichts "
    f"veröffentlicht ist; <Kennung>{GPKG_APPROXIMATE} wahr bei angenäherten Werten (aus Teilen "
    "von Gebieten einer anderen Ebene geschätzt, auf die Nachkommastellen des Indikators "
    "gerundet)."
)


def _gpkg_columns(indicator: Indicator, areas: list[AreaValue | None]) -> dict[str, list]:
    """An indicator's value, status and approximate columns for the areas of a layer."""
    import pandas as pd

    cells = [area.cell if area is not None else None for area in areas]
    return {
        indicator.slug: pd.array(
            [marks.numbers(area, indicator).value for area in areas], dtype="Float64"
        ),
        indicator.slug + GPKG_STATUS: [
            GERMAN_STATUSES.get(cell.status, cell.status) if cell and cell.status else None
            for cell in cells
        ],
        indicator.slug + GPKG_APPROXIMATE: pd.array(
            [area.approximate if area is not None and area.has_value else None for area in areas],
            dtype="boolean",
        ),
    }


def districts_gpkg(*, year: int) -> bytes:
    """Districts valid at the end of the year, one layer per level, three columns per
    indicator: value, status and whether the value is approximate (GPKG_NOTE).

    Columns hold the read path's numbers, approximate ones rounded. Boundaries are in
    EPSG:25832, as stored.
    """
    import geopandas as gpd
    import pyogrio
    import shapely

    indicators = list(Indicator.objects.select_related("theme"))
    tables = year_tables(indicators=indicators, years=[year])
    releases = _releases(
        value_releases(indicator_ids=[i.id for i in indicators], years=[year]).values()
    )
    licences = list(dict.fromkeys(licence(i.theme.slug) for i in indicators)) or [licence()]
    demo = [i.slug for i in indicators if i.is_demo]
    dataset_metadata = {
        "title": f"Demografie- und Sozialatlas {settings.ATLAS_CITY_NAME}: Gebiete {year}",
        "publisher": publisher(),
        "license": "; ".join(f"{lic.name} ({lic.identifier}) {lic.url}" for lic in licences),
        "attribution": "; ".join(lic.attribution for lic in licences),
        "demo": (
            f"{DEMO_NOTE}: Spalte {GPKG_DEMO} wahr, wo die Grenze des Gebiets oder ein Wert "
            "Demodaten sind; Indikatoren mit Demodaten: "
            + ("alle" if len(demo) == len(indicators) else ", ".join(demo))
        )
        if demo or District.objects.filter(is_demo=True).exists()
        else "keine Demodaten",
        "releases": "; ".join(f"{r.pk}: {r.title} ({_date(r.published_at)})" for r in releases),
        "sources": "; ".join(sorted({i.source for i in indicators if i.source})),
        "columns": GPKG_NOTE,
        "created": _date(timezone.now()),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gebiete.gpkg"
        written = False
        for level in Level.objects.order_by("rank"):
            districts = list(
                districts_in_year(level=level, year=year)
                .annotate(wkb=AsWKB("boundary"))
                .order_by("code")
                .values_list("code", "name", "wkb", "is_demo")
            )
            if not districts:
                continue
            data = {
                "code": [d[0] for d in districts],
                "name": [d[1] for d in districts],
                GPKG_DEMO: [bool(d[3] or demo) for d in districts],
            }
            for indicator in indicators:
                by_code = {a.code: a for a in tables[(indicator.slug, year)].of_level(level.slug)}
                data |= _gpkg_columns(indicator, [by_code.get(d[0]) for d in districts])
            frame = gpd.GeoDataFrame(
                data,
                geometry=shapely.from_wkb([bytes(d[2]) for d in districts]),
                crs="EPSG:25832",
            )
            pyogrio.write_dataframe(
                frame,
                path,
                layer=level.slug,
                driver="GPKG",
                append=written,
                dataset_metadata=None if written else dataset_metadata,
                # GeoPackage 1.3, not GDAL's default 1.4: GDAL before 3.7 (Debian 12's QGIS)
                # warns that it reads 1.4 "only partially"; the file uses nothing of 1.4.
                dataset_options=None if written else {"VERSION": GPKG_VERSION},
                layer_metadata={"description": f"{level.name_plural_de} {year}"},
            )
            written = True
        return path.read_bytes() if written else b""


def file_name(*parts) -> str:
    """sozialatlas-bottrop-…: a name that says what the file holds."""
    city = slugify(settings.ATLAS_CITY_NAME)
    return "-".join(["sozialatlas", city, *(slugify(str(p)) for p in parts if p)])


# DCAT-AP.de vocabulary: EU file types, IANA media types, the municipality key of the city.
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
}
# Values the atlas's yearly statistics have in the EU vocabularies DCAT-AP.de 3.0 asks for.
ANNUAL = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"


@dataclass(frozen=True)
class Link:
    """A distribution as the catalogue names it: what, where, in which format."""

    title_de: str
    title_en: str
    url: str
    file_type: str
    media_type: str
    download: bool = True  # False: an interface (accessURL only)


def _texts(de: str, en: str) -> list[dict]:
    return [{"@value": de, "@language": "de"}, {"@value": en, "@language": "en"}]


def _iso(moment: datetime.datetime | None) -> dict | None:
    if moment is None:
        return None
    return {"@value": timezone.localtime(moment).isoformat(), "@type": "xsd:dateTime"}


def _distribution(link: Link, lic: Licence, modified) -> dict:
    entry = {
        "@type": "dcat:Distribution",
        "dct:title": _texts(link.title_de, link.title_en),
        "dcat:accessURL": {"@id": link.url},
        "dct:format": {"@id": FILE_TYPE + link.file_type},
        "dcat:mediaType": {"@id": MEDIA_TYPE + link.media_type},
        "dct:license": {"@id": lic.uri},
        "dcatde:licenseAttributionByText": lic.attribution,
    }
    if link.download:
        entry["dcat:downloadURL"] = {"@id": link.url}
    if modified:
        entry["dct:modified"] = modified
    return entry


@dataclass(frozen=True)
class Place:
    """Where the data are: the municipality's key and its bounding box in WGS 84 (lon/lat)."""

    name: str
    code: str | None
    bbox: tuple[float, float, float, float] | None


def _location(place: Place) -> dict:
    """A dct:Location with the geometry DCAT-AP.de asks for (dcat:bbox as WKT in CRS84).

    Its IRI is the municipality key of the DCAT-AP.de vocabulary, which in 3.0 replaces the
    deprecated dcatde:politicalGeocodingURI.
    """
    location = {"@type": "dct:Location", "skos:prefLabel": place.name}
    if place.code:
        location["@id"] = f"{GEOCODING}municipalityKey/{place.code}"
    if place.bbox:
        west, south, east, north = (round(c, 6) for c in place.bbox)
        ring = f"{west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}"
        location["dcat:bbox"] = {"@value": f"POLYGON(({ring}))", "@type": "gsp:wktLiteral"}
    return location


def _dataset_dates(entry: dict) -> dict:
    dates = {}
    if entry.get("issued"):
        dates["dct:issued"] = _iso(entry["issued"])
    if entry.get("modified"):
        dates["dct:modified"] = _iso(entry["modified"])
    return dates


def dcat_catalog(
    *,
    themes: list[dict],
    shared: list[Link],
    home: str,
    catalog_url: str,
    place: Place,
    issued: datetime.datetime | None = None,
    modified: datetime.datetime | None = None,
) -> dict:
    """A DCAT-AP.de 3.0 catalogue with one dataset per theme.

    ``themes``: dicts with the theme, its first and last year, when it was first published
    (issued) and last changed (modified), and the links that hold only its values; ``shared``
    links (GeoPackage, APIs) hold every theme.
    """
    lic = licence()
    city = settings.ATLAS_CITY_NAME
    organisation = {"@type": "foaf:Organization", "foaf:name": publisher()}
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": publisher(),
        "vcard:hasURL": {"@id": home},
    }
    if settings.ATLAS_DATA_CONTACT_EMAIL:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{settings.ATLAS_DATA_CONTACT_EMAIL}"}
    spatial = _location(place)
    geocoding = {}
    if place.code:
        geocoding["dcatde:politicalGeocodingLevelURI"] = {"@id": f"{GEOCODING}Level/municipality"}
    datasets = []
    for entry in themes:
        theme: Theme = entry["theme"]
        theme_licence = licence(theme.slug)
        changed = _iso(entry["modified"])
        names = [i.name_de for i in theme.indicators.all()]
        description_de = theme.description_de or f"Kleinräumige Statistik: {', '.join(names)}."
        description_en = theme.description_en or (
            "Small-area statistics: "
            + ", ".join(i.name_en or i.name_de for i in theme.indicators.all())
            + "."
        )
        if any(i.is_demo for i in theme.indicators.all()):
            description_de += f" {DEMO_NOTE}."
            description_en += (
                " Demo data: generated synthetically, not official; not fit for decisions."
            )
        dataset = {
            "@id": f"{catalog_url}#{theme.slug}",
            "@type": "dcat:Dataset",
            "dct:identifier": file_name(theme.slug),
            "dct:title": _texts(
                f"Demografie- und Sozialatlas {city}: {theme.name_de}",
                f"Demographic and social atlas {city}: {theme.name_en or theme.name_de}",
            ),
            "dct:description": _texts(description_de, description_en),
            "dcat:keyword": names,
            "dcat:theme": {
                "@id": "http://publications.europa.eu/resource/authority/data-theme/SOCI"
            },
            "dct:publisher": organisation,
            # Who delivers the metadata to GovData (its convention 12/13: exactly one).
            "dcatde:contributorID": {"@id": settings.ATLAS_DATA_CONTRIBUTOR_ID},
            "dcat:contactPoint": contact,
            "dct:license": {"@id": theme_licence.uri},
            "dcatde:licenseAttributionByText": theme_licence.attribution,
            "dct:accessRights": {
                "@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
            },
            "dct:accrualPeriodicity": {"@id": ANNUAL},
            "dct:spatial": spatial,
            **geocoding,
            "dct:temporal": {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": {"@value": f"{entry['first']}-01-01", "@type": "xsd:date"},
                "dcat:endDate": {"@value": f"{entry['last']}-12-31", "@type": "xsd:date"},
            },
            "dcat:landingPage": {"@id": home},
            **_dataset_dates(entry),
            "dcat:distribution": [
                _distribution(link, theme_licence, changed) for link in [*entry["links"], *shared]
            ],
        }
        datasets.append(dataset)
    catalog = {
        "@context": DCAT_CONTEXT,
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": _texts(
            f"Demografie- und Sozialatlas {city}", f"Demographic and social atlas {city}"
        ),
        "dct:description": _texts(
            f"Kleinräumige Demografie- und Sozialstatistik der Stadt {city}.",
            f"Small-area demographic and social statistics of the city of {city}.",
        ),
        "dct:publisher": organisation,
        "dct:license": {"@id": lic.uri},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
        "foaf:homepage": {"@id": home},
        "dct:spatial": spatial,
        **_dataset_dates({"issued": issued, "modified": modified}),
        "dcat:dataset": datasets,
    }
    return catalog
