"""What the map's facility overlay asks of the server: districts named per facility, catchment
shares limited to a Bezirk view, and the catchment table as CSV and XLSX."""

import csv
import io

import openpyxl
import pytest

from indicators.services.downloads import XLSX_TYPE
from tests.atlas.test_api import assert_matches

pytestmark = pytest.mark.django_db

SUED = {"type": "kita", "distance": 500, "level": "statistischer-bezirk", "year": 2023}


def test_with_a_level_each_facility_names_the_district_it_lies_in(client, three_kitas):
    payload = client.get(
        "/api/v1/facilities", {"type": "test-kita", "year": 2021, "level": "testebene"}
    ).json()
    assert_matches("/facilities", payload)
    properties = [f["properties"] for f in payload["features"]]
    districts = {p["name"]: (p["district_code"], p["district_name"]) for p in properties}
    assert districts == {"Kita Sonne": ("A", "Altstadt"), "Kita Stern": ("B", "Boy")}


def test_without_a_level_no_district_is_named(client, three_kitas):
    payload = client.get("/api/v1/facilities", {"type": "test-kita", "year": 2021}).json()
    assert {f["properties"]["district_code"] for f in payload["features"]} == {None}


def test_an_unknown_level_is_named(client):
    response = client.get("/api/v1/facilities", {"level": "gibt-es-nicht"})
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == "level"


def test_catchment_within_a_bezirk_lists_the_districts_its_map_shows(client):
    shares = client.get("/api/v1/catchment", {**SUED, "within": "2"}).json()
    assert_matches("/catchment", shares)
    shown = client.get(
        "/api/v1/values",
        {"indicator": "kinderarmut", "level": "statistischer-bezirk", "year": 2023, "within": "2"},
    ).json()
    assert [a["code"] for a in shares["areas"]] == sorted(v["code"] for v in shown["values"])


def test_catchment_within_a_bezirk_keeps_each_districts_share(client):
    city = client.get("/api/v1/catchment", SUED).json()["areas"]
    sued = client.get("/api/v1/catchment", {**SUED, "within": "2"}).json()["areas"]
    by_code = {a["code"]: a["share"] for a in city}
    assert len(sued) < len(city)
    assert all(a["share"] == by_code[a["code"]] for a in sued)


def read_csv(response, delimiter):
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_the_catchment_csv_holds_the_shares_of_the_api_in_percent_with_a_decimal_comma(client):
    shares = client.get("/api/v1/catchment", {**SUED, "within": "2"}).json()["areas"]
    response = client.get("/daten/erreichbarkeit.csv", {**SUED, "within": "2", "dialect": "de"})
    assert response["Content-Type"].startswith("text/csv")
    assert "erreichbarkeit-kita-500" in response["Content-Disposition"]
    rows = read_csv(response, ";")
    assert [row["gebiet"] for row in rows] == [a["code"] for a in shares]
    for row, area in zip(rows, shares, strict=True):
        assert "," in row["anteil_flaeche_prozent"]
        percent = float(row["anteil_flaeche_prozent"].replace(",", "."))
        assert percent == pytest.approx(area["share"] * 100, abs=0.05)
        assert (row["angebotsart"], row["entfernung_m"], row["jahr"]) == ("kita", "500", "2023")


def test_the_international_catchment_csv_uses_commas_and_decimal_points(client):
    response = client.get("/daten/erreichbarkeit.csv", {**SUED, "dialect": "international"})
    rows = read_csv(response, ",")
    assert len(rows) == 17
    assert all("." in row["anteil_flaeche_prozent"] for row in rows)


def test_the_catchment_xlsx_holds_the_shares_as_numbers_with_its_metadata(client):
    shares = client.get("/api/v1/catchment", {**SUED, "within": "2"}).json()["areas"]
    response = client.get("/daten/erreichbarkeit.xlsx", {**SUED, "within": "2"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "erreichbarkeit-kita-500" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Erreichbarkeit", "Metadaten"]
    header, *rows = book["Erreichbarkeit"].iter_rows(values_only=True)
    assert header[0] == "gebiet" and header[7] == "anteil_flaeche_prozent"
    assert [row[0] for row in rows] == [area["code"] for area in shares]
    for row, area in zip(rows, shares, strict=True):
        assert isinstance(row[7], int | float)  # a number, not text
        assert row[7] == pytest.approx(area["share"] * 100, abs=0.05)
        assert (row[3], row[5], row[6]) == ("kita", 500, 2023)
    meta = dict(book["Metadaten"].iter_rows(values_only=True))
    assert "500 m" in meta["Titel"]
    assert meta["Lizenz"].endswith("(dl-de/by-2-0)")
    assert "Luftlinie" in meta["anteil_flaeche_prozent"]


def test_bad_catchment_xlsx_parameters_are_named(client):
    response = client.get("/daten/erreichbarkeit.xlsx", {**SUED, "year": "letztes"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "year"


def test_bad_catchment_csv_parameters_are_named(client):
    response = client.get("/daten/erreichbarkeit.csv", {**SUED, "distance": 5000})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "distance"
