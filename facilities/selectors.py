"""Reading facilities: who is open when, how many lie in each district, who is within reach.

A facility counts for a year when it is open on 31 December of that year, the reference date
of every indicator. A district holds the facilities its boundary valid on that day contains
(PostGIS ST_Contains on the metric geometry), on every level alike, so levels that do not
nest get exact counts and not shares of their neighbours'.
"""

import datetime
from dataclasses import dataclass

from django.db import connection

from districts.models import District, Level, Overlap
from districts.selectors import MIN_SHARE_INSIDE
from indicators.supply import Supply, SupplyType

from .models import Facility, FacilityType

MIN_DISTANCE = 300
MAX_DISTANCE = 2000
# Segments per quarter circle of a buffer: the polygon covers 99.8 % of the true circle.
BUFFER_SEGMENTS = 16


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def supply_by_district(*, type_slug: str, year: int, district_ids) -> dict[int, Supply]:
    """District id → the supply of the type open on 31 Dec of the year, for the given districts."""
    day = _year_end(year)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, count(f.id), sum(f.capacity), count(f.id) - count(f.capacity)
            FROM districts_district d
            LEFT JOIN facilities_facility f
              ON f.type_id = (SELECT id FROM facilities_facilitytype WHERE slug = %s)
             AND (f.opened_on IS NULL OR f.opened_on <= %s)
             AND (f.closed_on IS NULL OR f.closed_on > %s)
             AND ST_Contains(d.boundary, f.location)
            WHERE d.id = ANY(%s)
            GROUP BY d.id
            """,
            [type_slug, day, day, list(district_ids)],
        )
        return {
            district_id: Supply(count, None if unknown else int(places or 0))
            for district_id, count, places, unknown in cursor.fetchall()
        }


class RegisterSupply:
    """The facility register as the read path's supply provider (indicators/supply.py),
    registered in facilities/apps.py."""

    def types(self, slugs) -> dict[str, SupplyType]:
        return {
            t.slug: SupplyType(t.slug, t.served_indicator, t.served_part)
            for t in FacilityType.objects.filter(slug__in=slugs)
        }

    def by_district(self, *, type_slug: str, year: int, district_ids) -> dict[int, Supply]:
        return supply_by_district(type_slug=type_slug, year=year, district_ids=district_ids)


def facilities_in(*, district: District, year: int):
    """The facilities open at the end of the year inside the district, by type and name."""
    return (
        Facility.objects.open_in(year)
        .filter(location__within=district.boundary)
        .select_related("type")
        .order_by("type__order", "name")
    )


def facilities_geojson(
    *,
    year: int,
    facility_type: FacilityType | None = None,
    within: District | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    level: Level | None = None,
) -> str:
    """Open facilities as a GeoJSON FeatureCollection in EPSG:4326, built by PostGIS; with a
    level, each names the district of that level containing it at the end of the year."""
    facilities = Facility.objects.open_in(year)
    if facility_type is not None:
        facilities = facilities.filter(type=facility_type)
    if within is not None:
        facilities = facilities.filter(location__within=within.boundary)
    ids_sql, params = facilities.values("id").query.sql_with_params()
    envelope = ""
    if bbox is not None:
        envelope = (
            "AND ST_Intersects(f.location, "
            "ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 25832))"
        )
        params = (*params, *bbox)
    district_join = "LEFT JOIN (SELECT NULL::text AS code, NULL::text AS name) d ON true"
    if level is not None:
        day = _year_end(year)
        district_join = """
            LEFT JOIN LATERAL (
                SELECT d.code, d.name FROM districts_district d
                WHERE d.level_id = %s AND d.valid_from <= %s
                  AND (d.valid_to IS NULL OR d.valid_to > %s)
                  AND ST_Contains(d.boundary, f.location)
                ORDER BY d.code LIMIT 1
            ) d ON true"""
        params = (level.id, day, day, *params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT json_build_object(
                'type', 'FeatureCollection',
                'features', COALESCE(json_agg(json_build_object(
                    'type', 'Feature',
                    'id', f.id,
                    'properties', json_build_object(
                        'name', f.name, 'address', f.address, 'capacity', f.capacity,
                        'type', t.slug, 'contact', f.contact_url, 'is_demo', f.is_demo,
                        'opened_on', f.opened_on, 'closed_on', f.closed_on,
                        'district_code', d.code, 'district_name', d.name
                    ),
                    'geometry', ST_AsGeoJSON(ST_Transform(f.location, 4326), 6)::json
                ) ORDER BY t."order", f.name, f.id), '[]'::json)
            )::text
            FROM facilities_facility f JOIN facilities_facilitytype t ON t.id = f.type_id
            {district_join}
            WHERE f.id IN ({ids_sql}) {envelope}
            """,
            params,
        )
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Reach:
    code: str
    name: str
    share: float  # of the district's area within the distance of an open facility
    is_demo: bool = False  # the district's boundary is demo data


@dataclass(frozen=True)
class CatchmentProvenance:
    sources: list[str]  # of the facilities the catchment counts
    is_demo: bool  # one of them is demo data


def catchment_provenance(*, facility_type: FacilityType, year: int) -> CatchmentProvenance:
    """Where the facilities behind a catchment come from, and whether any is demo data."""
    facilities = Facility.objects.filter(type=facility_type).open_in(year)
    sources = sorted(set(facilities.exclude(source="").values_list("source", flat=True)))
    return CatchmentProvenance(sources, facilities.filter(is_demo=True).exists())


def catchment(
    *,
    facility_type: FacilityType,
    distance: float,
    level: Level,
    year: int,
    within: District | None = None,
) -> list[Reach]:
    """Per district of the level: the share of its area within ``distance`` metres of a
    facility of the type open at the end of the year (facilities beyond its boundary too).

    With ``within`` (a Stadtbezirk), only the districts a Bezirk view of the map shows.
    """
    if not MIN_DISTANCE <= distance <= MAX_DISTANCE:
        raise ValueError(f"distance {distance} outside {MIN_DISTANCE}..{MAX_DISTANCE}")
    day = _year_end(year)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH reach AS (
                SELECT ST_Union(ST_Buffer(f.location, %s, %s)) AS geom
                FROM facilities_facility f
                WHERE f.type_id = %s
                  AND (f.opened_on IS NULL OR f.opened_on <= %s)
                  AND (f.closed_on IS NULL OR f.closed_on > %s)
            )
            SELECT d.code, d.name, d.is_demo, COALESCE(
                ST_Area(ST_Intersection(d.boundary, reach.geom)) / NULLIF(ST_Area(d.boundary), 0),
                0
            )
            FROM districts_district d CROSS JOIN reach
            WHERE d.level_id = %s AND d.valid_from <= %s AND (d.valid_to IS NULL OR d.valid_to > %s)
            ORDER BY d.code
            """,
            [
                distance, f"quad_segs={BUFFER_SEGMENTS}", facility_type.id, day, day,
                level.id, day, day,
            ],
        )  # fmt: skip
        reaches = [
            Reach(code, name, min(float(share), 1.0), is_demo)
            for code, name, is_demo, share in cursor
        ]
    if within is None:
        return reaches
    if within.level_id == level.id:
        return [reach for reach in reaches if reach.code == within.code]
    inside = set(
        Overlap.objects.filter(
            target=within, source__level=level, area_share__gte=MIN_SHARE_INSIDE
        ).values_list("source__code", flat=True)
    )
    return [reach for reach in reaches if reach.code in inside]
