"""The catchment table of the map as CSV, in the dialects of the map's value table, and XLSX.

Each file is built once per state of the published data and kept (atlas/kept.py), under a
name made of the parsed parameters; other parameters are refused.
"""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.http import BadParameter
from districts.models import District
from facilities.api import catchment_parameters
from facilities.selectors import CatchmentProvenance, catchment, catchment_provenance
from indicators.services.downloads import (
    CSV_TYPE,
    DEMO_NOTE,
    DIALECTS,
    XLSX_TYPE,
    bold_cell,
    encode_csv,
    file_name,
    licence,
    licence_lines,
    neutralise,
    publisher,
)

from .downloads import NONE, requested_dialect
from .kept import Busy, kept, only

HEADER = [
    "gebiet", "gebietsname", "ebene", "angebotsart", "angebotsartname", "entfernung_m", "jahr",
    "anteil_flaeche_prozent", "hinweis", "quelle", "lizenz", "lizenz_url", "namensnennung",
    "demodaten",
]  # fmt: skip
PERCENT = HEADER.index("anteil_flaeche_prozent")
NOTE = (
    "Anteil der Fläche des Gebiets in höchstens {distance} m Luftlinie von einem am "
    "31.12.{year} geöffneten Angebot der Art (auch jenseits der Gebietsgrenze)"
)


PARAMETERS = ("type", "distance", "level", "year", "within")


def _parameters(request):
    parameters = catchment_parameters(request)
    distance, year = parameters["distance"], parameters["year"]
    within = parameters["within"]
    name = file_name(
        "erreichbarkeit", parameters["facility_type"].slug, distance,
        parameters["level"].slug, year, within and within.code,
    )  # fmt: skip
    return parameters, NOTE.format(distance=distance, year=year), name


def _kept_name(parameters: dict, extension: str) -> str:
    """The kept file of these parameters (kept.py)."""
    within = parameters["within"]
    return (
        f"daten/erreichbarkeit/{parameters['facility_type'].slug}/{parameters['distance']}/"
        f"{parameters['level'].slug}/{parameters['year']}/{within.code if within else NONE}"
        f".{extension}"
    )


def _provenance(parameters: dict) -> CatchmentProvenance:
    return catchment_provenance(facility_type=parameters["facility_type"], year=parameters["year"])


def _rows(parameters: dict, note: str, yes_no: tuple[str, str]):
    """One row per district in the order of HEADER, the share in percent (one decimal).

    Demo data where the district's boundary or a facility counted is demo data."""
    facility_type, level = parameters["facility_type"], parameters["level"]
    provenance, lic = _provenance(parameters), licence()
    for reach in catchment(**parameters):
        yield [
            reach.code,
            reach.name,
            level.slug,
            facility_type.slug,
            facility_type.name_de,
            parameters["distance"],
            parameters["year"],
            round(reach.share * 100, 1),
            note,
            "; ".join(provenance.sources),
            lic.identifier,
            lic.url,
            lic.attribution,
            yes_no[0] if reach.is_demo or provenance.is_demo else yes_no[1],
        ]


@require_safe
def catchment_csv(request):
    """The shares /api/v1/catchment answers with the same parameters, one row per district."""
    try:
        only(request, *PARAMETERS, "dialect")
        dialect = requested_dialect(request)
        parameters, note, name = _parameters(request)
        content = kept(
            _kept_name(parameters, f"{dialect.name}.csv"),
            lambda: _csv(parameters, note, dialect),
        )
    except (BadParameter, Busy) as error:
        return error.response()
    response = HttpResponse(content, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{dialect.name}.csv"'
    response["Link"] = f'<{licence().url}>; rel="license"'
    return response


def _csv(parameters: dict, note: str, dialect) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in _rows(parameters, note, dialect.yes_no):
        row[PERCENT] = f"{row[PERCENT]:.1f}".replace(".", dialect.decimal)
        writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
    return encode_csv(buffer.getvalue(), dialect)


@require_safe
def catchment_xlsx(request):
    """The rows of the CSV as numbers in a worksheet, and a worksheet of metadata."""
    try:
        only(request, *PARAMETERS)
        parameters, note, name = _parameters(request)
        content = kept(_kept_name(parameters, "xlsx"), lambda: _xlsx(parameters, note))
    except (BadParameter, Busy) as error:
        return error.response()
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Link"] = f'<{licence().url}>; rel="license"'
    return response


def _xlsx(parameters: dict, note: str) -> bytes:
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = book.create_sheet("Erreichbarkeit")
    sheet.freeze_panes = "A2"
    for letter, width in (("B", 28), ("E", 28), ("I", 60)):
        sheet.column_dimensions[letter].width = width
    sheet.append([bold_cell(title, sheet, bold) for title in HEADER])
    for row in _rows(parameters, note, DIALECTS["de"].yes_no):
        cells = [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
        share = WriteOnlyCell(sheet, value=cells[PERCENT])
        share.number_format = "0.0"
        cells[PERCENT] = share
        sheet.append(cells)
    meta = book.create_sheet("Metadaten")
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 90
    for label, value in _metadata(parameters, note):
        meta.append([bold_cell(label, meta, bold), neutralise(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _metadata(parameters: dict, note: str) -> list[tuple[str, str]]:
    """Title, publisher, licence, sources and the demo mark of a catchment file."""
    provenance = _provenance(parameters)
    lines = [
        ("Titel", f"Erreichbarkeit: {parameters['facility_type'].name_de}, "
                  f"{parameters['distance']} m, {parameters['year']}"),
        ("Herausgeber", publisher()),
        *(tuple(line) for line in licence_lines([licence()])),
        ("Quellen", "; ".join(provenance.sources) or "–"),
    ]  # fmt: skip
    if provenance.is_demo or District.objects.filter(is_demo=True).exists():
        lines.append(("Demodaten", DEMO_NOTE + " (Spalte „demodaten“)"))
    lines += [
        ("Erstellt am", timezone.localtime().strftime("%d.%m.%Y")),
        ("anteil_flaeche_prozent", note),
    ]
    return lines
