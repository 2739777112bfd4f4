"""An uploaded geodata file's features, read in the box (core.sandbox, core.geofiles): the
imports of boundaries and facilities see attributes, shapely geometries and a CRS, never GDAL."""

import base64
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pyproj
import shapely

from core.geofiles import ALLOWED_DRIVERS
from core.importing import ImportRejected, RowError
from core.sandbox import run_boxed

SUFFIXES = {".geojson", ".json", ".gpkg", ".zip", ".shp"}
# Skipped even if a GDAL build does not list them as vector drivers: they read other files,
# run pipelines or fetch URLs.
ALWAYS_SKIPPED = ("VRT", "OGR_VRT", "GDALG", "HTTP", "WFS", "OAPIF", "CSW")
AUTHORITY_CODE = re.compile(r"(EPSG|ESRI|OGC):\w{1,12}")
WKT_START = re.compile(r"[A-Z][A-Z0-9_]*\[")


@dataclass
class Geodata:
    columns: list[str]
    rows: list[list]
    geometries: list  # shapely geometries, None where a feature has none
    crs: pyproj.CRS | None
    # Why an area was invalid where the box repaired it (None: it was valid).
    repairs: list[str | None]


def _reject(name: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(None, "Datei", name, message)])


@functools.cache
def skipped_drivers() -> tuple[str, ...]:
    """Every GDAL driver the atlas does not read uploads with (the box checks the rest)."""
    import pyogrio

    found = set(pyogrio.list_drivers()) | set(ALWAYS_SKIPPED)
    return tuple(sorted(found - set(ALLOWED_DRIVERS)))


def read_geodata(*, path: Path, suffix: str | None = None) -> Geodata:
    """The features of a GeoJSON, GeoPackage or (zipped) Shapefile file; ``suffix`` says which
    of them a file is when its name does not. Raises ImportRejected naming the file (never
    its folder) for a missing, unsupported, hostile or unreadable file."""
    path = Path(path)
    suffix = (suffix or path.suffix).lower()
    if not path.is_file():
        raise _reject(path.name, "nicht gefunden")
    if suffix not in SUFFIXES:
        raise _reject(
            path.name,
            "Dateityp nicht unterstützt; erlaubt sind GeoJSON, GeoPackage und Shapefile "
            "(auch als ZIP)",
        )
    answer = run_boxed(
        task="geodata",
        path=path,
        name=path.name,
        options={"suffix": suffix, "skip_drivers": list(skipped_drivers())},
    )
    try:
        geometries = [
            None if g is None else shapely.from_wkb(base64.b64decode(g))
            for g in answer["geometries"]
        ]
        repairs = [None if r is None else str(r) for r in answer["repairs"]]
        data = Geodata(answer["columns"], answer["rows"], geometries, _crs(answer["crs"]), repairs)
    except (KeyError, TypeError, ValueError, shapely.errors.GEOSException,
            pyproj.exceptions.CRSError) as error:  # fmt: skip
        raise _reject(path.name, "nicht lesbar: unerwartete Antwort des Lesers") from error
    if not len(data.rows) == len(data.geometries) == len(data.repairs):
        raise _reject(path.name, "nicht lesbar: unerwartete Antwort des Lesers")
    return data


def _crs(text: str | None) -> pyproj.CRS | None:
    """The CRS the file states, from an authority code or WKT only (nothing that names a
    resource to fetch)."""
    if text is None:
        return None
    if AUTHORITY_CODE.fullmatch(text):
        return pyproj.CRS.from_user_input(text)
    if WKT_START.match(text):
        return pyproj.CRS.from_wkt(text)
    raise ValueError("CRS neither an authority code nor WKT")
