import datetime
import itertools
import re
from decimal import Decimal

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from atlas.openapi import DOCUMENT
from atlas.urls import api_v1
from districts.models import District
from indicators.models import MAX_CLASSES, MIN_CLASSES, Indicator
from indicators.units import rounded

pytestmark = pytest.mark.django_db


def response_schema(path: str, status: str = "200") -> dict:
    content = DOCUMENT["paths"][path]["get"]["responses"][status]["content"]
    return next(iter(content.values()))["schema"]


def assert_matches(path: str, payload, status: str = "200"):
    OAS30Validator(response_schema(path, status)).validate(payload)


def test_the_openapi_document_is_valid(client):
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    # Django's "<str:level>" is OpenAPI's "{level}".
    routes = {
        "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(route.pattern)) for route in api_v1
    } - {"/openapi.json"}
    assert set(document["paths"]) == routes


def test_levels_list_the_three_bottrop_levels_with_counts(client):
    payload = client.get("/api/v1/levels").json()
    assert_matches("/levels", payload)
    counts = {level["slug"]: level["districts"] for level in payload["levels"]}
    assert counts == {"stadt": 1, "stadtbezirk": 3, "statistischer-bezirk": 17}


def test_districts_are_geojson_features_of_the_level(client):
    response = client.get("/api/v1/districts", {"level": "statistischer-bezirk"})
    assert response["Content-Type"] == "application/geo+json"
    payload = response.json()
    assert_matches("/districts", payload)
    assert len(payload["features"]) == 17
    assert all(f["properties"]["is_demo"] for f in payload["features"])
    assert {f["geometry"]["type"] for f in payload["features"]} <= {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize("level", ["stadt", "stadtbezirk", "statistischer-bezirk"])
def test_web_coordinates_have_at_most_six_decimals(client, level):
    body = client.get("/api/v1/districts", {"level": level}).content.decode()
    coordinates = body.split('"coordinates"', 1)[1]
    assert re.findall(r"\d\.\d+", coordinates)
    assert not re.findall(r"\d\.\d{7,}", coordinates)


def test_indicators_carry_their_metadata_and_levels(client):
    payload = client.get("/api/v1/indicators").json()
    assert_matches("/indicators", payload)
    assert len(payload["indicators"]) >= 30
    assert len(payload["themes"]) >= 6
    by_slug = {i["slug"]: i for i in payload["indicators"]}
    assert by_slug["einwohner"]["levels"] == ["stadt", "stadtbezirk", "statistischer-bezirk"]
    assert by_slug["wohnungslose"]["levels"] == ["stadt"]
    assert all(i["is_demo"] for i in payload["indicators"])


def test_indicators_give_their_source_in_german_and_english(client):
    payload = client.get("/api/v1/indicators").json()
    kinderarmut = next(i for i in payload["indicators"] if i["slug"] == "kinderarmut")
    assert kinderarmut["source"] == "Demodaten (synthetisch, nicht amtlich)"
    assert kinderarmut["source_en"] == "Demo data (synthetic, not official)"


def test_values_give_every_district_and_the_city(client):
    payload = client.get(
        "/api/v1/values", {"indicator": "einwohner", "level": "statistischer-bezirk", "year": 2023}
    ).json()
    assert_matches("/values", payload)
    assert len(payload["values"]) == 17
    assert payload["city"]["value"] == 118705
    assert sum(v["value"] for v in payload["values"]) == 118705
    assert payload["is_demo"] and "Demodaten" in payload["notice"]


def test_values_default_to_the_latest_year(client):
    payload = client.get(
        "/api/v1/values", {"indicator": "einwohner", "level": "statistischer-bezirk"}
    ).json()
    assert payload["year"] == max(payload["years"]) == 2024


def test_every_shown_value_has_a_class_and_colour(client):
    payload = client.get(
        "/api/v1/values", {"indicator": "kinderarmut", "level": "statistischer-bezirk"}
    ).json()
    classes = payload["classes"]
    shown = [v for v in payload["values"] if v["value"] is not None]
    assert sum(classes["counts"]) == len(shown)
    for row in shown:
        upper = classes["breaks"][row["class"]]
        lower = classes["breaks"][row["class"] - 1] if row["class"] else classes["lower"]
        assert lower <= row["value"] <= upper


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"level": "statistischer-bezirk"}, 400, "indicator"),
        ({"indicator": "einwohner"}, 400, "level"),
        ({"indicator": "gibtsnicht", "level": "stadt"}, 404, "indicator"),
        ({"indicator": "einwohner", "level": "gibtsnicht"}, 404, "level"),
        ({"indicator": "einwohner", "level": "stadt", "year": "zwanzig"}, 400, "year"),
        ({"indicator": "einwohner", "level": "stadt", "year": "1899"}, 400, "year"),
        ({"indicator": "einwohner", "level": "stadt", "year": "1999"}, 404, "year"),
    ],
)
def test_bad_parameters_are_named_in_the_error(client, params, status, parameter):
    response = client.get("/api/v1/values", params)
    assert response.status_code == status
    assert_matches("/values", response.json(), str(status))
    assert response.json()["error"]["parameter"] == parameter


