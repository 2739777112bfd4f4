"""7. Scale: a synthetic Germany-size level of 11,000 municipalities, through benchmarks 1, 2, 4.

The level is a seeded Voronoi tessellation of a 370 km × 830 km box (EPSG:25832) with jagged
shared edges, a valid coverage, imported through the boundary import as the map's level
(statistischer-bezirk) in the scratch database atlas_bench_import, with one indicator for
two years; 400 Kreise made of whole municipalities are imported as a coarser level, which the
map draws as its overview where the municipalities are specks. Measured: the boundary import,
the payload (raw and gzipped GeoJSON from the districts API, without zoom and for the
overview zoom at which the whole box fits a 1280 × 800 map; for that zoom also the Kreise's)
and its coverage, the hot path against nginx, the start page and a year change on
localhost and on slow 4G, and the size of Mapbox vector tiles for the zoom levels that show
the whole country, from the tile API (per-zoom geometry) and from the full boundaries
(ST_AsMVT here). Scripts and stylesheets do not depend on the level: benchmark 3 holds.
"""

import datetime
import gzip
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import (
    Result,
    atlas_server,
    django_setup,
    fetch,
    nginx_server,
    parser,
    proxy_server,
    report,
    wrk,
)

DISTRICTS = 11_000
LEVEL = "statistischer-bezirk"
# Germany has about 400 Kreise and kreisfreie Städte.
KREISE = 400
OVERVIEW_LEVEL = "kreis"
KREIS = (
    "Kreis (synthetisch)",
    "Kreise (synthetisch)",
    "District (synthetic)",
    "Districts (synthetic)",
)
INDICATOR = "synthetisch-0"
YEARS = (2023, 2024)
SLOW_4G_BYTES_PER_S = 200_000
SLOW_4G_LATENCY_S = 0.15
WEB_MERCATOR_HALF = 20037508.342789244


def main(argv=None) -> list[Result]:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--districts", type=int, default=DISTRICTS)
    arguments.add_argument("--duration", type=float, default=30, help="seconds per load run")
    arguments.add_argument(
        "--no-served", action="store_true", help="import, payload and tiles only (no 1 and 4)"
    )
    args = arguments.parse_args(argv)
    from synthetic import scratch_database

    results = []
    with scratch_database() as url, tempfile.TemporaryDirectory() as scratch:
        django_setup(url)
        results += _load_level(Path(scratch), args.districts)
        results += _payload()
        results += _tiles()
        from django.db import connections

        connections.close_all()
        if not args.no_served:
            results += _served(url, args.duration)
    report(results, args.results)
    return results


def _load_level(scratch: Path, count: int) -> list[Result]:
    from synthetic import (
        grouped_coverage,
        indicators,
        level,
        long_csv,
        voronoi_coverage,
        write_geopackage,
    )

    from districts.services.boundaries import import_boundaries
    from indicators.services.import_values import import_values

    started = time.perf_counter()
    polygons = voronoi_coverage(count)
    path = write_geopackage(scratch / "gemeinden.gpkg", polygons)
    generated = time.perf_counter() - started
    target = level(LEVEL, rank=20)
    started = time.perf_counter()
    import_boundaries(path=path, level=target, valid_from=datetime.date(2000, 1, 1), srid=25832)
    imported = time.perf_counter() - started
    # The Kreise the municipalities make up: the map's overview where those are specks.
    kreise, _ = grouped_coverage(polygons, KREISE)
    path = write_geopackage(scratch / "kreise.gpkg", kreise, name="Kreis")
    coarser = level(OVERVIEW_LEVEL, rank=15, names=KREIS)
    started = time.perf_counter()
    import_boundaries(path=path, level=coarser, valid_from=datetime.date(2000, 1, 1), srid=25832)
    crosswalked = time.perf_counter() - started
    codes = [f"{i:08d}" for i in range(len(polygons))]
    values = scratch / "werte.csv"
    long_csv(values, level_slug=LEVEL, codes=codes, slugs=indicators(1), years=YEARS)
    import_values(path=values, title="Benchmark", publish=True)
    return [
        Result("7 scale", "districts in the synthetic level", f"{len(polygons):,}"),
        Result("7 scale", "generating the coverage", generated, "s"),
        Result("7 scale", "boundary import (incl. simplification)", imported, "s"),
        Result("7 scale", "Kreise made of them (the map's overview)", f"{len(kreise):,}"),
        Result("7 scale", "  their import (incl. the crosswalk)", crosswalked, "s"),
    ]


