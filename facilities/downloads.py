"""The catchment table of the map as CSV, in the dialects of the map's value table."""

import csv
import io

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from atlas.downloads import requested_dialect
from atlas.http import BadParameter
from indicators.services.downloads import CSV_TYPE, file_name, licence, neutralise

from .api import catchment_parameters
from .selectors import catchment

HEADER = [
    "gebiet", "gebietsname", "ebene", "angebotsart", "angebotsartname", "entfernung_m", "jahr",
    "anteil_flaeche_prozent", "hinweis", "lizenz",
]  # fmt: skip
NOTE = (
    "Anteil der Fläche des Gebiets in höchstens {distance} m Luftlinie von einem am "
    "31.12.{year} geöffneten Angebot der Art (auch jenseits der Gebietsgrenze)"
)


@require_safe
def catchment_csv(request):
    """The shares /api/v1/catchment answers with the same parameters, one row per district."""
    try:
        dialect = requested_dialect(request)
        parameters = catchment_parameters(request)
    except BadParameter as bad:
        return bad.response()
    facility_type, level = parameters["facility_type"], parameters["level"]
    distance, year = parameters["distance"], parameters["year"]
    note = NOTE.format(distance=distance, year=year)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    for reach in catchment(**parameters):
        percent = f"{reach.share * 100:.1f}".replace(".", dialect.decimal)
        writer.writerow(
            [
                neutralise(reach.code),
                neutralise(reach.name),
                level.slug,
                facility_type.slug,
                neutralise(facility_type.name_de),
                distance,
                year,
                percent,
                note,
                licence().identifier,
            ]
        )
    within = parameters["within"]
    name = file_name(
        "erreichbarkeit", facility_type.slug, distance, level.slug, year, within and within.code
    )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{dialect.name}.csv"'
    response["Link"] = f'<{licence().url}>; rel="license"'
    return response
