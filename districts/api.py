import datetime

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from atlas.http import BadParameter, integer, lookup, required

from .models import Level
from .selectors import boundaries_geojson


def level_dict(level: Level) -> dict:
    return {
        "slug": level.slug,
        "name": level.name,
        "name_de": level.name_de,
        "name_en": level.name_en,
        "rank": level.rank,
        "districts": level.district_count,
    }


@require_GET
def levels(request):
    rows = Level.objects.with_current_counts()
    return JsonResponse({"levels": [level_dict(level) for level in rows]})


@require_GET
def districts(request):
    try:
        slug = required(request, "level")
        level = lookup(Level, "level", slug, slug=slug)
        year = integer(request, "year")
    except BadParameter as bad:
        return bad.response()
    day = datetime.date(year, 12, 31) if year else None
    response = HttpResponse(
        boundaries_geojson(level=level, day=day), content_type="application/geo+json"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
