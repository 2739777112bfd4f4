"""Reading geography: levels and boundaries as GeoJSON built in PostGIS."""

import datetime
import hashlib

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max

from .models import District, Level


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
    *, level: Level, day: datetime.date | None = None, geometry: str = "simplified"
) -> str:
    """The level's districts valid on ``day`` as a GeoJSON FeatureCollection.

    ``geometry`` is "simplified" (the web geometry) or "full" (the stored boundary). Built by
    PostGIS in one query and cached per boundary version, so no request serialises
    geometries in Python.
    """
    day = day or datetime.date.today()
    key = f"boundaries:{level.slug}:{geometry}:{boundary_version(level=level, day=day)}"
    text = cache.get(key)
    if text is None:
        text = _build_geojson(level.id, day, GEOMETRIES[geometry])
        cache.set(key, text, timeout=24 * 3600)
    return text


def _build_geojson(level_id: int, day: datetime.date, geometry_sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT json_build_object(
                'type', 'FeatureCollection',
                'features', COALESCE(json_agg(json_build_object(
                    'type', 'Feature',
                    'id', d.code,
                    'properties', json_build_object(
                        'code', d.code, 'name', d.name,
                        'area_km2', round(d.area_km2::numeric, 3), 'is_demo', d.is_demo
                    ),
                    'geometry', ST_AsGeoJSON({geometry_sql}, 6)::json
                ) ORDER BY d.code), '[]'::json)
            )::text
            FROM districts_district d
            WHERE d.level_id = %s AND d.valid_from <= %s AND (d.valid_to IS NULL OR d.valid_to > %s)
            """,
            [level_id, day, day],
        )
        return cursor.fetchone()[0]
