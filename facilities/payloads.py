"""The bodies of the facility endpoints, from parameters (the facilities' GeoJSON is
``selectors.facilities_geojson``, built in PostGIS)."""

from django.templatetags.static import static

from districts.models import District, Level

from .models import FacilityType
from .selectors import catchment


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


def facility_types_payload() -> dict:
    return {"facility_types": [type_dict(t) for t in FacilityType.objects.all()]}


def catchment_payload(
    *,
    facility_type: FacilityType,
    distance: int,
    level: Level,
    year: int,
    within: District | None = None,
) -> dict:
    """The body of /api/v1/catchment: per district of the level (of the Stadtbezirk
    ``within``), the share of its area within ``distance`` metres of an open facility."""
    reaches = catchment(
        facility_type=facility_type, distance=distance, level=level, year=year, within=within
    )
    return {
        "type": facility_type.slug,
        "distance": distance,
        "level": level.slug,
        "year": year,
        "areas": [
            {"code": reach.code, "name": reach.name, "share": round(reach.share, 4)}
            for reach in reaches
        ],
    }