def test_an_unknown_level_of_districts_is_a_404(client):
    response = client.get("/api/v1/districts", {"level": "gibtsnicht"})
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == "level"


def test_the_boundary_version_changes_only_with_the_boundaries(client):
    def version(year):
        params = {"indicator": "einwohner", "level": "statistischer-bezirk", "year": year}
        return client.get("/api/v1/values", params).json()["boundaries"]

    assert version(2013)["version"] == version(2023)["version"]
    assert "year=2013" in version(2013)["url"]
    altstadt = District.objects.get(level__slug="statistischer-bezirk", code="11")
    altstadt.valid_to = datetime.date(2020, 1, 1)
    altstadt.save()
    District.objects.create(
        level=altstadt.level, code="11", name="Altstadt (neu)", boundary=altstadt.boundary,
        valid_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    assert version(2013)["version"] != version(2023)["version"]


def test_the_classification_can_be_chosen(client):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "year": 2023}
    payload = client.get("/api/v1/values", {**params, "method": "equal_interval", "classes": 3})
    classes = payload.json()["classes"]
    assert classes["method"] == "equal_interval" and len(classes["breaks"]) == 3
    bounds = [classes["lower"], *classes["breaks"]]
    widths = [b - a for a, b in itertools.pairwise(bounds)]
    assert max(widths) == pytest.approx(min(widths))


@pytest.mark.parametrize(("params", "parameter"), [
    ({"method": "raten"}, "method"),
    ({"classes": "9"}, "classes"),
    ({"method": "manual"}, "breaks"),
    ({"method": "manual", "breaks": "10,zwanzig"}, "breaks"),
    ({"method": "manual", "breaks": "20,10"}, "breaks"),
    ({"method": "manual", "breaks": "1,2,3,4,5,6,7"}, "breaks"),
    ({"from": "2023", "year": "2023"}, "from"),
    ({"from": "2020", "year": "2015"}, "from"),
])  # fmt: skip
def test_a_bad_classification_is_named(client, params, parameter):
    base = {"indicator": "kinderarmut", "level": "statistischer-bezirk"}
    response = client.get("/api/v1/values", {**base, **params})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


@pytest.mark.parametrize("classes", [MIN_CLASSES - 1, MAX_CLASSES + 1])
def test_a_class_count_outside_the_model_s_limits_is_named(client, classes):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "classes": classes}
    error = client.get("/api/v1/values", params).json()["error"]
    assert error["parameter"] == "classes"
    assert f"zwischen {MIN_CLASSES} und {MAX_CLASSES}" in error["message"]


