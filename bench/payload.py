"""2. Payload: gzipped boundary GeoJSON of Bottrop's 17 districts and NRW's 396 municipalities.

Bottrop is measured in the benchmark database, NRW in the scratch database atlas_bench_import
(dropped afterwards), so the other benchmarks see the Bottrop atlas only.

Target: NRW at most 100 KB gzipped, with the coverage kept: neither overlaps between the web
geometries of neighbours nor gaps between them above 1 m² in total.

The map asks for the band of its zoom (the districts API's ``zoom``): the target holds for the
overview, the band for the zoom at which the whole level fits a 1280 × 800 map (NRW: zoom 8).

Overlap: the summed area of the pairwise intersections of the web geometries (projected back to
EPSG:25832). Gap: the area of holes inside the union of the web geometries that are not holes
of the union of the original boundaries, i.e. slivers between neighbours; the outer edge of
the region moves by simplification and is not a gap. Other tolerances and precisions are tried
here only, with the same steps as districts/services/geometry.py.
"""

import datetime
import gzip
import json
import math
import sys

import numpy as np
import shapely
from common import ROOT, Result, django_setup, parser, report

NRW_SHAPEFILE = ROOT / "fixtures" / "nrw" / "dvg2gem_nw.shp"
NRW_LEVEL = "gemeinde"
TARGET_BYTES = 100 * 1000
TARGET_COVERAGE_M2 = 1.0
# The variants tried beside the production setting: tolerance in metres, decimals of degrees.
VARIANTS = [(5, 6), (25, 5), (100, 5), (200, 5), (300, 5), (500, 5), (300, 4)]
# The map the overview band is chosen for: the zoom at which the whole level fits it.
MAP_PIXELS = (1280, 800)
WEB_MERCATOR_HALF = 20037508.342789244


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def api_geojson(
    level: str, year: int = 2024, zoom: int | None = None, chunk: str | None = None
) -> bytes:
    """The districts API response, as the map fetches it (with ``zoom``: that zoom's band;
    with ``chunk`` "x,y" too, that chunk of it)."""
    from django.test import Client

    params = {"level": level, "year": year} | ({} if zoom is None else {"zoom": zoom})
    if chunk is not None:
        params["chunk"] = chunk
    response = Client(HTTP_HOST="localhost").get("/api/v1/districts", params)
    assert response.status_code == 200, response.content[:200]
    return response.content


def overview_zoom(originals: np.ndarray) -> int:
    """The largest zoom at which geometries (EPSG:25832) fit a MAP_PIXELS map whole."""
    import geopandas as gpd

    xmin, ymin, xmax, ymax = gpd.GeoSeries(originals, crs=25832).to_crs(3857).total_bounds
    world = 2 * WEB_MERCATOR_HALF
    # Pixels at zoom 0 (one 256-pixel tile for the world); each zoom doubles them.
    width, height = (xmax - xmin) / world * 256, (ymax - ymin) / world * 256
    return math.floor(min(math.log2(MAP_PIXELS[0] / width), math.log2(MAP_PIXELS[1] / height)))


def served_geometries(body: bytes) -> np.ndarray:
    """The geometries of a districts API response (EPSG:4326), in its order."""
    features = json.loads(body)["features"]
    return shapely.from_geojson([json.dumps(f["geometry"]) for f in features])


def ensure_nrw_level() -> None:
    """NRW's municipalities as their own level, imported once like any boundary file."""
    from districts.models import District, Level
    from districts.services.boundaries import import_boundaries

    level, _ = Level.objects.get_or_create(
        slug=NRW_LEVEL,
        defaults={
            "name_de": "Gemeinde",
            "name_en": "Municipality",
            "name_plural_de": "Gemeinden",
            "name_plural_en": "Municipalities",
            "rank": 5,
        },
    )
    if not District.objects.filter(level=level).exists():
        import_boundaries(
            path=NRW_SHAPEFILE,
            level=level,
            code_field="KN",
            name_field="GN",
            valid_from=datetime.date(2013, 1, 1),
        )


