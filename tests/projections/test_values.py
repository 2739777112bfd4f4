"""/api/v1/values for the years of the published projection (projections/values.py): medians
as values, quantiles beside them, the scenario chosen, and nothing projected where the
projection has nothing to say."""

import numpy as np
import pytest
from openapi_schema_validator import OAS30Validator

from atlas.openapi import DOCUMENT
from districts.models import District
from indicators.models import Indicator, Observation
from projections.catalogue import PROJECTED, QUANTILE_FIELDS
from projections.selectors import published_run, quantiles_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/values"


def values(client, **query):
    return client.get(URL, {"level": "statistischer-bezirk", **query})


def stored(run, *, scenario: str, year: int, code: str, group: str = "0-2") -> np.ndarray:
    axes = run.result.axes
    area = next(
        i
        for i, (level, c, _) in enumerate(axes["areas"])
        if (level, c) == ("statistischer-bezirk", code)
    )
    return quantiles_of(run.result)[
        axes["scenarios"].index(scenario),
        axes["years"].index(year),
        area,
        axes["groups"].index(group),
    ]


def matches_the_document(payload) -> None:
    content = DOCUMENT["paths"]["/values"]["get"]["responses"]["200"]["content"]
    OAS30Validator(content["application/json"]["schema"]).validate(payload)


def test_an_observed_year_lists_the_projected_years_beside_the_observed_ones(client):
    payload = values(client, indicator="kinder-unter-3", year=2024).json()
    run = published_run()
    assert payload["years"][-1] == 2024 == run.base_year
    assert payload["projected_years"] == run.result.axes["years"]
    assert payload["projection"] is None
    assert not any(row.get("projected") for row in payload["values"])
    matches_the_document(payload)


def test_a_projected_year_shows_the_medians_of_the_trend_with_every_quantile(client):
    payload = values(client, indicator="kinder-unter-3", year=2030).json()
    run = published_run()
    altstadt = next(row for row in payload["values"] if row["code"] == "11")
    quantiles = np.round(stored(run, scenario="trend", year=2030, code="11").astype(float))
    assert [altstadt[name] for name in QUANTILE_FIELDS] == list(quantiles)
    assert altstadt["value"] == altstadt["median"]
    assert altstadt["projected"] is True
    assert payload["projection"]["scenario"] == "trend"
    assert payload["projection"]["base_year"] == run.base_year
    assert payload["projection"]["method_url"] == "/vorausberechnung/methode/"
    assert payload["is_demo"] is True
    matches_the_document(payload)


def test_every_area_s_quantiles_are_in_order(client):
    payload = values(client, indicator="kinder-3-bis-5", year=2035).json()
    rows = [*payload["values"], payload["city"]]
    assert len(rows) == 18
    for row in rows:
        shown = [row[name] for name in QUANTILE_FIELDS]
        assert shown == sorted(shown), row["code"]


def test_the_classes_are_those_of_the_medians(client):
    payload = values(client, indicator="einwohner", year=2030, method="equal_interval").json()
    medians = [row["median"] for row in payload["values"]]
    assert payload["classes"]["lower"] == min(medians)
    assert payload["classes"]["breaks"][-1] == max(medians)
    lowest = min(payload["values"], key=lambda row: row["median"])
    assert lowest["class"] == 0


def test_another_scenario_gives_other_medians(client):
    trend = values(client, indicator="kinder-unter-3", year=2035).json()
    high = values(client, indicator="kinder-unter-3", year=2035, scenario="zuwanderung-hoch")
    assert high.json()["projection"]["scenario"] == "zuwanderung-hoch"
    assert [r["value"] for r in high.json()["values"]] != [r["value"] for r in trend["values"]]


def test_an_unknown_scenario_is_refused_by_name_with_the_known_ones(client):
    response = values(client, indicator="kinder-unter-3", year=2030, scenario="utopie")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "scenario"
    assert "trend" in error["message"] and "zuwanderung-hoch" in error["message"]


@pytest.mark.parametrize("slug", ["kinderarmut", "anteil-unter-6", "kinder-und-jugendliche"])
def test_an_indicator_the_projection_does_not_continue_has_no_projected_year(client, slug):
    assert slug not in PROJECTED
    observed = values(client, indicator=slug).json()
    assert observed["projected_years"] == []
    assert observed["projection"] is None
    assert values(client, indicator=slug, year=2030).status_code == 404


def test_a_release_pinned_map_shows_observed_years_only(client):
    release = Observation.objects.filter(indicator__slug="einwohner").first().release
    payload = values(client, indicator="einwohner", release=release.pk).json()
    assert payload["projected_years"] == []
    assert values(client, indicator="einwohner", year=2030, release=release.pk).status_code == 404


def test_a_change_into_the_projection_is_not_published_and_says_why(client):
    response = values(client, indicator="kinder-unter-3", year=2030, **{"from": 2020})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["parameter"] == "from"
    assert "beobachteten Jahren" in error["message"]


def test_a_level_the_projection_does_not_cover_is_refused_by_name(
    client, make_district, make_observation
):
    block = make_district("B1")
    indicator = Indicator.objects.get(slug="kinder-unter-3")
    published = Observation.objects.filter(indicator=indicator).first().release
    make_observation(indicator, block, year=2024, value=12, release=published)
    level = block.level.slug
    assert values(client, indicator="kinder-unter-3", level=level).json()["projected_years"] == []
    response = values(client, indicator="kinder-unter-3", level=level, year=2030)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "level"
    assert "statistischer-bezirk" in error["message"] and level in error["message"]


def test_a_bezirk_view_shows_its_districts_and_its_own_projection(client):
    payload = values(client, indicator="kinder-unter-3", year=2030, within="3").json()
    kirchhellen = District.objects.get(level__slug="stadtbezirk", code="3")
    assert {row["code"] for row in payload["values"]} == {"71", "72", "73", "74"}
    assert payload["within_value"]["code"] == kirchhellen.code
    assert payload["within_value"]["projected"] is True
    assert payload["projection"]["areas_year"] == 2024


def test_small_districts_are_flagged(client):
    payload = values(client, indicator="kinder-unter-3", year=2030).json()
    run = published_run()
    small = {
        code
        for (level, code, _), flagged in zip(
            run.result.axes["areas"], run.result.axes["small"], strict=True
        )
        if flagged and level == "statistischer-bezirk"
    }
    assert small
    assert {row["code"] for row in payload["values"] if row["small"]} == small


def test_without_a_published_run_nothing_is_projected(client):
    published_run().__class__.objects.update(status="withdrawn")
    assert values(client, indicator="kinder-unter-3").json()["projected_years"] == []
    assert values(client, indicator="kinder-unter-3", year=2030).status_code == 404