@pytest.mark.parametrize("classes", [MIN_CLASSES, MAX_CLASSES])
def test_the_fewest_and_the_most_classes_are_drawn(client, classes):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "year": 2023,
              "method": "equal_interval", "classes": classes}  # fmt: skip
    assert len(client.get("/api/v1/values", params).json()["classes"]["breaks"]) == classes


def test_the_documented_class_limits_are_the_validated_ones(client):
    document = client.get("/api/v1/openapi.json").json()
    (schema,) = [
        p["schema"]
        for p in document["paths"]["/values"]["get"]["parameters"]
        if p["name"] == "classes"
    ]
    assert (schema["minimum"], schema["maximum"]) == (MIN_CLASSES, MAX_CLASSES)


def test_a_bezirk_view_carries_the_bezirk_s_own_value(client):
    payload = client.get(
        "/api/v1/values",
        {"indicator": "einwohner", "level": "statistischer-bezirk", "year": 2023, "within": "3"},
    ).json()
    assert_matches("/values", payload)
    assert payload["within_value"]["name"] == "Kirchhellen"
    assert payload["within_value"]["value"] == sum(v["value"] for v in payload["values"])


def test_manual_breaks_set_the_class_limits(client):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "year": 2023}
    payload = client.get("/api/v1/values", {**params, "method": "manual", "breaks": "10,20.5"})
    payload = payload.json()
    assert_matches("/values", payload)
    classes = payload["classes"]
    shown = [v for v in payload["values"] if v["value"] is not None]
    assert classes["method"] == "manual"
    assert classes["breaks"][:2] == [10, 20.5]
    assert classes["breaks"][2] == max(v["value"] for v in shown)
    for row in shown:
        expected = 0 if row["value"] <= 10 else 1 if row["value"] <= 20.5 else 2
        assert row["class"] == expected
    assert classes["counts"] == [sum(v["class"] == i for v in shown) for i in range(3)]


def test_an_indicator_s_own_manual_breaks_are_the_default(client):
    Indicator.objects.filter(slug="kinderarmut").update(
        classification_method="manual", classification_breaks=[15, 25]
    )
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "year": 2023}
    classes = client.get("/api/v1/values", params).json()["classes"]
    assert classes["method"] == "manual" and classes["breaks"][:2] == [15, 25]


def test_a_change_map_shows_the_difference_between_two_years(client):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk"}
    start = client.get("/api/v1/values", {**params, "year": 2015}).json()
    end = client.get("/api/v1/values", {**params, "year": 2023}).json()
    change = client.get("/api/v1/values", {**params, "year": 2023, "from": 2015}).json()
    assert_matches("/values", change)
    assert change["from"] == 2015 and change["unit_de"] == "Prozentpunkte"
    before = {v["code"]: v["value"] for v in start["values"]}
    after = {v["code"]: v["value"] for v in end["values"]}

    def as_shown(value):
        return Decimal(str(rounded(value, change["decimals"])))

    for row in change["values"]:
        if before[row["code"]] is None or after[row["code"]] is None:
            assert row["value"] is None
        else:
            # The change of the values as shown (rounded to the indicator's decimals).
            expected = as_shown(after[row["code"]]) - as_shown(before[row["code"]])
            assert Decimal(str(row["value"])) == expected
    city = as_shown(end["city"]["value"]) - as_shown(start["city"]["value"])
    assert Decimal(str(change["city"]["value"])) == city
    classes = change["classes"]
    # Symmetric around zero: the scale says increase or decrease at a glance.
    assert classes["lower"] == pytest.approx(-classes["breaks"][-1])
    # More child poverty is worse: the top class is red, the bottom one blue.
    top, bottom = classes["colors"][-1], classes["colors"][0]
    assert int(top[1:3], 16) > int(top[5:7], 16)
    assert int(bottom[5:7], 16) > int(bottom[1:3], 16)


