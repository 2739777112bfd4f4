"""The map's table of a projected year as a download (CSV and XLSX): per area the median and the
quantiles of the published run in one scenario, each row marked as a projection, with the demo
mark of a demo run and where the method is explained.

The rows are those of /api/v1/values for the same query (``projections.values``), so the file
shows what the map shows. The CSV dialects and the licence lines are those of the observed
table (``indicators.services.downloads``).
"""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indicators.models import Indicator
from indicators.services.downloads import (
    DEMO_NOTE,
    Dialect,
    bold_cell,
    encode_csv,
    licence,
    licence_lines,
    neutralise,
    number_format,
)

from .catalogue import QUANTILE_FIELDS, scenario_label

# The kind of every row, in the words of each dialect ("de" for the German CSV and the XLSX).
PROJECTION = {"de": "Vorausberechnung", "international": "projection"}
HEADER = [
    "gebiet", "gebietsname", "ebene", "indikator", "indikatorname", "jahr", "art", "szenario",
    "szenarioname", "median", "q025", "q10", "q25", "q75", "q90", "q975", "einheit",
    "kleines_gebiet", "basisjahr", "lauf", "hinweis", "methode", "quelle", "lizenz",
    "lizenz_url", "namensnennung", "demodaten",
]  # fmt: skip
NUMBER_COLUMNS = ("median", *(name for name in QUANTILE_FIELDS if name != "median"))
COLUMN_NOTES = [
    ("art", "immer „Vorausberechnung“ (international „projection“): kein beobachteter Wert"),
    ("szenario", "Kennung des Szenarios (trend, zuwanderung-niedrig, …)"),
    ("median", "Median der simulierten Verläufe: der Wert, den die Karte zeigt"),
    ("q025 … q975", "Quantile der simulierten Verläufe, am Backtest kalibriert: q10–q90 ist das "
                    "80-%-Intervall, q025–q975 das 95-%-Intervall"),
    ("kleines_gebiet", "ja: weniger als etwa 5.000 Einwohner/innen im Basisjahr, die "
                       "Vorausberechnung ist grob"),
    ("basisjahr", "letztes beobachtetes Jahr, von dem die Vorausberechnung ausgeht"),
    ("lauf", "Nummer der veröffentlichten Vorausberechnung"),
]  # fmt: skip
QUANTILE_NOTE = (
    "Quantile verschiedener Gebiete addieren sich nicht: die Summe der Mediane der Bezirke ist "
    "nicht der Median der Stadt. Szenarien sind Wenn-dann-Rechnungen, keine Wahrscheinlichkeiten."
)


@dataclass(frozen=True)
class ProjectedTable:
    """The rows of a projected year's values body and what they are of."""

    indicator: Indicator
    level_name: str
    body: dict  # the /api/v1/values body of the projected year
    method_url: str  # absolute: a file leaves the site

    @property
    def title(self) -> str:
        projection = self.body["projection"]
        return (
            f"Demografie- und Sozialatlas {settings.ATLAS_CITY_NAME}: {self.indicator.name_de}, "
            f"Vorausberechnung {self.body['year']} (Szenario "
            f"{scenario_label(projection['scenario'])}), {self.level_name}"
        )


def _cells(table: ProjectedTable, row: dict, dialect: Dialect) -> list:
    indicator, body = table.indicator, table.body
    projection = body["projection"]
    lic = licence(indicator.theme.slug)
    demo = projection["is_demo"] or indicator.is_demo
    yes, no = dialect.yes_no
    note = f"{PROJECTION['de']}: Median und Quantile simulierter Verläufe"
    return [
        row["code"],
        row["name"],
        body["level"],
        indicator.slug,
        indicator.name_de,
        body["year"],
        PROJECTION[dialect.name],
        projection["scenario"],
        scenario_label(projection["scenario"]),
        *(row[name] for name in NUMBER_COLUMNS),
        indicator.unit_de,
        yes if row["small"] else no,
        projection["base_year"],
        projection["run"],
        f"{note}; {DEMO_NOTE}" if demo else note,
        table.method_url,
        indicator.source,
        lic.identifier,
        lic.url,
        lic.attribution,
        yes if demo else no,
    ]


def _text(value, dialect: Dialect) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).replace(".", dialect.decimal)
    return neutralise(str(value))


def to_csv(table: ProjectedTable, *, dialect: Dialect) -> bytes:
    """The projected rows as CSV in the dialect of the observed table."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in table.body["values"]:
        writer.writerow([_text(value, dialect) for value in _cells(table, row, dialect)])
    return encode_csv(buffer.getvalue(), dialect)


def to_xlsx(table: ProjectedTable, *, dialect: Dialect) -> bytes:
    """One worksheet of projected rows, one of metadata."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = book.create_sheet(PROJECTION["de"])
    sheet.freeze_panes = "A2"
    sheet.append([bold_cell(name, sheet, bold) for name in HEADER])
    positions = [HEADER.index(name) for name in NUMBER_COLUMNS]
    decimals = max(table.indicator.decimals, 0)
    for row in table.body["values"]:
        cells = [neutralise(v) if isinstance(v, str) else v for v in _cells(table, row, dialect)]
        for i in positions:
            if cells[i] is not None:
                cells[i] = WriteOnlyCell(sheet, value=cells[i])
                cells[i].number_format = number_format(decimals)
        sheet.append(cells)
    meta = book.create_sheet("Metadaten")
    for line in metadata_lines(table):
        meta.append([bold_cell(line[0], meta, bold), *line[1:]] if line else [])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def metadata_lines(table: ProjectedTable) -> list[list[str]]:
    projection = table.body["projection"]
    lines = [["Titel", table.title], ["Art", PROJECTION["de"]]]
    lines += licence_lines([licence(table.indicator.theme.slug)])
    if projection["is_demo"] or table.indicator.is_demo:
        lines.append(["Demodaten", DEMO_NOTE + " (Spalte „demodaten“)"])
    lines += [
        ["Methode", table.method_url],
        ["Quantile", QUANTILE_NOTE],
        [],
        ["Spalte", "Inhalt"],
    ]
    return lines + [list(note) for note in COLUMN_NOTES]
