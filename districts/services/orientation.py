"""The map's orientation without a tile server: the neighbouring municipalities around the
city, as light outlines with their names, cut from an open boundary file of all
municipalities (e.g. Geobasis NRW's DVG2, dl-de/zero-2-0)."""

import json
from pathlib import Path

import geopandas as gpd
import shapely

from districts.models import METRIC_SRID, WEB_SRID

# How far around the city the neighbours are drawn: enough to name every neighbour, not so
# much that the map's first view shows mostly other towns.
MARGIN_M = 4000
# Outlines for orientation need no detail; 6 decimals of a degree are about 0.1 m.
SIMPLIFY_M = 30
DECIMALS = 5


def neighbours(
    municipalities: Path, *, key: str, key_field: str = "KN", name_field: str = "GN"
) -> dict:
    """GeoJSON (WGS 84) of the municipalities within MARGIN_M of the one with ``key``: their
    borders inside the box around it as one line feature, and one point per municipality,
    its label point inside the part shown, with its name and the room there."""
    frame = gpd.read_file(municipalities).to_crs(METRIC_SRID)
    city = frame[frame[key_field].astype(str) == key]
    if city.empty:
        raise ValueError(f"{key_field}={key!r} kommt in {municipalities} nicht vor / not found")
    box = shapely.box(*city.total_bounds).buffer(MARGIN_M, join_style="mitre")
    others = frame[(frame[key_field].astype(str) != key) & frame.intersects(box)]
    # Borders only, not outlines: the cut along the box is no border and is not drawn.
    borders = shapely.intersection(shapely.union_all(others.boundary.values), box)
    borders = shapely.line_merge(borders) if borders.geom_type == "MultiLineString" else borders
    features = [_feature(borders.simplify(SIMPLIFY_M), {"kind": "border"})]
    for _, row in others.sort_values(name_field).iterrows():
        shown = shapely.intersection(row.geometry, box)
        if shown.is_empty:
            continue
        circle = shapely.maximum_inscribed_circle(shown, 10.0)
        properties = {"name": str(row[name_field]), "label_room_m": round(shapely.length(circle))}
        features.append(_feature(shapely.get_point(circle, 0), properties))
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry, properties: dict) -> dict:
    web = gpd.GeoSeries([geometry], crs=METRIC_SRID).to_crs(WEB_SRID).iloc[0]
    web = shapely.set_precision(web, 10**-DECIMALS)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": json.loads(shapely.to_geojson(web)),
    }