def test_a_pinned_view_shows_the_values_as_published_up_to_its_release(client):
    from django.utils import timezone

    from indicators.models import Observation, Release
    from tests.factories import ReleaseFactory

    demo = Release.objects.get(status=Release.Status.PUBLISHED)
    original = Observation.objects.get(
        release=demo, indicator__slug="einwohner", district__code="11", year=2023
    )
    correction = ReleaseFactory(title="Korrektur")
    Observation.objects.create(
        release=correction, indicator=original.indicator, district=original.district,
        year=2023, reference_date=original.reference_date, value=original.value + 100,
    )  # fmt: skip
    correction.status = Release.Status.PUBLISHED
    correction.published_at = timezone.now()
    correction.save()

    def altstadt(**params):
        payload = client.get(
            "/api/v1/values",
            {"indicator": "einwohner", "level": "statistischer-bezirk", "year": 2023, **params},
        ).json()
        return next(v["value"] for v in payload["values"] if v["code"] == "11")

    assert altstadt() == original.value + 100
    assert altstadt(release=demo.pk) == original.value
    assert altstadt(release=correction.pk) == original.value + 100
    response = client.get(
        "/api/v1/values", {"indicator": "einwohner", "level": "stadt", "release": 99999}
    )
    assert response.status_code == 404 and response.json()["error"]["parameter"] == "release"


def test_values_open_on_the_latest_year_with_published_values(client):
    # Grundsicherung im Alter 2024 is published as "..." (not yet available) everywhere.
    params = {"indicator": "grundsicherung-im-alter", "level": "statistischer-bezirk"}
    payload = client.get("/api/v1/values", params).json()
    assert payload["year"] == 2023
    assert 2024 in payload["years"]
    assert any(v["value"] is not None for v in payload["values"])


def test_the_social_index_opens_on_the_last_year_all_its_core_indicators_have_values(client):
    params = {"indicator": "sozialindex-status", "level": "statistischer-bezirk"}
    assert client.get("/api/v1/values", params).json()["year"] == 2023


def test_a_missing_social_index_has_a_symbol_and_a_reason(client):
    params = {"indicator": "sozialindex-status", "level": "statistischer-bezirk", "year": 2024}
    payload = client.get("/api/v1/values", params).json()
    assert_matches("/values", payload)
    assert len(payload["values"]) == 17
    # Grundsicherung im Alter is not yet available ("..."): neither is the index.
    assert {(v["value"], v["status"], v["reason"]) for v in payload["values"]} == {
        (None, "...", "core_incomplete")
    }


def test_a_change_from_a_year_without_values_is_not_found(client):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "from": "1999"}
    response = client.get("/api/v1/values", params)
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == "from"


def test_a_year_between_two_surveys_is_not_found_saying_the_statistic_skips_it(client):
    params = {"indicator": "pflegequote", "level": "statistischer-bezirk", "year": 2024}
    response = client.get("/api/v1/values", params)
    assert response.status_code == 404
    assert "nur alle 2 Jahre erhoben, zuletzt 2023" in response.json()["error"]["message"]


def test_approximate_values_are_rounded_to_the_indicator_s_decimals(client):
    params = {"indicator": "sgb-ii-quote", "level": "stadtbezirk", "year": 2023}
    payload = client.get("/api/v1/values", params).json()
    mitte = next(v for v in payload["values"] if v["name"] == "Mitte")
    assert mitte["approximate"] is True
    assert mitte["value"] == round(mitte["value"], 1)
    assert mitte["numerator"] == int(mitte["numerator"])
    assert mitte["denominator"] == int(mitte["denominator"])
    kirchhellen = next(v for v in payload["values"] if v["name"] == "Kirchhellen")
    assert kirchhellen["approximate"] is False


def test_a_profile_difference_of_an_approximate_value_is_rounded_too(client):
    params = {"level": "stadtbezirk", "code": "1", "year": 2023}
    rows = client.get("/api/v1/profile", params).json()["indicators"]
    row = next(r for r in rows if r["indicator"] == "durchschnittsalter")
    assert row["value"]["approximate"] is True
    # Otherwise the approximate value would follow from the city's value and the difference.
    assert row["difference"] == round(row["difference"], 1)
