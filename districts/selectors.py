"""Reading geography: levels and boundaries as GeoJSON built in PostGIS."""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Sum

from core.datastate import current_data_state

from .models import District, Level, Overlap
from .zoom import Band, band_for, chunk_zoom, overview_max_zoom

# A district counts as part of a Bezirk view when at least this share of its area lies inside;
# below that it only touches the boundary (a sliver from drawing the lines).
MIN_SHARE_INSIDE = 0.05


def boundary_version(*, level: Level, day: datetime.date | None = None) -> str:
    """Names the set of boundaries of a level valid on ``day`` (default: today).

    Two years share a version when the same district versions were valid in both, so a
    browser fetches boundaries again only when they really changed.
    """
    day = day or datetime.date.today()
    stats = (
        District.objects.valid_on(day)
        .filter(level=level)
        .aggregate(n=Count("id"), ids=ArrayAgg("id", order_by="id"), changed=Max("updated_at"))
    )
    digest = hashlib.sha1(repr(sorted(stats.items())).encode(), usedforsecurity=False)
    return digest.hexdigest()[:12]


# The simplified web geometry (shared edges kept), or the boundary as stored, in WGS 84.
GEOMETRIES = {
    "simplified": "COALESCE(d.web_geometry, ST_Transform(d.boundary, 4326))",
    "full": "ST_Transform(d.boundary, 4326)",
}


def boundaries_geojson(
    *,
    level: Level,
    day: datetime.date | None = None,
    geometry: str = "simplified",
    zoom: int | None = None,
    chunk: tuple[int, int] | None = None,
) -> str:
    """The level's districts valid on ``day`` as a GeoJSON FeatureCollection.

    ``geometry`` is "simplified" (the web geometry) or "full" (the stored boundary). With
    ``zoom``, the simplified geometry of that zoom's band, and the band as the member "zoom"
    ({"min": …, "max": …}, max null for every finer zoom); with ``chunk`` (x, y) too, only
    the districts whose web geometry meets that tile at the band's ``chunk_zoom``, whole, and
    the member "chunk" ({"z": …, "x": …, "y": …}). Built by PostGIS in one query and kept in
    the shared cache per data state (core/datastate.py), so no request serialises geometries
    in Python.
    """
    day = day or datetime.date.today()
    band = None if zoom is None else band_for(zoom)
    state = current_data_state().key
    key = f"boundaries:{state}:{settings.ATLAS_BUILD_ID}:{level.slug}:{day}:{geometry}"
    if band is not None:
        key += f":z{band.min_zoom}"
    tile = None
    if chunk is not None and band is not None:
        tile = (chunk_zoom(band), *chunk)
        key += f":{tile[1]}-{tile[2]}"
    text = cache.get(key)
    if text is None:
        text = _build_geojson(level.id, day, GEOMETRIES[geometry], band, tile)
        cache.set(key, text, timeout=24 * 3600)
    return text


