"""Web geometries per zoom band: the districts API's ``zoom`` and the vector tiles."""

import datetime
import importlib
import itertools
import json
import math

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from django.db import transaction
from django.test import override_settings
from shapely.geometry import mapping, shape

from districts.models import District, ZoomGeometry
from districts.services.boundaries import import_boundaries
from districts.zoom import (
    BANDS,
    COARSE_BANDS,
    Band,
    band_for,
    chunk_zoom,
    pixel_size_m,
    tolerance_m,
)

from ..factories import LevelFactory

DAY = datetime.date(2020, 1, 1)
# Near Bottrop, in EPSG:25832.
ORIGIN = (354_000.0, 5_711_000.0)
CELL_M = 3000.0
CELLS = 5
WEB_MERCATOR_HALF = 20037508.342789244

pytestmark = pytest.mark.django_db


def jagged_coverage(seed: int = 7) -> list[tuple[str, shapely.Polygon]]:
    """CELLS rows of CELLS districts laid like bricks (each row shifted by half a district,
    so three districts meet in the middle of a straight side), whose shared edges zigzag (a
    vertex every 50 m, up to 20 m off the line), each edge the same for both neighbours: a
    valid coverage that simplifying district by district would tear apart."""
    rng = np.random.default_rng(seed)
    edges: dict[tuple, list] = {}

    def place(node):
        # Nodes count half districts across and rows up.
        return ORIGIN[0] + node[0] * CELL_M / 2, ORIGIN[1] + node[1] * CELL_M

    def edge(a, b):
        key = (a, b) if a <= b else (b, a)
        if key not in edges:
            (ax, ay), (bx, by) = place(key[0]), place(key[1])
            length = math.hypot(bx - ax, by - ay)
            t = np.linspace(0, 1, int(length // 50) + 1)[1:-1]
            offsets = rng.uniform(-20, 20, len(t))
            nx, ny = -(by - ay) / length, (bx - ax) / length
            edges[key] = [
                (ax + s * (bx - ax) + o * nx, ay + s * (by - ay) + o * ny)
                for s, o in zip(t, offsets, strict=True)
            ]
        points = edges[key]
        return points if (a, b) == key else points[::-1]

    cells = []
    for i in range(CELLS):
        for j in range(CELLS):
            left = 2 * j + i % 2
            nodes = [(left, i), (left + 1, i), (left + 2, i), (left + 2, i + 1),
                     (left + 1, i + 1), (left, i + 1), (left, i)]  # fmt: skip
            ring = []
            for a, b in itertools.pairwise(nodes):
                ring.append(place(a))
                ring.extend(edge(a, b))
            ring.append(ring[0])
            cells.append((f"Z{i * CELLS + j + 1:02d}", shapely.Polygon(ring)))
    return cells


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    """A test level with the jagged coverage imported, once for the module's tests: in a
    transaction that each test's own is nested in and rolls back to, and that is rolled back
    after the module, as a test's would be (the import computes every band of every cell)."""
    folder = tmp_path_factory.mktemp("zellen")
    files = {"MEDIA_ROOT": folder / "media", "ATLAS_PUBLIC_DATA_ROOT": folder / "public-data"}
    with django_db_blocker.unblock(), override_settings(**files), transaction.atomic():
        level = LevelFactory()
        cells = import_coverage(level, folder)
        yield level, cells
        transaction.set_rollback(True)


@pytest.fixture
def level(imported, db):
    return imported[0]


@pytest.fixture
def coverage(imported, db):
    """The jagged coverage imported as the test level; returns its (code, polygon) pairs."""
    return imported[1]


def import_coverage(level, folder) -> list[tuple[str, shapely.Polygon]]:
    cells = jagged_coverage()
    assert shapely.coverage_is_valid([polygon for _, polygon in cells])
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": f"Zelle {code}"},
             "geometry": mapping(polygon)}
            for code, polygon in cells
        ],
    }  # fmt: skip
    path = folder / "zellen.geojson"
    path.write_text(json.dumps(collection))
    import_boundaries(path=path, level=level, valid_from=DAY)
    return cells