def _payload() -> list[Result]:
    from payload import (
        api_geojson,
        coverage_errors,
        gzipped,
        level_geometries,
        overview_figures,
        overview_zoom,
    )

    from districts.models import Level
    from districts.selectors import overview_of

    body = api_geojson(LEVEL)
    size = gzipped(body)
    originals, web = level_geometries(LEVEL)
    overlap, gap = coverage_errors(originals, web)
    transfer = SLOW_4G_LATENCY_S + size / SLOW_4G_BYTES_PER_S
    results = [
        Result("7 scale", "boundaries GeoJSON, no zoom, raw", len(body) / 1e6, "MB"),
        Result("7 scale", "boundaries GeoJSON, no zoom, gzip", size / 1000, "KB"),
        Result("7 scale", "  its transfer on slow 4G (computed)", transfer, "s"),
        Result("7 scale", "  its overlap / gap", f"{overlap:.1f} / {gap:.1f}", "m²"),
    ]
    # The municipalities' own band at the zoom that shows them all: the map draws the Kreise
    # there, so no target; their size is why.
    zoom = overview_zoom(originals)
    results += overview_figures(originals, LEVEL, "municipalities (not drawn)", "7 scale",
                                targets=False)  # fmt: skip
    overview = gzipped(api_geojson(LEVEL, zoom=zoom))
    transfer = SLOW_4G_LATENCY_S + overview / SLOW_4G_BYTES_PER_S
    results.append(Result("7 scale", "  their transfer on slow 4G (computed)", transfer, "s"))
    # What the map loads at that zoom: the Kreise, the level's overview.
    kreise, _ = level_geometries(OVERVIEW_LEVEL)
    results += overview_figures(kreise, OVERVIEW_LEVEL, "Kreise (the map's overview)", "7 scale")
    # Past the overview the map loads the municipalities in chunks of the view: the view at
    # the box's centre against the whole band.
    first = overview_of(Level.objects.get(slug=LEVEL)).max_zoom + 1
    for zoom in (first, 9, 11, 13):
        whole = gzipped(api_geojson(LEVEL, zoom=zoom))
        chunks = _view_chunks(zoom)
        size = sum(gzipped(api_geojson(LEVEL, zoom=zoom, chunk=chunk)) for chunk in chunks)
        results.append(
            Result("7 scale", f"municipalities at z{zoom}: a 1280 × 800 view in "
                   f"{len(chunks)} chunks / the whole band, gzip",
                   f"{size / 1000:,.1f} / {whole / 1000:,.1f}", "KB")
        )  # fmt: skip
    return results


def _view_chunks(zoom: int) -> list[str]:
    """The chunks the map asks for with a 1280 × 800 view (grown by a tenth on every side,
    as map.js does) at the centre of the box, at ``zoom``."""
    from districts.zoom import band_for, chunk_zoom

    centre_x, centre_y = _mercator_centre()
    metres = 2 * WEB_MERCATOR_HALF / (256 * 2**zoom)
    half_w, half_h = 1280 * 1.2 / 2 * metres, 800 * 1.2 / 2 * metres
    extent = (centre_x - half_w, centre_y - half_h, centre_x + half_w, centre_y + half_h)
    tiles = _tile_range(extent, chunk_zoom(band_for(zoom)))
    return [f"{x},{y}" for x, y in tiles]


def _mercator_centre() -> tuple[float, float]:
    from django.contrib.gis.geos import Point
    from synthetic import GERMANY_BOX

    xmin, ymin, xmax, ymax = GERMANY_BOX
    centre = Point((xmin + xmax) / 2, (ymin + ymax) / 2, srid=25832)
    centre.transform(3857)
    return centre.x, centre.y


