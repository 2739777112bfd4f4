"""A projected year in the published values files, the table downloads and the data state:
the files of the map name its scenario, and a publication or withdrawal of a run changes what
is served."""

import csv
import gzip
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from atlas.publicdata import public_state, render_all
from projections.catalogue import QUANTILE_FIELDS
from projections.selectors import published_run
from projections.services.publication import withdraw_run

pytestmark = pytest.mark.django_db
LEVEL = "statistischer-bezirk"


def body(response) -> dict:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return json.loads(data)


def projected_url(state, scenario="trend", year=2030, indicator="kinder-unter-3"):
    return reverse("public-data-projected-values", args=[state, indicator, LEVEL, scenario, year])


def observed_url(state, year=2024, indicator="kinder-unter-3"):
    return reverse("public-data-values", args=[state, indicator, LEVEL, year])


def test_the_observed_file_names_the_projected_years(client):
    data = body(client.get(observed_url(public_state())))
    assert data["projected_years"] == published_run().result.axes["years"]
    assert data["projection"] is None


def test_a_projected_file_is_the_api_response_with_its_quantiles(client):
    state = public_state()
    data = body(client.get(projected_url(state, "zuwanderung-niedrig")))
    api = client.get(
        "/api/v1/values",
        {
            "indicator": "kinder-unter-3",
            "level": LEVEL,
            "year": 2030,
            "scenario": "zuwanderung-niedrig",
        },
    ).json()
    data.pop("classifications")
    assert data == api
    assert data["projection"]["scenario"] == "zuwanderung-niedrig"
    assert all(set(QUANTILE_FIELDS) <= set(row) for row in data["values"])


def test_every_classification_of_a_projected_file_is_of_the_medians(client):
    data = body(client.get(projected_url(public_state())))
    breaks = data["classifications"]["equal_interval"]["3"]["classes"]
    medians = [row["median"] for row in data["values"]]
    assert (breaks["lower"], breaks["breaks"][-1]) == (min(medians), max(medians))


@pytest.mark.parametrize(
    ("indicator", "scenario", "year"),
    [
        ("kinderarmut", "trend", 2030),  # not projected
        ("kinder-unter-3", "trend", 2020),  # observed: its file has no scenario
        ("kinder-unter-3", "trend", 2099),  # beyond the run
    ],
)
def test_no_projected_file_where_the_projection_has_no_year(client, indicator, scenario, year):
    response = client.get(projected_url(public_state(), scenario, year, indicator))
    assert response.status_code == 404


def test_a_projected_year_has_no_file_without_its_scenario(client):
    assert client.get(observed_url(public_state(), 2030)).status_code == 404


def test_rendering_ahead_writes_the_default_scenario_s_projected_files(
    public_data_root, monkeypatch
):
    monkeypatch.setattr("atlas.publicdata.VARIANT_LIMIT", 0)
    state = public_state()
    render_all(state=state)
    written = public_data_root / state / "values" / "kinder-unter-3" / LEVEL / "trend"
    assert (written / "2030.json").is_file()
    assert not (public_data_root / state / "values" / "kinderarmut" / LEVEL / "trend").exists()


def test_withdrawing_the_run_changes_the_state_and_takes_the_projected_years_away(client):
    before = public_state()
    withdraw_run(run=published_run())
    after = public_state()
    assert after != before
    assert client.get(projected_url(after)).status_code == 404
    assert body(client.get(observed_url(after)))["projected_years"] == []


def rows_of(response, delimiter: str) -> list[dict]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_the_german_table_of_a_projected_year_has_scenario_and_quantiles(client):
    query = {"indicator": "kinder-unter-3", "level": LEVEL, "year": 2030}
    response = client.get("/daten/tabelle.csv", query)
    assert "vorausberechnung-trend" in response["Content-Disposition"]
    rows = rows_of(response, ";")
    api = client.get("/api/v1/values", query).json()
    altstadt = next(row for row in rows if row["gebiet"] == "11")
    shown = next(row for row in api["values"] if row["code"] == "11")
    assert altstadt["art"] == "Vorausberechnung"
    assert (altstadt["szenario"], altstadt["szenarioname"]) == ("trend", "Trend")
    assert [int(altstadt[name]) for name in QUANTILE_FIELDS] == [shown[n] for n in QUANTILE_FIELDS]
    assert altstadt["demodaten"] == "ja"
    assert "Demodaten" in altstadt["hinweis"]
    assert altstadt["methode"].endswith("/vorausberechnung/methode/")
    assert len(rows) == 17


def test_the_international_table_names_the_scenario_asked_for(client):
    query = {"indicator": "kinder-unter-3", "level": LEVEL, "year": 2030}
    response = client.get(
        "/daten/tabelle.csv", {**query, "scenario": "geburten-hoch", "dialect": "international"}
    )
    rows = rows_of(response, ",")
    assert {row["szenario"] for row in rows} == {"geburten-hoch"}
    assert {row["art"] for row in rows} == {"projection"}


def test_the_xlsx_table_of_a_projected_year_is_marked_as_a_projection(client):
    query = {"indicator": "kinder-unter-3", "level": LEVEL, "year": 2030}
    book = load_workbook(io.BytesIO(client.get("/daten/tabelle.xlsx", query).content))
    assert book.sheetnames == ["Vorausberechnung", "Metadaten"]
    header = [cell.value for cell in next(book["Vorausberechnung"].iter_rows(max_row=1))]
    assert {"art", "szenario", "median", "q10", "q90"} <= set(header)
    meta = {row[0]: row[1] for row in book["Metadaten"].iter_rows(values_only=True) if row[0]}
    assert "Vorausberechnung 2030" in meta["Titel"]
    assert "Demodaten" in meta


def test_an_observed_year_s_table_is_as_before(client):
    query = {"indicator": "kinder-unter-3", "level": LEVEL, "year": 2024}
    rows = rows_of(client.get("/daten/tabelle.csv", query), ";")
    assert "art" not in rows[0] and rows[0]["jahr"] == "2024"


def test_a_table_of_an_unknown_scenario_is_refused_by_name(client):
    query = {"indicator": "kinder-unter-3", "level": LEVEL, "year": 2030, "scenario": "x"}
    response = client.get("/daten/tabelle.csv", query)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "scenario"
