import datetime

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from core.http import BadParameter, integer, lookup, required, text

from .models import District, Level
from .selectors import GEOMETRIES, boundaries_geojson, boundary_tile
from .zoom import MAX_ZOOM, band_for, chunk_zoom

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


def level_dict(level: Level) -> dict:
    return {
        "slug": level.slug,
        "name": level.name,
        "name_de": level.name_de,
        "name_en": level.name_en,
        "rank": level.rank,
        "districts": level.district_count,
    }


def parse_level(request) -> Level:
    """``level``: the slug of a level, required."""
    slug = required(request, "level")
    return lookup(Level, "level", slug, slug=slug)


def parse_within(request) -> District | None:
    """``within``: the code of a current Stadtbezirk whose districts alone are wanted."""
    code = text(request, "within")
    if not code:
        return None
    return lookup(
        District, "within", code, level__slug="stadtbezirk", code=code, valid_to__isnull=True
    )


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
    level = parse_level(request)
    year = integer(request, "year", minimum=1, maximum=9998)
    geometry = text(request, "geometry") or "simplified"
    if geometry not in GEOMETRIES:
        raise BadParameter(
            "geometry",
            "„geometry“ muss „simplified“ oder „full“ sein / "
            "'geometry' must be 'simplified' or 'full'",
        )
    zoom = integer(request, "zoom", minimum=0, maximum=MAX_ZOOM)
    if zoom is not None and geometry != "simplified":
        raise BadParameter(
            "zoom",
            "„zoom“ gilt nur für „geometry=simplified“ / "
            "'zoom' applies to 'geometry=simplified' only",
        )
    chunk = _chunk(text(request, "chunk"), zoom)
    day = datetime.date(year, 12, 31) if year else None
    return boundaries_geojson(level=level, day=day, geometry=geometry, zoom=zoom, chunk=chunk)


def _chunk(raw: str, zoom: int | None) -> tuple[int, int] | None:
    """``chunk=x,y``: a tile at the chunk zoom of ``zoom``'s band (districts.zoom.chunk_zoom)."""
    if not raw:
        return None
    if zoom is None:
        raise BadParameter(
            "chunk", "„chunk“ gilt nur mit „zoom“ / 'chunk' applies with 'zoom' only"
        )
    z = chunk_zoom(band_for(zoom))
    parts = raw.split(",")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and int(p) < 2**z for p in parts):
        raise BadParameter(
            "chunk",
            f"„chunk“ sind zwei ganze Zahlen x,y von 0 bis {2**z - 1} / "
            f"'chunk' is two whole numbers x,y from 0 to {2**z - 1}",
        )
    return int(parts[0]), int(parts[1])


def _tile_number(name: str, raw: str, *, maximum: int) -> int:
    """A tile coordinate from the path: a whole number from 0 to ``maximum``."""
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        raise BadParameter(
            name,
            f"„{name}“ muss eine ganze Zahl von 0 bis {maximum} sein / "
            f"'{name}' must be a whole number from 0 to {maximum}",
        )
    return int(raw)


@require_safe
def tile(request, level: str, z: str, x: str, y: str):
    try:
        level_obj = lookup(Level, "level", level, slug=level)
        zoom = _tile_number("z", z, maximum=MAX_ZOOM)
        column = _tile_number("x", x, maximum=2**zoom - 1)
        row = _tile_number("y", y, maximum=2**zoom - 1)
        year = integer(request, "year", minimum=1, maximum=9998)
    except BadParameter as bad:
        return bad.response()
    day = datetime.date(year, 12, 31) if year else None
    # A tile where no district reaches is empty, and as cacheable as any other.
    return HttpResponse(
        boundary_tile(level=level_obj, z=zoom, x=column, y=row, day=day),
        content_type=MVT_MEDIA_TYPE,
    )
