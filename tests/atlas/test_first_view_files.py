"""The rest of the map's first view as files under /data/<state>/: the facilities of a level
and year (of the city or of one Stadtbezirk), a Stadtbezirk's values and the catchment shares.
Each is the API's body for the same query, is answered 404 with a JSON message for what names
nothing, changes its state with the facilities, and counts against no rate limit."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from atlas.publicdata import public_state, render_all
from facilities.models import Facility
from indicators.models import Indicator

pytestmark = pytest.mark.django_db

LEVEL = "statistischer-bezirk"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def facilities_url(state, level=LEVEL, year=2023, within=None):
    if within is None:
        return reverse("public-data-facilities", args=[state, level, year])
    return reverse("public-data-bezirk-facilities", args=[state, level, year, within])


def test_the_facilities_file_is_the_api_response(client):
    api = client.get("/api/v1/facilities", {"year": 2023, "level": LEVEL})
    response = client.get(facilities_url(public_state()))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    text = body(response)
    assert text == api.content
    assert len(json.loads(text)["features"]) > 50  # every type of the demo data


def test_a_stadtbezirk_s_facilities_file_is_the_api_response_with_within(client):
    api = client.get("/api/v1/facilities", {"year": 2023, "level": LEVEL, "within": "2"})
    city = json.loads(body(client.get(facilities_url(public_state()))))
    text = body(client.get(facilities_url(public_state(), within="2")))
    assert text == api.content
    assert 0 < len(json.loads(text)["features"]) < len(city["features"])


def test_a_stadtbezirk_s_values_file_is_the_api_response_with_within(client):
    api = client.get(
        "/api/v1/values",
        {"indicator": "kinderarmut", "level": LEVEL, "year": 2023, "within": "2"},
    ).json()
    url = reverse(
        "public-data-bezirk-values", args=[public_state(), "kinderarmut", LEVEL, 2023, "2"]
    )
    data = json.loads(body(client.get(url)))
    variants = data.pop("classifications")
    assert data == api
    k = Indicator.objects.get(slug="kinderarmut").classification_classes
    default = variants[api["classes"]["method"]][str(k)]
    assert default["class"] == [row["class"] for row in api["values"]]


@pytest.mark.parametrize("within", [None, "2"])
def test_the_catchment_file_is_the_api_response(client, within):
    query = {"type": "kita", "distance": 1000, "level": LEVEL, "year": 2023}
    args = [public_state(), "kita", 1000, LEVEL, 2023]
    if within:
        query["within"] = within
        url = reverse("public-data-bezirk-catchment", args=[*args, within])
    else:
        url = reverse("public-data-catchment", args=args)
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(body(response)) == client.get("/api/v1/catchment", query).json()


@pytest.mark.parametrize(
    "path",
    [
        "facilities/unbekannt/2023.json",
        "facilities/statistischer-bezirk/1900.json",
        "facilities/statistischer-bezirk/2023-in-99.json",
        "values/kinderarmut/statistischer-bezirk/2023-in-99.json",
        "values/kinderarmut/statistischer-bezirk/1900-in-2.json",
        "catchment/unbekannt/500/statistischer-bezirk/2023.json",
        "catchment/kita/501/statistischer-bezirk/2023.json",
        "catchment/kita/500/statistischer-bezirk/1900.json",
        "catchment/kita/500/unbekannt/2023.json",
    ],
)
def test_a_file_that_names_nothing_is_a_404_with_a_message(client, path, public_data_root):
    response = client.get(f"/data/{public_state()}/{path}")
    assert response.status_code == 404
    assert "message" in response.json()["error"]
    assert not any(public_data_root.rglob("*.json"))


def test_the_facilities_files_are_written_with_the_boundaries(public_data_root):
    counts = render_all(values=False)
    written = public_data_root / public_state() / "facilities"
    assert (written / LEVEL / "2023.json").is_file()
    assert (written / "stadtbezirk" / "2024.json.gz").is_file()
    assert counts["facilities"] == len(list(written.rglob("*.json")))


def test_a_closed_facility_moves_the_file_to_a_new_state(
    client, django_capture_on_commit_callbacks
):
    old = public_state()
    before = json.loads(body(client.get(facilities_url(old))))
    closed = Facility.objects.get(pk=before["features"][0]["id"])
    with django_capture_on_commit_callbacks(execute=True):
        closed.closed_on = datetime.date(2020, 1, 1)
        closed.save()
    new = public_state()
    assert new != old
    response = client.get(facilities_url(old))
    assert response.status_code == 302
    assert response["Location"] == facilities_url(new)
    after = json.loads(body(client.get(response["Location"])))
    assert closed.pk not in {feature["id"] for feature in after["features"]}
    assert len(after["features"]) == len(before["features"]) - 1


def test_the_rate_limit_counts_the_api_and_not_the_files(client, settings):
    cache.clear()
    settings.ATLAS_API_RATE_LIMIT = "2/minute"
    state = public_state()
    files = [client.get(facilities_url(state)).status_code for _ in range(5)]
    values = reverse("public-data-values", args=[state, "kinderarmut", LEVEL, 2023])
    files += [client.get(values).status_code for _ in range(5)]
    api = [client.get("/api/v1/levels").status_code for _ in range(3)]
    cache.clear()
    assert files == [200] * 10
    assert api == [200, 200, 429]