def served(client, level, **params):
    response = client.get("/api/v1/districts", {"level": level.slug, **params})
    assert response.status_code == 200, response.content[:200]
    return response


def metric(collection: dict) -> np.ndarray:
    geoms = [shape(feature["geometry"]) for feature in collection["features"]]
    return gpd.GeoSeries(geoms, crs=4326).to_crs(25832).values


def overlap_and_gap_m2(geoms: np.ndarray) -> tuple[float, float]:
    """Summed pairwise intersections of neighbours, and the holes inside their union."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]])).sum()
    union = shapely.union_all(geoms)
    gap = sum(shapely.Polygon(p.exterior).area - p.area for p in shapely.get_parts(union))
    return float(overlap), float(gap)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_box(z: int, x: int, y: int, *, grow: float = 0.0) -> shapely.Polygon:
    """The tile's square in EPSG:3857, grown by ``grow`` of its side on every edge."""
    side = 2 * WEB_MERCATOR_HALF / 2**z
    xmin, ymax = -WEB_MERCATOR_HALF + x * side, WEB_MERCATOR_HALF - y * side
    return shapely.box(xmin, ymax - side, xmin + side, ymax).buffer(grow * side, join_style=2)


# --- bands, without a database ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("zoom", "band"),
    [(0, Band(0, 6)), (6, Band(0, 6)), (7, Band(7, 8)), (8, Band(7, 8)), (9, Band(9, 10)),
     (10, Band(9, 10)), (11, Band(11, 12)), (12, Band(11, 12)), (13, Band(13, None)),
     (22, Band(13, None))],
)  # fmt: skip
def test_every_zoom_falls_in_the_band_that_covers_it(zoom, band):
    found = band_for(zoom)
    assert found == band
    assert found.min_zoom <= zoom and (found.max_zoom is None or zoom <= found.max_zoom)


def test_a_band_is_simplified_to_a_pixel_at_its_finest_zoom():
    circumference = 2 * math.pi * 6_378_137
    expected = circumference * math.cos(math.radians(51.5)) / (256 * 2**8)
    assert tolerance_m(Band(7, 8), latitude=51.5, finest_m=5.0) == pytest.approx(expected)
    assert pixel_size_m(9, 51.5) == pytest.approx(pixel_size_m(8, 51.5) / 2)


def test_no_band_is_finer_than_the_web_geometry():
    assert tolerance_m(BANDS[-1], latitude=51.5, finest_m=5.0) == 5.0
    # Near the pole a pixel shrinks to nothing; the web geometry's tolerance is the floor.
    assert tolerance_m(Band(11, 12), latitude=89.99, finest_m=5.0) == 5.0


# --- the import stores the bands ---------------------------------------------------------------


def test_the_import_stores_every_coarser_band_of_every_district(coverage, level):
    stored = ZoomGeometry.objects.filter(district__level=level)
    assert stored.count() == len(coverage) * len(COARSE_BANDS)
    assert {band.max_zoom for band in COARSE_BANDS} == set(
        stored.values_list("max_zoom", flat=True)
    )


def test_a_new_boundary_version_gets_its_own_bands(coverage, level, tmp_path):
    cells = [(code, shapely.affinity.translate(p, 10.0, 0.0)) for code, p in coverage]
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": f"Zelle {code}"},
             "geometry": mapping(polygon)}
            for code, polygon in cells
        ],
    }  # fmt: skip
    path = tmp_path / "verschoben.geojson"
    path.write_text(json.dumps(collection))
    import_boundaries(path=path, level=level, valid_from=datetime.date(2024, 1, 1))
    current = District.objects.filter(level=level, valid_to__isnull=True)
    assert ZoomGeometry.objects.filter(district__in=current).count() == len(cells) * len(
        COARSE_BANDS
    )


# --- the districts API with zoom ---------------------------------------------------------------


