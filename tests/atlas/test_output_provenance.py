"""Every output of the atlas's data states its licence, its source and that it is demo data.

The outputs: the release CSV (German, international) and XLSX, the map's table as CSV and XLSX,
the catchment table as CSV (both dialects) and XLSX, the GeoPackage, the DCAT catalogue, the
API's indicators and the fact sheet (HTML; the PDF is made from it). The OGC API is tested with
it (tests/atlas/test_ogcapi.py).
"""

import csv
import io

import pyogrio
import pytest
from django.core.exceptions import ImproperlyConfigured
from openpyxl import load_workbook

from indicators.models import Release, Theme
from indicators.services import downloads
from indicators.services.downloads import DIALECTS, licence

pytestmark = pytest.mark.django_db

CATCHMENT = {"type": "kita", "distance": 500, "level": "statistischer-bezirk", "year": 2023}
TABLE = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "year": 2023}
DEMO_SOURCE = "Demodaten (synthetisch, nicht amtlich)"


@pytest.fixture
def demo():
    return Release.objects.get(title="Demodaten Bottrop (synthetisch)")


def csv_rows(response, delimiter: str) -> list[dict]:
    return list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter)
    )


def xlsx_rows_and_metadata(response) -> tuple[list[dict], dict]:
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    meta = {row[0]: row[1] for row in book["Metadaten"].iter_rows(values_only=True) if row}
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], meta


def assert_rows_carry_provenance(rows: list[dict], yes: str) -> None:
    lic = licence()
    assert rows
    for row in rows:
        assert row["lizenz"] == lic.identifier
        assert row["lizenz_url"] == lic.url
        assert row["namensnennung"] == lic.attribution
        assert row["quelle"]
        assert row["demodaten"] == yes


def assert_metadata_carries_provenance(meta: dict) -> None:
    lic = licence()
    assert meta["Lizenz"] == f"{lic.name} ({lic.identifier})"
    assert meta["Lizenztext"] == lic.url
    assert meta["Namensnennung"] == lic.attribution
    assert meta["Demodaten"].startswith("Demodaten: synthetisch")


@pytest.mark.parametrize(
    ("dialect", "delimiter", "yes"), [("de", ";", "ja"), ("international", ",", "true")]
)
def test_the_release_csv_carries_licence_source_and_demo_mark(
    client, demo, dialect, delimiter, yes
):
    response = client.get(
        f"/daten/{demo.pk}/werte.csv", {"dialect": dialect, "theme": "kinder-und-jugend"}
    )
    assert_rows_carry_provenance(csv_rows(response, delimiter), yes)


def test_the_release_xlsx_carries_licence_source_and_demo_mark(client, demo):
    rows, meta = xlsx_rows_and_metadata(
        client.get(f"/daten/{demo.pk}/werte.xlsx", {"theme": "kinder-und-jugend"})
    )
    assert_rows_carry_provenance(rows, "ja")
    assert_metadata_carries_provenance(meta)


def test_the_map_table_carries_licence_source_and_demo_mark(client):
    assert_rows_carry_provenance(csv_rows(client.get("/daten/tabelle.csv", TABLE), ";"), "ja")
    rows, meta = xlsx_rows_and_metadata(client.get("/daten/tabelle.xlsx", TABLE))
    assert_rows_carry_provenance(rows, "ja")
    assert_metadata_carries_provenance(meta)


@pytest.mark.parametrize(
    ("dialect", "delimiter", "yes"), [("de", ";", "ja"), ("international", ",", "true")]
)
def test_the_catchment_csv_carries_licence_source_and_demo_mark(client, dialect, delimiter, yes):
    response = client.get("/daten/erreichbarkeit.csv", {**CATCHMENT, "dialect": dialect})
    rows = csv_rows(response, delimiter)
    assert_rows_carry_provenance(rows, yes)
    assert {row["quelle"] for row in rows} == {DEMO_SOURCE}


def test_the_catchment_xlsx_carries_licence_source_and_demo_mark(client):
    rows, meta = xlsx_rows_and_metadata(client.get("/daten/erreichbarkeit.xlsx", CATCHMENT))
    assert_rows_carry_provenance(rows, "ja")
    assert_metadata_carries_provenance(meta)
    assert meta["Quellen"] == DEMO_SOURCE


def test_the_geopackage_carries_licence_source_and_demo_mark(client, tmp_path):
    path = tmp_path / "gebiete.gpkg"
    path.write_bytes(client.get("/daten/gebiete.gpkg").content)
    meta = pyogrio.read_info(path, layer="statistischer-bezirk")["dataset_metadata"]
    lic = licence()
    assert lic.url in meta["license"] and lic.identifier in meta["license"]
    assert meta["attribution"] == lic.attribution
    assert meta["sources"]
    assert meta["demo"].startswith("Demodaten: synthetisch")
    frame = pyogrio.read_dataframe(path, layer="statistischer-bezirk", read_geometry=False)
    assert frame["demodaten"].all()


def test_the_dcat_catalogue_carries_licence_attribution_and_demo_mark(client):
    catalog = client.get("/daten/dcat.jsonld").json()
    lic = licence()
    for dataset in catalog["dcat:dataset"]:
        assert dataset["dct:license"]["@id"] == lic.uri
        assert dataset["dcatde:licenseAttributionByText"] == lic.attribution
        assert "Demodaten: synthetisch" in dataset["dct:description"][0]["@value"]
        for distribution in dataset["dcat:distribution"]:
            assert distribution["dcatde:licenseAttributionByText"] == lic.attribution


def test_the_api_names_the_data_licence_apart_from_the_sources(client):
    indicators = client.get("/api/v1/indicators").json()["indicators"]
    lic = licence()
    for indicator in indicators:
        assert (indicator["licence"], indicator["licence_url"]) == (lic.identifier, lic.url)
        assert indicator["attribution"] == lic.attribution
        assert indicator["source"] and indicator["is_demo"]
    assert {i["source_licence"] for i in indicators} != {lic.identifier}


def test_the_fact_sheet_carries_licence_source_and_demo_mark(client):
    page = client.get("/bezirk/1/steckbrief/").content.decode()
    lic = licence()
    assert lic.url in page and lic.identifier in page
    assert DEMO_SOURCE in page
    assert "Demodaten: synthetisch erzeugt, nicht amtlich" in page


def test_a_theme_under_its_own_licence_says_so_in_its_rows_and_metadata(demo, settings):
    settings.ATLAS_THEME_LICENSES = {"kinder-und-jugend": "CC-BY-4.0"}
    download = downloads.release_download(demo, theme=Theme.objects.get(slug="kinder-und-jugend"))
    rows = list(
        csv.DictReader(
            io.StringIO(downloads.to_csv(download, dialect=DIALECTS["de"]).decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert {row["lizenz"] for row in rows} == {"CC-BY-4.0"}
    assert {row["lizenz_url"] for row in rows} == {"https://creativecommons.org/licenses/by/4.0/"}
    meta = {line[0]: line[1] for line in downloads.metadata_lines(download) if line}
    assert meta["Lizenz"].endswith("(CC-BY-4.0)")
    assert licence("bevoelkerung").identifier == settings.ATLAS_DATA_LICENSE


def test_an_unknown_theme_licence_is_refused_by_name(settings):
    settings.ATLAS_THEME_LICENSES = {"pflege": "MIT"}
    with pytest.raises(ImproperlyConfigured, match="'MIT'"):
        licence("pflege")
