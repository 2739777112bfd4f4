"""Writes the hostile upload files of this folder (see README.md): python make_hostile.py

Files that name a URL say ``127.0.0.1:PORT``; the tests put in the port of a server they
start, and check that it receives no request.
"""

import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import geopandas as gpd
from openpyxl import Workbook
from shapely.geometry import box, mapping

HERE = Path(__file__).resolve().parent
SQUARE = mapping(box(354000, 5711000, 355000, 5712000))
VRT_HOSTS = (
    '<OGRVRTDataSource><OGRVRTLayer name="hosts"><SrcDataSource>CSV:/etc/hosts</SrcDataSource>'
    "</OGRVRTLayer></OGRVRTDataSource>"
)
VRT_URL = (
    '<OGRVRTDataSource><OGRVRTLayer name="intern"><SrcDataSource>'
    "/vsicurl/http://127.0.0.1:PORT/intern.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
)
PIPELINE = {
    "type": "gdal_streamed_alg",
    "command_line": "gdal vector pipeline ! read /vsicurl/http://127.0.0.1:PORT/grenzen.geojson "
    "! reproject --dst-crs EPSG:25832",
}


def collection(features, **extra) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            **extra,
            "features": [
                {"type": "Feature", "properties": props, "geometry": geometry}
                for props, geometry in features
            ],
        }
    )


def shapefile_parts() -> dict[str, bytes]:
    folder = HERE / "_build"
    folder.mkdir(exist_ok=True)
    frame = gpd.GeoDataFrame(
        {"code": ["Z1"], "name": ["Gezippt"]}, geometry=[box(354000, 5711000, 355000, 5712000)]
    ).set_crs(25832)
    frame.to_file(folder / "grenzen.shp")
    parts = {p.suffix: p.read_bytes() for p in folder.glob("grenzen.*")}
    for part in folder.iterdir():
        part.unlink()
    folder.rmdir()
    return parts


def write_zip(name: str, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def geopackage_with_wrong_id() -> None:
    path = HERE / "falsche-kennung.gpkg"
    path.unlink(missing_ok=True)
    frame = gpd.GeoDataFrame(
        {"code": ["G1"], "name": ["Paket"]}, geometry=[box(354000, 5711000, 355000, 5712000)]
    ).set_crs(25832)
    frame.to_file(path, driver="GPKG")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 0")


def expanding_xlsx() -> None:
    """Four cells that say the sheet is 16,384 columns × 1,048,576 rows: openpyxl fills in
    every cell of that area, 17 billion of them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Werte"
    sheet.append(["gebiet", "indikator", "jahr", "wert"])
    sheet.append(["05512000", "einwohner", 2020, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(HERE / "aufgeblasen.xlsx", "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                huge = b'<dimension ref="A1:XFD1048576"/>'
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', huge, data)
                last = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", last)
            target.writestr(info.filename, data)


def main() -> None:
    texts = {
        "vrt-hosts.geojson": VRT_HOSTS,
        "klammer-vrt.geojson": "{ " + VRT_HOSTS,
        "vsicurl.geojson": VRT_URL,
        "pipeline.geojson": json.dumps(PIPELINE),
        "pipeline.gdalg.json": json.dumps(PIPELINE),
        "crs-link.geojson": collection(
            [({"code": "L1", "name": "Link"}, SQUARE)],
            crs={"type": "link", "properties": {"href": "http://127.0.0.1:PORT/crs"}},
        ),
        "crs-url.geojson": collection(
            [({"code": "U1", "name": "Adresse"}, SQUARE)],
            crs={"type": "name", "properties": {"name": "http://127.0.0.1:PORT/crs"}},
        ),
        "ohne-geometrie.geojson": collection([({"code": "O1", "name": "Ohne"}, None)]),
    }
    for name, text in texts.items():
        (HERE / name).write_text(text + "\n", encoding="utf-8")
    parts = shapefile_parts()
    shapefile = {f"grenzen{suffix}": data for suffix, data in parts.items()}
    write_zip("mit-vrt.zip", {**shapefile, "grenzen.vrt": VRT_HOSTS.encode()})
    write_zip("pfad-nach-oben.zip", {f"../{name}": data for name, data in shapefile.items()})
    geopackage_with_wrong_id()
    expanding_xlsx()


if __name__ == "__main__":
    main()
