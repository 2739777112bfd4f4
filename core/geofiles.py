"""Reading an uploaded geodata file inside the box (core.boxed): GeoJSON with a JSON parser,
GeoPackage and zipped Shapefile with GDAL restricted to exactly those two drivers.

GDAL picks a driver by a file's content, whatever its name, and some drivers read other files
(VRT), run pipelines (GDALG) or fetch URLs (/vsicurl/, HTTP). So GeoJSON never reaches GDAL,
the containers are checked before GDAL sees them, and every other driver is switched off
before GDAL starts. The answer is plain data: WKB, attributes, the CRS as "EPSG:n" or WKT.
"""

import base64
import datetime
import json
import math
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from core.boxed import Refused

ALLOWED_DRIVERS = ("GPKG", "ESRI Shapefile")
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}
# Indexes and metadata that ArcGIS and QGIS write beside a Shapefile (name.sbn, name.shp.xml,
# …): left in the archive, never unpacked or read, so an agency's download needs no repacking.
SHAPEFILE_SIDECARS = {".sbn", ".sbx", ".qix", ".fix", ".qpj", ".qmd", ".atx", ".ain", ".aih",
                      ".ixs", ".mxs", ".shp.xml"}  # fmt: skip
# Zipped Shapefiles of a city's areas are a few MB; far more unpacked is a bomb.
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = {b"GPKG", b"GP10", b"GP11"}
SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"
# The legacy GeoJSON "crs" member, by name only; a link is never followed.
EPSG_NAME = re.compile(
    r"(?:urn:ogc:def:crs:EPSG:[\d.]*:|EPSG:{1,2}|https?://www\.opengis\.net/def/crs/EPSG/0/)"
    r"(\d{4,6})",
    re.IGNORECASE,
)
WGS84_NAMES = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "ogc:crs84"}
GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
}  # fmt: skip
GDAL_SETTINGS = {
    # /vsicurl/ only for names with this ending, which no file has.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".atlas-ohne-netz",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "PROJ_NETWORK": "OFF",
    "OGR_SQLITE_LOAD_EXTENSIONS": "",
}


def run(task: str, path: str, options: dict) -> dict:
    path = Path(path)
    suffix = options["suffix"]
    if suffix in (".geojson", ".json"):
        return _geojson(path, suffix)
    if suffix == ".gpkg":
        _check_geopackage(path)
        return _with_gdal(path, options["skip_drivers"])
    if suffix == ".zip":
        with tempfile.TemporaryDirectory() as folder:
            shapefile = _unpack_shapefile(path, Path(folder))
            return _with_gdal(shapefile, options["skip_drivers"])
    if suffix == ".shp":
        _check_start(path, SHAPEFILE_MAGIC, "kein Shapefile")
        return _with_gdal(path, options["skip_drivers"])
    raise Refused("Dateityp nicht unterstützt")


def _answer(columns: list[str], rows: list[list], geometries: list, crs: str | None) -> dict:
    repaired = [_repaired(g) for g in geometries]
    return {
        "columns": columns,
        "rows": rows,
        "geometries": [None if g is None else base64.b64encode(g).decode() for g, _ in repaired],
        "repairs": [reason for _, reason in repaired],
        "crs": crs,
    }


def _repaired(wkb: bytes | None) -> tuple[bytes | None, str | None]:
    """An area as the atlas can use it, with the reason it was invalid (None: it was valid).

    Checking and repairing a polygon costs time that grows far faster than its vertices when
    it crosses itself everywhere: done here, under the box's limits, and not in a worker.
    """
    import shapely

    if wkb is None:
        return None, None
    shape = shapely.from_wkb(wkb)
    if shape.geom_type not in ("Polygon", "MultiPolygon") or shape.is_valid:
        return wkb, None
    reason = shapely.is_valid_reason(shape)
    parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(shape)))
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    repaired = shapely.MultiPolygon(polygons) if polygons else shapely.MultiPolygon()
    return shapely.to_wkb(repaired), reason


def _check_start(path: Path, magic: bytes, problem: str) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(100)
    if not head.startswith(magic):
        raise Refused(problem)
    return head


# --- GeoJSON -----------------------------------------------------------------------------