def level_geometries(slug: str) -> tuple[np.ndarray, np.ndarray]:
    """Original boundaries (EPSG:25832) and web geometries (EPSG:4326) of a level, as shapely."""
    from districts.models import District

    rows = District.objects.valid_on(datetime.date(2024, 12, 31)).filter(level__slug=slug)
    rows = rows.order_by("code").values_list("boundary", "web_geometry")
    originals = shapely.from_wkb([bytes(b.wkb) for b, _ in rows])
    web = shapely.from_wkb([bytes(w.wkb) for _, w in rows])
    return originals, web


def to_metric(geoms: np.ndarray) -> np.ndarray:
    import geopandas as gpd

    return gpd.GeoSeries(geoms, crs=4326).to_crs(25832).values


def to_web(geoms: np.ndarray) -> np.ndarray:
    import geopandas as gpd

    return gpd.GeoSeries(geoms, crs=25832).to_crs(4326).values


def coverage_errors(originals: np.ndarray, web: np.ndarray) -> tuple[float, float]:
    """(overlap m², gap m²) of web geometries against their originals, both measured in metres."""
    metric = to_metric(web)
    tree = shapely.STRtree(metric)
    left, right = tree.query(metric, predicate="intersects")
    pairs = left < right
    shared = shapely.intersection(metric[left[pairs]], metric[right[pairs]])
    overlap = float(shapely.area(shared).sum())
    gap = _hole_area(shapely.union_all(metric)) - _hole_area(shapely.union_all(originals))
    return overlap, max(gap, 0.0)


def _hole_area(geom) -> float:
    parts = shapely.get_parts(geom)
    return float(sum(shapely.Polygon(p.exterior).area - p.area for p in parts))


def simplify_variant(originals: np.ndarray, tolerance_m: float, decimals: int) -> np.ndarray:
    """The production steps (coverage simplification, EPSG:4326, rounding) with other settings."""
    simplified = shapely.coverage_simplify(originals, tolerance_m)
    return shapely.set_precision(to_web(simplified), 10.0**-decimals, mode="pointwise")


def geojson_bytes(web: np.ndarray, decimals: int) -> bytes:
    """A FeatureCollection shaped like the API's, for sizes of variants."""
    features = [
        {
            "type": "Feature",
            "id": f"{i:08d}",
            "properties": {"code": f"{i:08d}", "name": "Gemeinde", "area_km2": 12.345},
            "geometry": _rounded(shapely.geometry.mapping(geom), decimals),
        }
        for i, geom in enumerate(web)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _rounded(value, decimals):
    if isinstance(value, float):
        number = round(value, decimals)
        return int(number) if number.is_integer() else number
    if isinstance(value, list | tuple):
        return [_rounded(v, decimals) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v, decimals) for k, v in value.items()}
    return value


def main(argv=None) -> list[Result]:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--no-variants", action="store_true", help="production setting only")
    args = arguments.parse_args(argv)
    from synthetic import scratch_database

    results = []
    bottrop = subprocess_figures(["--bottrop"])
    results.append(Result("2 payload", "Bottrop 17 districts, raw", bottrop["raw"] / 1000, "KB"))
    results.append(Result("2 payload", "Bottrop 17 districts, gzip", bottrop["gzip"] / 1000, "KB"))
    with scratch_database() as url:
        django_setup(url)
        results += nrw_figures(variants_too=not args.no_variants)
        from django.db import connections

        connections.close_all()
    report(results, args.results)
    return results


