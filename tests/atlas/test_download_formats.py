"""What spreadsheet and GIS users meet when they open a download: rounded numbers in a format
that shows them, release numbers as numbers, no byte order mark where programs read the file,
and a GeoPackage that GDAL 3.6 (Debian 12's QGIS) opens without a warning."""

import io
import shutil
import sqlite3
import subprocess

import pytest
from openpyxl import load_workbook

from indicators.models import Indicator, Release

pytestmark = pytest.mark.django_db

CATCHMENT = {"type": "kita", "distance": 500, "level": "statistischer-bezirk", "year": 2023}


@pytest.fixture
def demo():
    return Release.objects.get(title="Demodaten Bottrop (synthetisch)")


def sheet_rows(content: bytes) -> tuple[list[str], list]:
    book = load_workbook(io.BytesIO(content))
    rows = list(book[book.sheetnames[0]].iter_rows())
    return [c.value for c in rows[0]], rows[1:]


def test_xlsx_values_and_intervals_have_the_indicators_decimals_and_show_them(client, demo):
    content = client.get(f"/daten/{demo.pk}/werte.xlsx", {"theme": "kinder-und-jugend"}).content
    header, rows = sheet_rows(content)
    decimals = dict(Indicator.objects.values_list("slug", "decimals"))
    checked = 0
    for row in rows:
        places = decimals[row[header.index("indikator")].value]
        for name in ("wert", "ki_unten", "ki_oben"):
            cell = row[header.index(name)]
            if cell.value is None:
                continue
            assert cell.value == round(cell.value, places)
            assert cell.number_format == "#,##0" + ("." + "0" * places if places else "")
            checked += 1
    assert checked and any(places > 0 for places in decimals.values())


def test_datenstand_is_a_number_in_xlsx_and_csv(client, demo):
    content = client.get(f"/daten/{demo.pk}/werte.xlsx", {"theme": "pflege"}).content
    header, rows = sheet_rows(content)
    assert {row[header.index("datenstand")].value for row in rows} == {demo.pk}
    text = client.get(f"/daten/{demo.pk}/werte.csv", {"dialect": "international"}).content
    last = [line.rsplit(",", 1)[1] for line in text.decode().splitlines()[1:]]
    assert set(last) == {str(demo.pk)}


def test_only_the_german_csv_files_start_with_a_byte_order_mark(client, demo):
    bom = b"\xef\xbb\xbf"
    for path, query in (
        (f"/daten/{demo.pk}/werte.csv", {}),
        ("/daten/tabelle.csv", {"indicator": "kinderarmut", "level": "stadtbezirk", "year": 2023}),
        ("/daten/erreichbarkeit.csv", CATCHMENT),
    ):
        assert client.get(path, {**query, "dialect": "de"}).content.startswith(bom), path
        international = client.get(path, {**query, "dialect": "international"}).content
        assert international.startswith(b"gebiet,"), path


def test_the_geopackage_is_version_1_3(client, tmp_path):
    path = tmp_path / "gebiete.gpkg"
    path.write_bytes(client.get("/daten/gebiete.gpkg").content)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (10300,)


@pytest.mark.external
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")
def test_gdal_opens_the_geopackage_without_a_warning(client, tmp_path):
    path = tmp_path / "gebiete.gpkg"
    path.write_bytes(client.get("/daten/gebiete.gpkg").content)
    done = subprocess.run(
        ["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    assert "demodaten" in done.stdout
