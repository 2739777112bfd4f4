"""JSON views over the facility selectors: types, facilities as GeoJSON, catchment shares."""

import datetime

from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from core.http import BadParameter, integer, lookup, required
from districts.api import parse_level, parse_within
from districts.models import Level

from .models import FacilityType
from .selectors import MAX_DISTANCE, MIN_DISTANCE, catchment, facilities_geojson

YEARS = range(1900, 2101)


def type_dict(facility_type: FacilityType) -> dict:
    return {
        "slug": facility_type.slug,
        "name": facility_type.name,
        "name_de": facility_type.name_de,
        "name_en": facility_type.name_en,
        "icon": facility_type.icon,
        "icon_url": static(f"facilities/icons/{facility_type.icon}.svg"),
        "served_group_de": facility_type.served_group_de,
        "served_group_en": facility_type.served_group_en,
        "served_indicator": facility_type.served_indicator or None,
        "served_part": facility_type.served_part,
    }


def _type(request, *, needed: bool) -> FacilityType | None:
    slug = required(request, "type") if needed else request.GET.get("type", "").strip()
    return lookup(FacilityType, "type", slug, slug=slug) if slug else None


def _year(request) -> int:
    year = integer(request, "year", default=datetime.date.today().year)
    if year not in YEARS:
        raise BadParameter("year", f"Jahr {year} außerhalb 1900–2100 / year out of range")
    return year


def _bbox(request) -> tuple[float, float, float, float] | None:
    raw = request.GET.get("bbox", "").strip()
    if not raw:
        return None
    message = (
        "„bbox“ muss west,süd,ost,nord in Grad (WGS 84) sein / "
        "'bbox' must be west,south,east,north in degrees (WGS 84)"
    )
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        raise BadParameter("bbox", message) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadParameter("bbox", message)
    return west, south, east, north


@require_safe
def facility_types(request):
    return JsonResponse({"facility_types": [type_dict(t) for t in FacilityType.objects.all()]})


@require_safe
def facilities(request):
    """Facilities open at the end of ``year`` as GeoJSON, optionally of one type, in a
    Stadtbezirk or a bounding box, each with its district of ``level`` if one is named."""
    try:
        facility_type = _type(request, needed=False)
        year = _year(request)
        within = parse_within(request)
        bbox = _bbox(request)
        slug = request.GET.get("level", "").strip()
        level = lookup(Level, "level", slug, slug=slug) if slug else None
    except BadParameter as bad:
        return bad.response()
    text = facilities_geojson(
        year=year, facility_type=facility_type, within=within, bbox=bbox, level=level
    )
    return HttpResponse(text, content_type="application/geo+json")


def catchment_parameters(request) -> dict:
    """The catchment's parameters as the API and the CSV download take them."""
    facility_type = _type(request, needed=True)
    required(request, "distance")
    distance = integer(request, "distance")
    if not MIN_DISTANCE <= distance <= MAX_DISTANCE:
        raise BadParameter(
            "distance",
            f"„distance“ muss zwischen {MIN_DISTANCE} und {MAX_DISTANCE} m liegen / "
            f"'distance' must be {MIN_DISTANCE} to {MAX_DISTANCE} metres",
        )
    level = parse_level(request)
    return {
        "facility_type": facility_type,
        "distance": distance,
        "level": level,
        "year": _year(request),
        "within": parse_within(request),
    }


@require_safe
def catchment_shares(request):
    """Per district of a level (optionally of a Stadtbezirk view), the share of its area
    within ``distance`` metres of an open facility of the type."""
    try:
        parameters = catchment_parameters(request)
    except BadParameter as bad:
        return bad.response()
    reaches = catchment(**parameters)
    return JsonResponse(
        {
            "type": parameters["facility_type"].slug,
            "distance": parameters["distance"],
            "level": parameters["level"].slug,
            "year": parameters["year"],
            "areas": [
                {"code": reach.code, "name": reach.name, "share": round(reach.share, 4)}
                for reach in reaches
            ],
        }
    )