def _geojson(path: Path, suffix: str) -> dict:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    if not text.lstrip().startswith("{"):
        raise Refused(f"Inhalt passt nicht zur Endung {suffix} (kein GeoJSON-Objekt)")
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise Refused(f"kein gültiges JSON ({_short(error)})") from None
    if not isinstance(document, dict):
        raise Refused("kein GeoJSON: der Inhalt ist kein JSON-Objekt")
    features = _features(document)
    crs = _geojson_crs(document.get("crs"))
    columns: dict[str, None] = {}
    for feature in features:
        columns.update(dict.fromkeys(feature["properties"]))
    names = list(columns)
    rows = [[_value(f["properties"].get(name)) for name in names] for f in features]
    geometries = [_geometry(f["geometry"], number) for number, f in enumerate(features, start=1)]
    if features and all(g is None for g in geometries):
        raise Refused("enthält keine Geometrien")
    return _answer(names, rows, geometries, crs)


def _no_constant(name: str):
    raise ValueError(f"{name} ist keine Zahl in JSON")


def _features(document: dict) -> list[dict]:
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise Refused("FeatureCollection ohne Liste „features“")
    elif kind == "Feature":
        features = [document]
    elif kind in GEOMETRY_TYPES:
        features = [{"type": "Feature", "properties": {}, "geometry": document}]
    else:
        raise Refused("kein GeoJSON: „type“ ist weder FeatureCollection noch Feature")
    checked = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise Refused("kein GeoJSON-Feature", field="geometry", value=f"Objekt {number}")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise Refused("„properties“ ist kein Objekt", value=f"Objekt {number}")
        checked.append({"properties": properties, "geometry": feature.get("geometry")})
    return checked


def _geojson_crs(crs) -> str:
    """ "EPSG:n" from a legacy ``crs`` member that names one; WGS 84 without it (RFC 7946)."""
    if crs is None:
        return "EPSG:4326"
    kind = crs.get("type") if isinstance(crs, dict) else None
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if kind == "name" and isinstance(name, str):
        if name.strip().casefold() in WGS84_NAMES:
            return "EPSG:4326"
        if match := EPSG_NAME.fullmatch(name.strip()):
            return f"EPSG:{int(match.group(1))}"
    if kind == "link":
        raise Refused(
            "„crs“ verweist auf eine Adresse; solche Verweise werden nicht abgerufen: "
            "EPSG-Code als Name angeben (z. B. „EPSG:25832“) oder „crs“ weglassen und den "
            "EPSG-Code beim Hochladen nennen"
        )
    raise Refused(
        "„crs“ nennt keinen EPSG-Code (erwartet z. B. „urn:ogc:def:crs:EPSG::25832“); "
        "Adressen werden nicht abgerufen"
    )


def _value(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _geometry(geometry, number: int) -> bytes | None:
    import shapely
    from shapely.geometry import shape

    if geometry is None:
        return None
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise Refused("keine GeoJSON-Geometrie", field="geometry", value=f"Objekt {number}")
    try:
        built = shape(geometry)
    except Exception as error:  # shapely raises several kinds for malformed coordinates
        raise Refused(
            f"Geometrie nicht lesbar ({_short(error)})", field="geometry", value=f"Objekt {number}"
        ) from None
    return shapely.to_wkb(built)


# --- GeoPackage and Shapefile, through GDAL --------------------------------------------------


def _check_geopackage(path: Path) -> None:
    head = _check_start(path, SQLITE_MAGIC, "kein GeoPackage (keine SQLite-Datenbank)")
    if head[68:72] not in GPKG_APPLICATION_IDS:
        raise Refused("kein GeoPackage (SQLite-Datenbank ohne GeoPackage-Kennung)")
    # Virtual tables other than the spatial index could hand GDAL's SQLite modules a file
    # name or a URL; a GeoPackage needs none.
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True) as db:
            sql = db.execute("SELECT sql FROM sqlite_master WHERE sql LIKE '%VIRTUAL%'").fetchall()
    except sqlite3.DatabaseError as error:
        raise Refused(f"GeoPackage nicht lesbar ({_short(error)})") from None
    for (statement,) in sql:
        if not re.search(r"USING\s+rtree\s*\(", statement or "", re.IGNORECASE):
            raise Refused("GeoPackage enthält eine virtuelle Tabelle, die der Atlas nicht liest")


