import datetime

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from atlas.http import BadParameter, integer, lookup, required, text

from .models import Level
from .selectors import GEOMETRIES, boundaries_geojson


def level_dict(level: Level) -> dict:
    return {
        "slug": level.slug,
        "name": level.name,
        "name_de": level.name_de,
        "name_en": level.name_en,
        "rank": level.rank,
        "districts": level.district_count,
    }


@require_safe
def levels(request):
    rows = Level.objects.with_current_counts()
    return JsonResponse({"levels": [level_dict(level) for level in rows]})


@require_safe
def districts(request):
    try:
        body = districts_body(request)
    except BadParameter as bad:
        return bad.response()
    return HttpResponse(body, content_type="application/geo+json")


def districts_body(request) -> str:
    """The GeoJSON of /api/v1/districts for ``request.GET``; raises BadParameter.

    The published data files (atlas/publicdata.py) are made by this function too.
    """
    slug = required(request, "level")
    level = lookup(Level, "level", slug, slug=slug)
    year = integer(request, "year", minimum=1, maximum=9998)
    geometry = text(request, "geometry") or "simplified"
    if geometry not in GEOMETRIES:
        raise BadParameter(
            "geometry",
            "„geometry“ muss „simplified“ oder „full“ sein / "
            "'geometry' must be 'simplified' or 'full'",
        )
    day = datetime.date(year, 12, 31) if year else None
    return boundaries_geojson(level=level, day=day, geometry=geometry)