def subprocess_figures(flags: list[str]) -> dict:
    """Figures measured in a process of its own, on the benchmark database."""
    import subprocess

    from common import PYTHON

    done = subprocess.run([PYTHON, __file__, *flags], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bottrop_figures() -> None:
    django_setup()
    body = api_geojson("statistischer-bezirk")
    print(json.dumps({"raw": len(body), "gzip": gzipped(body)}))


def nrw_figures(*, variants_too: bool) -> list[Result]:
    from django.conf import settings

    ensure_nrw_level()
    tolerance = float(getattr(settings, "ATLAS_SIMPLIFY_TOLERANCE_M", 5.0))
    results = []
    nrw = api_geojson(NRW_LEVEL)
    size = gzipped(nrw)
    results.append(Result("2 payload", "NRW 396 municipalities, raw", len(nrw) / 1000, "KB"))
    results.append(
        Result("2 payload", f"NRW gzip, no zoom (tolerance {tolerance:g} m, 6 decimals)",
               size / 1000, "KB")
    )  # fmt: skip
    originals, web = level_geometries(NRW_LEVEL)
    overlap, gap = coverage_errors(originals, web)
    results.append(
        Result("2 payload", "  its overlap / gap", f"{overlap:.1f} / {gap:.1f}", "m²")
    )  # fmt: skip
    results += overview_figures(originals, NRW_LEVEL, "NRW", "2 payload")
    if variants_too:
        results += variants(originals, "NRW")
        results.append(overview_at_half_a_pixel(originals, "NRW"))
    return results


def overview_at_half_a_pixel(originals: np.ndarray, region: str) -> Result:
    """The overview band simplified to half a pixel instead of a whole one (no target)."""
    from districts.zoom import band_for, pixel_size_m

    zoom = overview_zoom(originals)
    xmin, ymin, xmax, ymax = shapely.total_bounds(originals)
    centre = to_web(np.array([shapely.Point((xmin + xmax) / 2, (ymin + ymax) / 2)]))[0]
    metres = 0.5 * pixel_size_m(band_for(zoom).max_zoom, centre.y)
    web = simplify_variant(originals, metres, 5)
    size = gzipped(geojson_bytes(web, 5))
    overlap, gap = coverage_errors(originals, web)
    return Result(
        "2 payload",
        f"{region} variant z{zoom} band at ½ px ({metres:.0f} m) / 5 dec: gzip, overlap, gap",
        f"{size / 1000:.1f} KB, {overlap:.1f} m², {gap:.1f} m²",
    )


def overview_figures(
    originals: np.ndarray, level: str, region: str, benchmark: str, *, targets: bool = True
):
    """Size and coverage of the districts API's band for the zoom that shows the whole level
    on a MAP_PIXELS map (``zoom`` parameter), with the targets of benchmark 2 if ``targets``
    (without, for a band the map does not draw at that zoom)."""
    from districts.services.geometry import _simplify_tolerance_m
    from districts.zoom import band_for, tolerance_m

    zoom = overview_zoom(originals)
    band = band_for(zoom)
    xmin, ymin, xmax, ymax = shapely.total_bounds(originals)
    centre = shapely.Point((xmin + xmax) / 2, (ymin + ymax) / 2)
    latitude = float(to_web(np.array([centre]))[0].y)
    metres = tolerance_m(band, latitude=latitude, finest_m=_simplify_tolerance_m())
    body = api_geojson(level, zoom=zoom)
    size = gzipped(body)
    overlap, gap = coverage_errors(originals, served_geometries(body))
    label = f"{region} overview z{zoom} (band {band.min_zoom}–{band.max_zoom}, {metres:.0f} m)"
    results = [
        Result(benchmark, f"{label}, raw", len(body) / 1000, "KB"),
        Result(benchmark, f"{region} overview z{zoom}, gzip", size / 1000, "KB",
               f"<= {TARGET_BYTES // 1000}" if targets else "",
               size <= TARGET_BYTES if targets else None),
    ]  # fmt: skip
    for name, area in (("overlap", overlap), ("gap", gap)):
        results.append(
            Result(
                benchmark, f"{region} overview z{zoom}: {name} between neighbours", area, "m²",
                f"<= {TARGET_COVERAGE_M2:g}" if targets else "",
                area <= TARGET_COVERAGE_M2 if targets else None,
            )
        )  # fmt: skip
    return results


def variants(originals: np.ndarray, region: str) -> list[Result]:
    """Payload and coverage for each tolerance and precision in VARIANTS (no target)."""
    results = []
    for tolerance, decimals in VARIANTS:
        web = simplify_variant(originals, tolerance, decimals)
        size = gzipped(geojson_bytes(web, decimals))
        overlap, gap = coverage_errors(originals, web)
        results.append(
            Result(
                "2 payload",
                f"{region} variant {tolerance} m / {decimals} dec: gzip, overlap, gap",
                f"{size / 1000:.1f} KB, {overlap:.1f} m², {gap:.1f} m²",
            )
        )
    return results


if __name__ == "__main__":
    if sys.argv[1:] == ["--bottrop"]:
        bottrop_figures()
    else:
        main(sys.argv[1:])
