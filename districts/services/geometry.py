"""Web geometries and overlaps for a level, recomputed whenever its boundaries change."""

import datetime

import geopandas as gpd
import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction

from districts.models import METRIC_SRID, WEB_SRID, District, Level, ZoomGeometry
from districts.zoom import BANDS, COARSE_BANDS, COARSE_GRID, Band, tolerance_m

# Coordinates sent to browsers: 6 decimals are about 0.1 m, far below what a screen shows.
WEB_GRID = 1e-6
# Boundaries of different levels come from different sources and never match to the
# centimetre (Bottrop's DVG2 edges are straight in degrees, not in metres). A share within a
# ten-thousandth of 0 or 1 is such an artefact: dropped, or taken as whole.
SHARE_TOLERANCE = 1e-4
# Shares of one district over a covering level that add up to within 1 % of 1 are normalised.
COVERAGE_GAP = 0.01


def _simplify_tolerance_m() -> float:
    return float(getattr(settings, "ATLAS_SIMPLIFY_TOLERANCE_M", 5.0))


def _as_multipolygon(geom) -> GEOSGeometry:
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=WEB_SRID)


def web_geometries(boundaries: np.ndarray, *, finest_m: float) -> dict[Band, np.ndarray]:
    """The web geometries (EPSG:4326) of a coverage of ``boundaries`` (EPSG:25832) per zoom
    band, each band simplified over the whole coverage so neighbours keep shared edges.

    The tolerance of a band follows from the pixel size at the coverage's mean latitude
    (``districts.zoom.tolerance_m``); the finest band uses ``finest_m``.
    """
    xmin, ymin, xmax, ymax = shapely.total_bounds(boundaries)
    centre = gpd.GeoSeries([shapely.Point((xmin + xmax) / 2, (ymin + ymax) / 2)], crs=METRIC_SRID)
    latitude = float(centre.to_crs(WEB_SRID).y.iloc[0])
    bands = {}
    for band in BANDS:
        tolerance = tolerance_m(band, latitude=latitude, finest_m=finest_m)
        simplified = shapely.coverage_simplify(boundaries, tolerance)
        web = gpd.GeoSeries(simplified, crs=METRIC_SRID).to_crs(WEB_SRID)
        # Rounding vertex by vertex keeps shared vertices shared.
        grid = WEB_GRID if band.finest else COARSE_GRID
        bands[band] = shapely.set_precision(web.values, grid, mode="pointwise")
    return bands


# The centre of the largest circle inside the boundary (in metres), in WGS 84, and its radius.
LABEL_SQL = """
    UPDATE districts_district d
       SET label_point = ST_Transform(c.center, %(web_srid)s), label_room_m = c.radius
      FROM districts_district s, LATERAL ST_MaximumInscribedCircle(s.boundary) c
     WHERE d.id = s.id AND d.id = ANY(%(ids)s)
"""


def place_labels(ids: list[int]) -> None:
    """Where the map writes each district's name, and how much room it has there."""
    with connection.cursor() as cursor:
        cursor.execute(LABEL_SQL, {"ids": ids, "web_srid": WEB_SRID})


@transaction.atomic
def rebuild_web_geometries(*, level: Level, day: datetime.date | None = None) -> int:
    """Simplify a level's districts valid on ``day`` (default today) as one coverage, so
    neighbours keep shared edges: the web geometry and one geometry per coarser zoom band.
    Returns the number of districts updated.
    """
    day = day or datetime.date.today()
    districts = list(District.objects.valid_on(day).filter(level=level).only("id", "boundary"))
    if not districts:
        return 0
    boundaries = shapely.from_wkb([bytes(d.boundary.wkb) for d in districts])
    bands = web_geometries(boundaries, finest_m=_simplify_tolerance_m())
    for district, geom in zip(districts, bands[BANDS[-1]], strict=True):
        district.web_geometry = _as_multipolygon(geom)
    District.objects.bulk_update(districts, ["web_geometry"], batch_size=1000)
    place_labels([d.id for d in districts])
    ZoomGeometry.objects.filter(district__in=districts).delete()
    ZoomGeometry.objects.bulk_create(
        (
            ZoomGeometry(district=district, max_zoom=band.max_zoom, geometry=_as_multipolygon(g))
            for band in COARSE_BANDS
            for district, g in zip(districts, bands[band], strict=True)
        ),
        batch_size=1000,
    )
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
        created = cursor.rowcount
        # Where the shares of a district over a level that covers it miss 1 only by boundary
        # mismatch, scale them to add up to 1: a roll-up must not lose or invent people.
        cursor.execute(
            """
            WITH sums AS (
                SELECT o.source_id, t.level_id, SUM(o.area_share) AS total
                FROM districts_overlap o JOIN districts_district t ON t.id = o.target_id
                JOIN districts_district s ON s.id = o.source_id
                WHERE s.level_id = %(level)s OR t.level_id = %(level)s
                GROUP BY o.source_id, t.level_id
            )
            UPDATE districts_overlap o SET area_share = LEAST(1, o.area_share / sums.total)
            FROM sums, districts_district t
            WHERE t.id = o.target_id AND sums.source_id = o.source_id
              AND sums.level_id = t.level_id AND sums.total <> 1
              AND sums.total BETWEEN 1 - %(gap)s AND 1 + %(gap)s
            """,
            {"level": level.id, "gap": COVERAGE_GAP},
        )
        return created
