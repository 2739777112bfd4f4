import datetime

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from core.http import BadParameter

from .params import DISTRICTS, TILE, parse_level
from .payloads import districts_payload, levels_payload
from .selectors import boundary_tile

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


@require_safe
def levels(request):
    return JsonResponse(levels_payload())


@require_safe
def districts(request):
    try:
        given = DISTRICTS.parse(request.GET)
        chunk = given["chunk"] and tuple(int(part) for part in given["chunk"].split(","))
        body = districts_payload(
            level=parse_level(given["level"]),
            year=given["year"],
            geometry=given["geometry"] or "simplified",
            zoom=given["zoom"],
            chunk=chunk or None,
        )
    except BadParameter as bad:
        return bad.response()
    return HttpResponse(body, content_type="application/geo+json")


@require_safe
def tile(request, level: str, z: str, x: str, y: str):
    try:
        given = TILE.parse(request.GET, {"level": level, "z": z, "x": x, "y": y})
        level_obj = parse_level(level)
    except BadParameter as bad:
        return bad.response()
    day = datetime.date(given["year"], 12, 31) if given["year"] else None
    # A tile where no district reaches is empty, and as cacheable as any other.
    return HttpResponse(
        boundary_tile(level=level_obj, z=given["z"], x=given["x"], y=given["y"], day=day),
        content_type=MVT_MEDIA_TYPE,
    )