@pytest.mark.parametrize("zoom", [band.min_zoom for band in BANDS])
def test_every_zoom_band_keeps_the_coverage(client, coverage, level, zoom):
    geoms = metric(served(client, level, zoom=zoom).json())
    overlap, gap = overlap_and_gap_m2(geoms)
    assert overlap <= 1.0
    assert gap <= 1.0


def test_coarser_bands_have_fewer_vertices(client, coverage, level):
    def vertices(zoom):
        return int(
            shapely.get_num_coordinates(metric(served(client, level, zoom=zoom).json())).sum()
        )

    counts = [vertices(band.min_zoom) for band in BANDS]
    assert counts == sorted(counts)
    # The coarsest bands may both be down to the corners that three districts share.
    assert counts[0] < counts[-2] < counts[-1]


def test_the_response_names_the_zooms_it_suits(client, coverage, level):
    assert served(client, level, zoom=9).json()["zoom"] == {"min": 9, "max": 10}
    assert served(client, level, zoom=17).json()["zoom"] == {"min": 13, "max": None}


def test_without_zoom_the_response_is_the_web_geometry_as_before(client, coverage, level):
    default = served(client, level).json()
    finest = served(client, level, zoom=BANDS[-1].min_zoom).json()
    assert "zoom" not in default
    assert default["features"] == finest.pop("features")
    stored = {
        d.code: shapely.from_wkb(bytes(d.web_geometry.wkb))
        for d in District.objects.filter(level=level)
    }
    for feature in default["features"]:
        assert shapely.equals_exact(shape(feature["geometry"]), stored[feature["id"]], 1e-6)


@pytest.mark.parametrize("zoom", ["x", "-1", "23", "1.5", "\x00"])
def test_a_bad_zoom_is_refused_naming_the_parameter(client, zoom):
    response = client.get("/api/v1/districts", {"level": "stadt", "zoom": zoom})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "zoom"


def test_zoom_with_full_geometry_is_refused(client):
    response = client.get("/api/v1/districts", {"level": "stadt", "zoom": 8, "geometry": "full"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "zoom"


# --- the districts API in chunks ----------------------------------------------------------


@pytest.mark.parametrize("zoom", [11, 13])
def test_the_chunks_of_a_band_hold_whole_the_areas_that_meet_their_tile(
    client, coverage, level, zoom
):
    band = served(client, level, zoom=zoom).json()
    by_code = {feature["id"]: feature for feature in band["features"]}
    z = chunk_zoom(band_for(zoom))
    lon, lat = centre_lon_lat()
    cx, cy = tile_of(lon, lat, z)
    seen = set()
    for x, y in itertools.product(range(cx - 1, cx + 2), range(cy - 1, cy + 2)):
        chunk = served(client, level, zoom=zoom, chunk=f"{x},{y}").json()
        assert chunk["chunk"] == {"z": z, "x": x, "y": y}
        assert chunk["zoom"] == band["zoom"]
        square = tile_box(z, x, y)
        meets = {
            code
            for code, feature in by_code.items()
            if shapely.intersects(web_mercator(feature), square)
        }
        codes = {feature["id"] for feature in chunk["features"]}
        # Every area that meets the tile, and no other (but an area whose box only meets it).
        assert meets <= codes
        for feature in chunk["features"]:
            assert feature == by_code[feature["id"]]
            assert shapely.box(*web_mercator(feature).bounds).intersects(square)
        seen |= codes
    # The nine tiles around the centre hold the whole level.
    assert seen == set(by_code)


def web_mercator(feature: dict) -> shapely.Geometry:
    return gpd.GeoSeries([shape(feature["geometry"])], crs=4326).to_crs(3857).iloc[0]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"chunk": "1,2"}, "chunk"), ({"zoom": 11, "chunk": "1"}, "chunk"),
     ({"zoom": 11, "chunk": "1024,1"}, "chunk"), ({"zoom": 11, "chunk": "-1,2"}, "chunk"),
     ({"zoom": 11, "chunk": "a,b"}, "chunk")],
)  # fmt: skip
def test_a_bad_chunk_is_refused_naming_it(client, params, parameter):
    response = client.get("/api/v1/districts", {"level": "stadt", **params})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