def _build_geojson(
    level_id: int,
    day: datetime.date,
    geometry_sql: str,
    band: Band | None,
    tile: tuple[int, int, int] | None = None,
) -> str:
    join, zoom_member, where = "", "", ""
    if tile is not None:
        z, x, y = (int(n) for n in tile)
        zoom_member = f"'chunk', json_build_object('z', {z}, 'x', {x}, 'y', {y}),"
        where = "AND COALESCE(d.web_geometry && e.env, ST_Transform(d.boundary, 4326) && e.env)"
        join += f" CROSS JOIN (SELECT ST_Transform(ST_TileEnvelope({z}, {x}, {y}), 4326) AS env) e"
    if band is not None and not band.finest:
        geometry_sql = f"COALESCE(z.geometry, {geometry_sql})"
        join += (
            " LEFT JOIN districts_zoomgeometry z "
            f"ON z.district_id = d.id AND z.max_zoom = {int(band.max_zoom)}"
        )
    if band is not None:
        zoom_member += f"'zoom', json_build_object('min', {int(band.min_zoom)}, 'max', "
        zoom_member += "NULL::int)," if band.finest else f"{int(band.max_zoom)}),"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT json_build_object(
                'type', 'FeatureCollection',
                {zoom_member}
                'features', COALESCE(json_agg(json_build_object(
                    'type', 'Feature',
                    'id', d.code,
                    'properties', json_build_object(
                        'code', d.code, 'name', d.name,
                        'area_km2', round(d.area_km2::numeric, 3), 'is_demo', d.is_demo,
                        'label', CASE WHEN d.label_point IS NOT NULL THEN json_build_array(
                            round(ST_X(d.label_point)::numeric, 6),
                            round(ST_Y(d.label_point)::numeric, 6)) END,
                        'label_room_m', round(d.label_room_m::numeric)
                    ),
                    'geometry', ST_AsGeoJSON({geometry_sql}, 6)::json
                ) ORDER BY d.code), '[]'::json)
            )::text
            FROM districts_district d {join}
            WHERE d.level_id = %s AND d.valid_from <= %s AND (d.valid_to IS NULL OR d.valid_to > %s)
              {where}
            """,
            [level_id, day, day],
        )
        return cursor.fetchone()[0]


# Tiles in the Mapbox Vector Tile format: 4096 units a side, features kept 64 units beyond
# the edge so that lines do not end visibly at tile borders.
TILE_EXTENT = 4096
TILE_BUFFER = 64
TILE_LAYER = "districts"


def boundary_tile(
    *, level: Level, z: int, x: int, y: int, day: datetime.date | None = None
) -> bytes:
    """The level's districts valid on ``day`` (default today) in tile ``z``/``x``/``y`` as a
    Mapbox Vector Tile (layer "districts", attributes code and name), drawn from the web
    geometry of ``z``'s zoom band; empty (no bytes) where no district reaches the tile.
    """
    day = day or datetime.date.today()
    band = band_for(z)
    geometry, join = "d.web_geometry", ""
    if not band.finest:
        geometry = "COALESCE(z.geometry, d.web_geometry)"
        join = (
            "LEFT JOIN districts_zoomgeometry z "
            f"ON z.district_id = d.id AND z.max_zoom = {int(band.max_zoom)}"
        )
    with connection.cursor() as cursor:
        # The index on the web geometry finds the candidates: a band's geometry strays from it
        # by about a pixel at most, well inside the tile's buffer.
        cursor.execute(
            f"""
            WITH bounds AS (
                SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
                       -- The margin must not cross the antimeridian: clipped to the world.
                       ST_Transform(ST_ClipByBox2D(
                           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s),
                           ST_TileEnvelope(0, 0, 0)
                       ), 4326) AS search
            ),
            features AS (
                SELECT d.code, d.name,
                       ST_AsMVTGeom(
                           ST_Transform({geometry}, 3857), bounds.tile,
                           %(extent)s, %(buffer)s, true
                       ) AS geom
                FROM bounds, districts_district d {join}
                WHERE d.level_id = %(level)s AND d.valid_from <= %(day)s
                  AND (d.valid_to IS NULL OR d.valid_to > %(day)s)
                  AND d.web_geometry && bounds.search
            )
            SELECT ST_AsMVT(features.*, %(layer)s, %(extent)s, 'geom')
            FROM features WHERE geom IS NOT NULL
            """,
            {
                "z": z, "x": x, "y": y, "level": level.id, "day": day,
                "margin": TILE_BUFFER / TILE_EXTENT, "extent": TILE_EXTENT,
                "buffer": TILE_BUFFER, "layer": TILE_LAYER,
            },
        )  # fmt: skip
        row = cursor.fetchone()
    return bytes(row[0] or b"")


@dataclass(frozen=True)
class Overview:
    """What the map draws for a level with very many areas while they are specks: the coarser
    ``level`` up to ``max_zoom``, with its values rolled up from the finer ones."""

    level: Level
    max_zoom: int


def overview_of(level: Level) -> Overview | None:
    """The overview of ``level``: the finest coarser level of 2 to ATLAS_OVERVIEW_AREAS areas
    that the level's areas are crosswalked to, drawn while those areas are under
    OVERVIEW_PIXELS across; None for a level whose areas are wide enough at every zoom."""
    current = District.objects.current()
    figures = current.filter(level=level).aggregate(
        count=Count("id"), area=Sum("area_km2"), box=Extent("web_geometry")
    )
    if not figures["count"] or figures["box"] is None:
        return None
    south, north = figures["box"][1], figures["box"][3]
    max_zoom = overview_max_zoom(
        mean_area_m2=figures["area"] * 1e6 / figures["count"], latitude=(south + north) / 2
    )
    if max_zoom is None:
        return None
    crosswalked = Overlap.objects.filter(
        source__in=current.filter(level=level), target__in=current, target__level=OuterRef("pk")
    )
    coarser = (
        Level.objects.filter(rank__lt=level.rank)
        .with_current_counts()
        .filter(district_count__gte=2, district_count__lte=settings.ATLAS_OVERVIEW_AREAS)
        .filter(Exists(crosswalked))
        .order_by("-rank")
        .first()
    )
    return Overview(level=coarser, max_zoom=max_zoom) if coarser else None
