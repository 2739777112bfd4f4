"""JSON views over the facility selectors: types, facilities as GeoJSON, catchment shares."""

import datetime

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from core.http import BadParameter, lookup
from core.params import FIRST_YEAR, LAST_YEAR, Param, Query, Rule, number_list
from districts.params import WITHIN, parse_level, parse_within

from .models import FacilityType
from .payloads import catchment_payload, facility_types_payload
from .selectors import MAX_DISTANCE, MIN_DISTANCE, facilities_geojson

YEAR = Param(
    "year",
    "facilities open on 31 Dec of this year (default: the current year)",
    type="integer",
    minimum=FIRST_YEAR,
    maximum=LAST_YEAR,
    example=2023,
)


def _bbox_wrong(values) -> bool:
    if values["bbox"] is None:
        return False
    west, south, east, north = (float(part) for part in values["bbox"].split(","))
    return not (-180 <= west < east <= 180 and -90 <= south < north <= 90)


FACILITIES = Query(
    params=(
        Param("type", "facility type slug (default: all types)"),
        YEAR,
        WITHIN,
        Param("bbox", "west,south,east,north in degrees (WGS 84)", pattern=number_list("{3}")),
        Param("level", "level slug: each facility names the district of this level it lies in"),
    ),
    rules=(
        Rule(
            "bbox",
            "„bbox“: west < ost zwischen −180 und 180, süd < nord zwischen −90 und 90 / "
            "'bbox': west < east within −180 to 180, south < north within −90 to 90",
            _bbox_wrong,
        ),
    ),
)
CATCHMENT = Query(
    params=(
        Param("type", "facility type slug", required=True),
        Param(
            "distance",
            "straight-line distance in metres",
            type="integer",
            required=True,
            minimum=MIN_DISTANCE,
            maximum=MAX_DISTANCE,
        ),
        Param("level", "level slug", required=True, example="statistischer-bezirk"),
        YEAR,
        WITHIN,
    )
)


def _type(slug: str | None) -> FacilityType | None:
    return lookup(FacilityType, "type", slug, slug=slug) if slug else None


def _year(year: int | None) -> int:
    return datetime.date.today().year if year is None else year


@require_safe
def facility_types(request):
    return JsonResponse(facility_types_payload())


@require_safe
def facilities(request):
    """Facilities open at the end of ``year`` as GeoJSON, optionally of one type, in a
    Stadtbezirk or a bounding box, each with its district of ``level`` if one is named."""
    try:
        given = FACILITIES.parse(request.GET)
        facility_type = _type(given["type"])
        within = parse_within(given["within"])
        bbox = given["bbox"] and tuple(float(part) for part in given["bbox"].split(","))
        level = parse_level(given["level"]) if given["level"] else None
    except BadParameter as bad:
        return bad.response()
    text = facilities_geojson(
        year=_year(given["year"]),
        facility_type=facility_type,
        within=within,
        bbox=bbox or None,
        level=level,
    )
    return HttpResponse(text, content_type="application/geo+json")


def catchment_parameters(request) -> dict:
    """The catchment's parameters as the API and the CSV download take them."""
    given = CATCHMENT.parse(request.GET)
    return {
        "facility_type": _type(given["type"]),
        "distance": given["distance"],
        "level": parse_level(given["level"]),
        "year": _year(given["year"]),
        "within": parse_within(given["within"]),
    }


@require_safe
def catchment_shares(request):
    """Per district of a level (optionally of a Stadtbezirk view), the share of its area
    within ``distance`` metres of an open facility of the type."""
    try:
        parameters = catchment_parameters(request)
    except BadParameter as bad:
        return bad.response()
    return JsonResponse(catchment_payload(**parameters))