# --- vector tiles ----------------------------------------------------------------------------


def tile_url(level, z, x, y):
    return f"/api/v1/tiles/{level.slug}/{z}/{x}/{y}.mvt"


def centre_lon_lat():
    x0, y0 = ORIGIN
    centre = shapely.Point(x0 + CELLS * CELL_M / 2, y0 + CELLS * CELL_M / 2)
    point = gpd.GeoSeries([centre], crs=25832).to_crs(4326).iloc[0]
    return point.x, point.y


@pytest.mark.parametrize("z", [8, 11, 13])
def test_a_tile_holds_the_districts_it_shows_with_code_and_name(client, coverage, level, z):
    x, y = tile_of(*centre_lon_lat(), z)
    response = client.get(tile_url(level, z, x, y))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(response.content)["districts"]["features"]
    codes = {f["properties"]["code"] for f in features}
    assert all(f["properties"]["name"] == f"Zelle {f['properties']['code']}" for f in features)
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    mercator = gpd.GeoSeries([p for _, p in coverage], crs=25832).to_crs(3857).values
    names = np.array([code for code, _ in coverage])
    # Every district inside the tile is there, and nothing beyond the tile's buffer.
    inside = set(names[shapely.intersects(mercator, tile_box(z, x, y, grow=-0.02))])
    reach = set(names[shapely.intersects(mercator, tile_box(z, x, y, grow=64 / 4096))])
    assert inside and inside <= codes <= reach


def test_a_tile_away_from_the_level_is_empty(client, coverage, level):
    response = client.get(tile_url(level, 12, 0, 0))
    assert response.status_code == 200
    assert response.content == b""


def test_a_tile_has_a_validator_and_may_be_cached(client, coverage, level):
    x, y = tile_of(*centre_lon_lat(), 12)
    response = client.get(tile_url(level, 12, x, y))
    assert "public" in response["Cache-Control"]
    again = client.get(tile_url(level, 12, x, y), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_tile_is_sent_gzipped_to_clients_that_accept_it(client, coverage, level):
    x, y = tile_of(*centre_lon_lat(), 11)
    response = client.get(tile_url(level, 11, x, y), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [("1/2/0", "x"), ("1/0/2", "y"), ("23/0/0", "z"), ("a/0/0", "z"), ("3/-1/0", "x"),
     ("3/0/１", "y"), ("2/0/99999999999999999999", "y")],
)  # fmt: skip
def test_a_bad_tile_coordinate_is_refused_naming_it(client, path, parameter):
    response = client.get(f"/api/v1/tiles/stadt/{path}.mvt")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_an_unknown_level_has_no_tiles(client):
    response = client.get("/api/v1/tiles/weltreich/0/0/0.mvt")
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == "level"


def test_the_migration_gives_stored_boundaries_the_bands_the_import_would(coverage, level):
    from django.apps import apps

    migration = importlib.import_module("districts.migrations.0003_zoom_geometry")
    rows = ZoomGeometry.objects.filter(district__level=level)
    imported = {(z.district_id, z.max_zoom): z.geometry.wkb for z in rows}
    rows.delete()
    migration.compute_zoom_geometries(apps, None)
    migrated = {(z.district_id, z.max_zoom): z.geometry.wkb for z in rows}
    assert migrated == imported


def test_a_tile_shows_the_boundaries_of_the_year_asked_for(client, coverage, level):
    x, y = tile_of(*centre_lon_lat(), 11)
    assert client.get(tile_url(level, 11, x, y), {"year": DAY.year}).content
    # Before the level's first boundaries took effect there was nothing to draw.
    assert client.get(tile_url(level, 11, x, y), {"year": DAY.year - 1}).content == b""