def _tiles() -> list[Result]:
    """Vector tiles of the level: from the API (per-zoom geometry), and for comparison made
    here from the full boundaries (ST_AsMVT clips and snaps them per tile). The map draws
    GeoJSON, the Kreise up to z7: no target."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")

    def served(zoom: int, x: int, y: int) -> int:
        response = client.get(f"/api/v1/tiles/{LEVEL}/{zoom}/{x}/{y}.mvt")
        assert response.status_code == 200, response.content[:200]
        return len(gzip.compress(response.content, compresslevel=6, mtime=0))

    results = []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE mvt_source AS
            SELECT d.code, ST_Transform(d.boundary, 3857) AS geom
            FROM districts_district d JOIN districts_level l ON l.id = d.level_id
            WHERE l.slug = %s AND d.valid_to IS NULL;
            CREATE INDEX ON mvt_source USING gist (geom);
            ANALYZE mvt_source;
            """,
            [LEVEL],
        )
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom)::geometry AS e FROM mvt_source) x"
        )
        extent = cursor.fetchone()
        for zoom in (6, 7):
            tiles = list(_tile_range(extent, zoom))
            started = time.perf_counter()
            sizes = [served(zoom, x, y) for x, y in tiles]
            seconds = (time.perf_counter() - started) / len(tiles)
            results.append(
                Result(
                    "7 scale", f"vector tiles z{zoom} (whole country), API, gzip",
                    f"{sum(sizes) / 1000:,.1f} KB in {len(sizes)} tiles, "
                    f"largest {max(sizes) / 1000:,.1f} KB, {seconds * 1000:,.0f} ms a tile",
                )
            )  # fmt: skip
            sizes = [_tile(cursor, zoom, x, y) for x, y in tiles]
            results.append(
                Result(
                    "7 scale", "  the same tiles from the full boundaries, gzip",
                    f"{sum(sizes) / 1000:,.1f} KB, largest {max(sizes) / 1000:,.1f} KB",
                )
            )  # fmt: skip
        zoom = 10
        tiles = list(_tile_range(extent, zoom))
        middle = tiles[len(tiles) // 2]
        sample = [(middle[0] + dx, middle[1] + dy) for dx in range(4) for dy in range(4)]
        for source, sizes in (
            ("API", [served(zoom, x, y) for x, y in sample]),
            ("full boundaries", [_tile(cursor, zoom, x, y) for x, y in sample]),
        ):
            results.append(
                Result("7 scale", f"vector tiles z10, a 4×4 block, {source}, gzip",
                       f"{sum(sizes) / 1000:,.1f} KB, mean {statistics.mean(sizes) / 1000:.1f} KB")
            )  # fmt: skip
    return results


def _tile(cursor, zoom: int, x: int, y: int) -> int:
    cursor.execute(
        """
        WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env),
        features AS (
            SELECT s.code, ST_AsMVTGeom(s.geom, bounds.env, 4096, 64, true) AS geom
            FROM mvt_source s, bounds WHERE s.geom && bounds.env
        )
        SELECT ST_AsMVT(features.*, 'districts', 4096, 'geom') FROM features
        """,
        {"z": zoom, "x": x, "y": y},
    )
    tile = bytes(cursor.fetchone()[0] or b"")
    return len(gzip.compress(tile, compresslevel=6, mtime=0)) if tile else 0


def _tile_range(extent, zoom: int):
    xmin, ymin, xmax, ymax = extent
    n = 2**zoom

    def column(x):
        return math.floor((x + WEB_MERCATOR_HALF) / (2 * WEB_MERCATOR_HALF) * n)

    def row(y):
        return math.floor((WEB_MERCATOR_HALF - y) / (2 * WEB_MERCATOR_HALF) * n)

    for x in range(column(xmin), column(xmax) + 1):
        for y in range(row(ymax), row(ymin) + 1):
            yield x, y


def _served(url: str, duration: float) -> list[Result]:
    """Benchmarks 1 and 4 against the synthetic level: the map's two data files through nginx
    in front of gunicorn (deploy/nginx.conf) against nginx alone, and the map in Chromium."""
    from browser import LOCALHOST, SLOW_4G, chromium
    from hot_path import current_path
    from page_timing import measure

    # Any state: the atlas redirects to the current one and renders the file on the way.
    requests = {
        "boundaries": f"/data/0000000000000000/boundaries/{LEVEL}/2024-z0.json",
        "values": f"/data/0000000000000000/values/{INDICATOR}/{LEVEL}/2024.json",
    }
    results = []
    with atlas_server(database=url) as atlas:
        with proxy_server(atlas) as front:
            paths = {name: current_path(front, path) for name, path in requests.items()}
            bodies = {f"{name}.json": fetch(front + path) for name, path in paths.items()}
            ours = {
                name: wrk(front + path, duration=duration, connections=32)
                for name, path in paths.items()
            }
        with nginx_server(bodies) as nginx:
            for name in paths:
                theirs = wrk(f"{nginx}/{name}.json", duration=duration, connections=32)
                ratio = ours[name].requests_per_s / theirs.requests_per_s
                size = len(bodies[f"{name}.json"])
                results += [
                    Result(
                        "7 scale", f"{name} ({size / 1e6:.1f} MB): nginx+atlas / nginx req/s",
                        f"{ours[name].requests_per_s:,.1f} / {theirs.requests_per_s:,.1f}",
                    ),
                    Result("7 scale", f"{name}: atlas/nginx", ratio, "", ">= 0.5", ratio >= 0.5),
                ]  # fmt: skip
        path = f"/?indicator={INDICATOR}&year=2024"
        with chromium() as browser:
            # On localhost first: the values files are rendered on their first request, as
            # after a publish, so slow 4G then measures the transfer of finished files.
            figures = measure(browser, atlas, LOCALHOST, 4, path=path, timeout_ms=600_000)
            slow = measure(browser, atlas, SLOW_4G, 2, path=path, timeout_ms=600_000)
        year = statistics.median(figures["year_ms"])
        lcp = float(slow["lcp"]["ms"] or 0)
        results += [
            Result("7 scale", f"localhost: LCP ({figures['lcp']['element']})",
                   float(figures["lcp"]["ms"] or 0), "ms"),
            Result("7 scale", "localhost: map drawn after", figures["drawn"], "ms"),
            Result("7 scale", "localhost: year change, median", year, "ms", "<= 100",
                   year <= 100),
            Result("7 scale", f"slow 4G: LCP ({slow['lcp']['element']})", lcp, "ms", "<= 2500",
                   0 < lcp <= 2500),
            Result("7 scale", "slow 4G: map drawn after", slow["drawn"], "ms"),
            Result("7 scale", "slow 4G: year change, median", statistics.median(slow["year_ms"]),
                   "ms"),
        ]  # fmt: skip
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
