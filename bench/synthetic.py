"""Synthetic data for the large benchmarks: its own database, levels of many districts, values."""

import contextlib
import csv
import datetime
import itertools
import os
import subprocess
from pathlib import Path

import numpy as np
import shapely
from common import PYTHON, ROOT, database_url, production_env, to_libpq

# A box of nearly Germany's area (307,000 km² of 357,000) in EPSG:25832, 370 km by 830 km,
# inside the zone's area of use (6° to 12° East) that the boundary import checks.
GERMANY_BOX = (315_000.0, 5_250_000.0, 685_000.0, 6_080_000.0)
VALID_FROM = datetime.date(2000, 1, 1)


def import_database_url(suffix: str = "_import") -> str:
    """The database for synthetic data, beside the benchmark database: its name with
    ``suffix`` appended (atlas_bench_import), or ``BENCH_SCRATCH_DATABASE``, so benchmark
    runs on different benchmark databases never drop each other's scratch database.
    """
    base, name = database_url().rsplit("/", 1)
    return f"{base}/{os.environ.get('BENCH_SCRATCH_DATABASE') or name + suffix}"


@contextlib.contextmanager
def scratch_database(suffix: str = "_import"):
    """A freshly migrated database, dropped afterwards; yields its URL. A benchmark that may
    run beside another one's scratch database passes its own ``suffix``."""
    url = import_database_url(suffix)
    name = url.rsplit("/", 1)[1]
    admin = to_libpq(url.rsplit("/", 1)[0] + "/postgres")
    psql = [
        "psql",
        admin,
        "-Xq",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        "SET client_min_messages = warning",
        "-c",
    ]
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True)
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=production_env(url),
            check=True,
        )
        yield url
    finally:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


MUNICIPALITY = (
    "Synthetische Gemeinde",
    "Synthetische Gemeinden",
    "Synthetic municipality",
    "Synthetic municipalities",
)


def level(slug: str, *, rank: int = 40, names: tuple[str, str, str, str] = MUNICIPALITY):
    """The level ``slug``, made with ``names`` (de, plural de, en, plural en) if new."""
    from districts.models import Level

    name_de, plural_de, name_en, plural_en = names
    return Level.objects.get_or_create(
        slug=slug,
        defaults={
            "name_de": name_de,
            "name_en": name_en,
            "name_plural_de": plural_de,
            "name_plural_en": plural_en,
            "rank": rank,
        },
    )[0]


def square_districts(slug: str, count: int, side_m: float = 1000.0) -> list[str]:
    """``count`` square districts side by side in a grid; returns their codes."""
    from django.contrib.gis.geos import GEOSGeometry

    from districts.models import District
    from districts.services.geometry import place_labels

    target = level(slug)
    per_row = int(np.ceil(np.sqrt(count)))
    x0, y0 = GERMANY_BOX[0], GERMANY_BOX[1]
    districts = []
    for i in range(count):
        x, y = x0 + (i % per_row) * side_m, y0 + (i // per_row) * side_m
        square = shapely.MultiPolygon([shapely.box(x, y, x + side_m, y + side_m)])
        boundary = GEOSGeometry(memoryview(shapely.to_wkb(square)), srid=25832)
        districts.append(
            District(
                level=target,
                code=f"{i:08d}",
                name=f"Gemeinde {i}",
                boundary=boundary,
                web_geometry=boundary.transform(4326, clone=True),
                area_km2=side_m * side_m / 1e6,
                valid_from=VALID_FROM,
            )
        )
    District.objects.bulk_create(districts, batch_size=2000)
    place_labels([d.id for d in districts])
    return [d.code for d in districts]


def voronoi_coverage(count: int, *, seed: int = 25832) -> np.ndarray:
    """``count`` polygons tiling GERMANY_BOX without gap or overlap (Voronoi cells of random
    points, clipped to the box), seeded so every run has the same cells.
    """
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = GERMANY_BOX
    points = shapely.multipoints(
        np.column_stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)])
    )
    box = shapely.box(*GERMANY_BOX)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=box))
    cells = shapely.intersection(cells, box)
    # Voronoi cell boundaries are straight: add the vertices a real boundary has (about one
    # every 200 m, wobbling by up to 20 m) along each edge, identically for both neighbours.
    return _wobble(cells, rng)