def _unpack_shapefile(path: Path, folder: Path) -> Path:
    """The one Shapefile of a zip, unpacked into ``folder``, after checking every member."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise Refused("kein lesbares ZIP-Archiv") from None
    with archive:
        members = [m for m in archive.infolist() if not _ignorable(m)]
        names = [m.filename for m in members]
        shapefiles = [m for m in members if m.filename.lower().endswith(".shp")]
        if not shapefiles:
            listed = ", ".join(names[:10]) + (", …" if len(names) > 10 else "") or "leer"
            raise Refused(f"ZIP-Archiv enthält kein Shapefile (.shp); Inhalt: {listed}")
        if len(shapefiles) > 1:
            listed = ", ".join(m.filename for m in shapefiles)
            raise Refused(f"ZIP-Archiv enthält mehrere Shapefiles ({listed}); eines je Archiv")
        unsafe = [n for n in names if n.startswith("/") or ".." in PurePosixPath(n).parts]
        if unsafe:
            raise Refused(f"ZIP-Archiv enthält unzulässige Pfade: {', '.join(unsafe[:5])}")
        stem = PurePosixPath(shapefiles[0].filename).with_suffix("")
        foreign = [
            n
            for n in names
            if PurePosixPath(n).suffix.lower() not in SHAPEFILE_PARTS
            or PurePosixPath(n).with_suffix("") != stem
        ]
        if foreign:
            raise Refused(
                f"ZIP-Archiv enthält andere Dateien als das Shapefile ({', '.join(foreign[:5])}); "
                "erlaubt sind .shp, .shx, .dbf, .prj und .cpg"
            )
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise Refused("ZIP-Archiv entpackt zu groß (mögliche ZIP-Bombe)")
        for member in members:
            target = folder / f"gebiete{PurePosixPath(member.filename).suffix.lower()}"
            with archive.open(member) as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy)
    shapefile = folder / "gebiete.shp"
    _check_start(shapefile, SHAPEFILE_MAGIC, f"{shapefiles[0].filename} ist kein Shapefile")
    return shapefile


def _ignorable(member: zipfile.ZipInfo) -> bool:
    # Zips made on a Mac carry "__MACOSX/._name.shp" resource files beside the real ones.
    name = member.filename
    base = PurePosixPath(name).name.lower()
    return (
        member.is_dir()
        or name.startswith("__MACOSX/")
        or base.startswith("._")
        or any(base.endswith(suffix) for suffix in SHAPEFILE_SIDECARS)
    )


def _gdal(skip_drivers: list[str]):
    """pyogrio with GDAL knowing only ALLOWED_DRIVERS and no network."""
    import sys

    # pyogrio imports these when present; the box needs none of them and starts faster.
    for module in ("geopandas", "pandas", "pyarrow"):
        sys.modules.setdefault(module, None)
    # Comma-separated: space would split driver names such as "MapInfo File".
    os.environ["GDAL_SKIP"] = ",".join(skip_drivers)
    os.environ.update(GDAL_SETTINGS)
    import pyogrio
    import pyogrio.raw

    left = set(pyogrio.list_drivers())
    if not left <= set(ALLOWED_DRIVERS):
        # A GDAL with drivers unknown when the skip list was made: better no upload than an
        # open door.
        raise Refused(f"Geodaten-Leser nicht sicher eingerichtet ({', '.join(sorted(left))})")
    return pyogrio


def _with_gdal(path: Path, skip_drivers: list[str]) -> dict:
    pyogrio = _gdal(skip_drivers)
    try:
        meta, _fids, geometries, fields = pyogrio.raw.read(str(path), datetime_as_string=True)
    except pyogrio.errors.DataSourceError:
        raise Refused(
            "kein Geodatenformat, das der Atlas lesen kann (GeoJSON, GeoPackage, Shapefile als ZIP)"
        ) from None
    except MemoryError:
        raise
    except Exception as error:  # pyogrio raises several types for damaged files
        raise Refused(f"nicht lesbar ({_short(error)})") from None
    columns = [str(name) for name in meta["fields"]]
    count = len(fields[0]) if fields else (len(geometries) if geometries is not None else 0)
    if count and geometries is None:
        raise Refused("enthält keine Geometrien (Tabelle ohne Geometriespalte)")
    rows = [[_cell(values[i]) for values in fields] for i in range(count)]
    shapes = [] if geometries is None else [None if g is None else bytes(g) for g in geometries]
    return _answer(columns, rows, shapes, meta.get("crs"))


def _cell(value):
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _short(error: Exception) -> str:
    """An exception's text without file names: they would show the server's folders."""
    text = re.sub(r"(?:/[^\s/'\":]+)+/([^\s/'\":]+)", r"\1", str(error))
    return text[:200]
