"""The projected years of /api/v1/series: the published run's calibrated quantiles of the
indicator's planning age group, beside the observed series."""

import numpy as np
import pytest

from atlas.openapi import DOCUMENT
from projections.catalogue import QUANTILE_FIELDS
from projections.models import ProjectionRun
from projections.selectors import published_run, quantiles_of

pytestmark = pytest.mark.django_db
SERIES = "/api/v1/series"
DISTRICTS = "11,12,13,21,22,31,32,41,42,51,52,61,62,71,72,73,74"


def series(client, **query):
    return client.get(SERIES, query)


def projection(client, **query) -> dict:
    response = series(client, **query)
    assert response.status_code == 200
    return response.json()["projection"]


def test_every_area_s_quantiles_are_ordered_in_every_projected_year(client):
    for level, codes in (("statistischer-bezirk", DISTRICTS), ("stadtbezirk", "1,2,3")):
        body = projection(client, indicator="einwohner", level=level, codes=codes)
        for points in body["series"].values():
            for point in points:
                quantiles = [point[name] for name in QUANTILE_FIELDS]
                assert quantiles == sorted(quantiles), point


def test_the_projection_follows_the_base_year_for_the_observed_series_codes(client):
    response = series(client, indicator="kinder-6-bis-9", level="statistischer-bezirk", codes="42")
    body = response.json()
    run = published_run()
    assert set(body["projection"]["series"]) == set(body["series"]) == {"42", "stadt"}
    years = [p["year"] for p in body["projection"]["series"]["42"]]
    assert years[0] == run.base_year + 1 == body["series"]["42"][-1]["year"] + 1
    assert body["projection"]["base_year"] == run.base_year
    assert body["projection"]["run"] == run.pk and body["projection"]["is_demo"] is True
    assert body["projection"]["method_url"] == "/vorausberechnung/methode/"


def test_the_medians_are_the_run_s_stored_quantiles_of_the_group_and_scenario(client):
    run = published_run()
    axes = run.result.axes
    stored = quantiles_of(run.result)
    area = [a[1] for a in axes["areas"]].index("42")
    for scenario in ("trend", "zuwanderung-hoch"):
        expected = stored[axes["scenarios"].index(scenario), :, area, axes["groups"].index("6-9")]
        body = projection(
            client,
            indicator="kinder-6-bis-9",
            level="statistischer-bezirk",
            codes="42",
            scenario=scenario,
        )
        assert body["scenario"] == scenario
        got = np.array([[p[name] for name in QUANTILE_FIELDS] for p in body["series"]["42"]])
        assert np.array_equal(got, np.round(expected.astype(np.float64)))


def test_the_city_s_projection_is_the_city_s_total(client):
    run = published_run()
    axes = run.result.axes
    body = projection(client, indicator="einwohner", level="stadt", codes="05512000")
    city = axes["areas"].index(["stadt", "05512000", "Bottrop"])
    median = quantiles_of(run.result)[0, 0, city, axes["groups"].index("total"), 3]
    assert body["series"]["05512000"][0]["median"] == round(float(median))
    assert body["series"]["stadt"] == body["series"]["05512000"]


def test_a_district_under_five_thousand_inhabitants_is_flagged_small(client):
    body = projection(client, indicator="einwohner", level="statistischer-bezirk", codes="42,73")
    assert body["small"] == {"42": False, "73": True, "stadt": False}


def test_an_indicator_the_projection_does_not_continue_has_no_projection(client):
    assert (
        projection(client, indicator="kinderarmut", level="statistischer-bezirk", codes="42")
        is None
    )


def test_without_a_published_run_there_is_no_projection(client):
    ProjectionRun.objects.update(status=ProjectionRun.Status.WITHDRAWN)
    assert (
        projection(client, indicator="einwohner", level="statistischer-bezirk", codes="42") is None
    )


def test_an_unknown_scenario_is_refused_naming_the_parameter_and_the_known_ones(client):
    response = series(
        client, indicator="einwohner", level="statistischer-bezirk", codes="42", scenario="boom"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "scenario"
    assert "trend" in error["message"] and "geburten-hoch" in error["message"]


def test_a_scenario_the_published_run_lacks_is_refused_listing_the_run_s(client):
    result = published_run().result
    result.axes = {**result.axes, "scenarios": ["trend", "geburten-niedrig"]}
    result.save(update_fields=["axes"])
    response = series(
        client, indicator="einwohner", level="stadt", codes="05512000", scenario="geburten-hoch"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "scenario"
    assert "trend, geburten-niedrig" in error["message"]


def test_the_api_document_describes_the_scenario_and_the_projection():
    operation = DOCUMENT["paths"]["/series"]["get"]
    scenario = next(p for p in operation["parameters"] if p["name"] == "scenario")
    assert scenario["schema"]["enum"][0] == "trend" and scenario["required"] is False
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["projection"]["nullable"] is True
    assert "projection" in body["required"]