def grouped_coverage(cells: np.ndarray, count: int, *, seed: int = 31) -> tuple[np.ndarray, list]:
    """``count`` larger areas made of whole ``cells`` (a coverage): each cell joins the nearest
    of ``count`` seeded points, as municipalities make up a Kreis. Returns the areas and, for
    each cell, the index of its area.
    """
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = GERMANY_BOX
    seeds = np.column_stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)])
    inside = shapely.get_coordinates(shapely.point_on_surface(cells))
    group = cKDTree(seeds).query(inside)[1]
    # A seed no cell is nearest to makes no area: the areas are numbered without gaps.
    used, group = np.unique(group, return_inverse=True)
    areas = np.array(
        [shapely.coverage_union_all(cells[group == i]) for i in range(len(used))], dtype=object
    )
    return areas, group.tolist()


def _wobble(cells: np.ndarray, rng) -> np.ndarray:
    """Replace every edge by a jagged line (the same for both cells that share it)."""
    edges: dict[tuple, np.ndarray] = {}

    def jagged(a, b):
        key = (a, b) if a <= b else (b, a)
        if key not in edges:
            start, end = np.array(key[0]), np.array(key[1])
            length = float(np.hypot(*(end - start)))
            steps = max(1, int(length // 200))
            t = np.linspace(0, 1, steps + 1)[1:-1]
            normal = np.array([-(end - start)[1], (end - start)[0]]) / max(length, 1e-9)
            inner = start + np.outer(t, end - start)
            # The box's outer edge stays straight so the coverage keeps its frame.
            on_frame = _on_frame(start, end)
            offsets = np.zeros(len(t)) if on_frame else rng.uniform(-20, 20, len(t))
            edges[key] = inner + np.outer(offsets, normal)
        points = edges[key]
        return points if (a, b) == key else points[::-1]

    out = []
    for cell in cells:
        ring = [tuple(map(float, c)) for c in np.round(shapely.get_coordinates(cell.exterior), 3)]
        coords = []
        for a, b in itertools.pairwise(ring):
            coords.append(a)
            coords.extend(map(tuple, jagged(a, b)))
        coords.append(ring[0])
        out.append(shapely.make_valid(shapely.Polygon(coords)))
    return np.array(out, dtype=object)


def _on_frame(start, end) -> bool:
    xmin, ymin, xmax, ymax = GERMANY_BOX
    return (
        abs(start[0] - end[0]) < 1e-6 and min(abs(start[0] - xmin), abs(start[0] - xmax)) < 1e-3
    ) or (abs(start[1] - end[1]) < 1e-6 and min(abs(start[1] - ymin), abs(start[1] - ymax)) < 1e-3)


def write_geopackage(path: Path, polygons: np.ndarray, *, name: str = "Gemeinde") -> Path:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(
        {"code": [f"{i:08d}" for i in range(len(polygons))],
         "name": [f"{name} {i}" for i in range(len(polygons))]},
        geometry=list(polygons),
        crs=25832,
    )  # fmt: skip
    frame.to_file(path, driver="GPKG")
    return path


def indicators(count: int) -> list[str]:
    """``count`` count indicators in one theme; returns their slugs."""
    from indicators.models import Indicator, Theme

    theme, _ = Theme.objects.get_or_create(
        slug="synthetisch", defaults={"name_de": "Synthetisch", "name_en": "Synthetic"}
    )
    slugs = []
    for i in range(count):
        slug = f"synthetisch-{i}"
        Indicator.objects.get_or_create(
            slug=slug,
            defaults={
                "theme": theme,
                "name_de": slug,
                "name_en": slug,
                "short_name_de": slug,
                "short_name_en": slug,
                "definition_de": "Synthetische Werte",
                "source": "Benchmark",
                "kind": Indicator.Kind.COUNT,
            },
        )
        slugs.append(slug)
    return slugs


def long_csv(path: Path, *, level_slug: str, codes, slugs, years, seed: int = 1) -> int:
    """The long upload layout (ebene, gebiet, indikator, jahr, wert); returns the row count."""
    rng = np.random.default_rng(seed)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["ebene", "gebiet", "indikator", "jahr", "wert"])
        for slug in slugs:
            for year in years:
                values = rng.integers(10, 10_000, len(codes))
                writer.writerows(
                    (level_slug, code, slug, year, int(value))
                    for code, value in zip(codes, values, strict=True)
                )
                rows += len(codes)
    return rows
