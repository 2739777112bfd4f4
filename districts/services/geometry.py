"""Web geometries and overlaps for a level, recomputed whenever its boundaries change."""

import geopandas as gpd
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction

from districts.models import METRIC_SRID, WEB_SRID, District, Level

# Coordinates sent to browsers: 6 decimals are about 0.1 m, far below what a screen shows.
WEB_GRID = 1e-6
# Boundaries of different levels come from different sources and never match to the
# centimetre (Bottrop's DVG2 edges are straight in degrees, not in metres). A share within a
# ten-thousandth of 0 or 1 is such an artefact: dropped, or taken as whole.
SHARE_TOLERANCE = 1e-4


def _simplify_tolerance_m() -> float:
    return float(getattr(settings, "ATLAS_SIMPLIFY_TOLERANCE_M", 5.0))


def _as_multipolygon(geom) -> GEOSGeometry:
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=WEB_SRID)


@transaction.atomic
def rebuild_web_geometries(*, level: Level) -> int:
    """Simplify the current districts of a level as one coverage, so neighbours keep shared edges.

    Returns the number of districts updated.
    """
    districts = list(District.objects.current().filter(level=level).only("id", "boundary"))
    if not districts:
        return 0
    frame = gpd.GeoDataFrame(
        {"id": [d.id for d in districts]},
        geometry=shapely.from_wkb([bytes(d.boundary.wkb) for d in districts]),
        crs=METRIC_SRID,
    )
    simplified = shapely.coverage_simplify(frame.geometry.values, _simplify_tolerance_m())
    web = gpd.GeoSeries(simplified, crs=METRIC_SRID).to_crs(WEB_SRID)
    # Rounding vertex by vertex keeps shared vertices shared.
    web = shapely.set_precision(web.values, WEB_GRID, mode="pointwise")
    for district, geom in zip(districts, web, strict=True):
        district.web_geometry = _as_multipolygon(geom)
    District.objects.bulk_update(districts, ["web_geometry"])
    return len(districts)


@transaction.atomic
def rebuild_overlaps(*, level: Level) -> int:
    """Recompute the crosswalk between a level's districts and every other level's.

    Overlaps run from the finer level (higher rank) to the coarser one, between districts
    whose validity periods meet, so that past years keep their crosswalk after a boundary
    change; shares within SHARE_TOLERANCE of 1 are set to 1 so nested levels nest exactly.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM districts_overlap o
            USING districts_district s, districts_district t
            WHERE o.source_id = s.id AND o.target_id = t.id
              AND (s.level_id = %(level)s OR t.level_id = %(level)s)
            """,
            {"level": level.id},
        )
        cursor.execute(
            """
            WITH versions AS (
                SELECT d.id, d.level_id, l.rank, d.boundary, d.valid_from,
                       COALESCE(d.valid_to, 'infinity'::date) AS valid_to
                FROM districts_district d JOIN districts_level l ON l.id = d.level_id
            ),
            pairs AS (
                SELECT s.id AS source_id, t.id AS target_id,
                       ST_Area(ST_Intersection(s.boundary, t.boundary)) AS shared_m2,
                       ST_Area(s.boundary) AS source_m2
                FROM versions s JOIN versions t
                  ON s.rank > t.rank
                 AND s.valid_from < t.valid_to AND t.valid_from < s.valid_to
                 AND ST_Intersects(s.boundary, t.boundary)
                WHERE s.level_id = %(level)s OR t.level_id = %(level)s
            )
            INSERT INTO districts_overlap (source_id, target_id, area_km2, area_share)
            SELECT source_id, target_id, shared_m2 / 1e6,
                   CASE WHEN shared_m2 / source_m2 > 1 - %(tolerance)s THEN 1
                        ELSE shared_m2 / source_m2 END
            FROM pairs
            WHERE shared_m2 / source_m2 >= %(tolerance)s
            """,
            {"level": level.id, "tolerance": SHARE_TOLERANCE},
        )
        return cursor.rowcount
