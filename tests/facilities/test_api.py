import math

import pytest

from districts.models import Level
from facilities.selectors import catchment
from tests.atlas.test_api import assert_matches

pytestmark = pytest.mark.django_db


def test_facility_types_are_listed_with_icon_and_served_group(client):
    payload = client.get("/api/v1/facility-types").json()
    assert_matches("/facility-types", payload)
    kita = next(t for t in payload["facility_types"] if t["slug"] == "kita")
    assert kita["icon_url"].endswith("facilities/icons/kita.svg")
    assert kita["served_group_de"] == "Kinder unter 6 Jahren"


def test_facilities_are_geojson_points_in_wgs84(client, three_kitas):
    response = client.get("/api/v1/facilities", {"type": "test-kita", "year": 2021})
    assert response["Content-Type"] == "application/geo+json"
    payload = response.json()
    assert_matches("/facilities", payload)
    assert sorted(f["properties"]["name"] for f in payload["features"]) == [
        "Kita Sonne",
        "Kita Stern",
    ]
    lon, lat = payload["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_facilities_of_an_earlier_year_include_the_closed_one(client, three_kitas):
    payload = client.get("/api/v1/facilities", {"type": "test-kita", "year": 2019}).json()
    assert len(payload["features"]) == 3


def test_a_bbox_limits_the_facilities(client, three_kitas):
    payload = client.get(
        "/api/v1/facilities", {"type": "test-kita", "year": 2021, "bbox": "6,51,7,52"}
    ).json()
    # The test squares lie near the origin of EPSG:25832, far from that box.
    assert payload["features"] == []


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ({"type": "gibt-es-nicht"}, "type", 404),
        ({"year": "letztes"}, "year", 400),
        ({"bbox": "1,2,3"}, "bbox", 400),
        ({"within": "99"}, "within", 404),
    ],
)
def test_bad_facility_parameters_are_named(client, query, parameter, status):
    response = client.get("/api/v1/facilities", query)
    assert response.status_code == status
    assert_matches("/facilities", response.json(), str(status))
    assert response.json()["error"]["parameter"] == parameter


@pytest.fixture
def square_with_a_kita(make_district, make_facility):
    """A 1 km square with one Kita in its middle and one on its lower left corner."""
    make_district("Q")
    make_facility("Mitte", 500, 500)


def test_a_circle_inside_a_square_covers_its_area_share(square_with_a_kita, facility_type):
    level = Level.objects.get(slug="testebene")
    (reach,) = catchment(facility_type=facility_type, distance=300, level=level, year=2021)
    assert reach.share == pytest.approx(math.pi * 300**2 / 1e6, rel=0.005)


def test_a_facility_on_the_corner_covers_a_quarter_circle(
    make_district, make_facility, facility_type
):
    make_district("Q")
    make_facility("Ecke", 0, 0)
    (reach,) = catchment(
        facility_type=facility_type,
        distance=500,
        level=Level.objects.get(slug="testebene"),
        year=2021,
    )
    assert reach.share == pytest.approx(math.pi * 500**2 / 4 / 1e6, rel=0.005)


def test_overlapping_circles_are_counted_once(make_district, make_facility, facility_type):
    make_district("Q")
    make_facility("Eins", 500, 500)
    make_facility("Zwei", 510, 500)
    (reach,) = catchment(
        facility_type=facility_type,
        distance=300,
        level=Level.objects.get(slug="testebene"),
        year=2021,
    )
    assert reach.share < 0.3


def test_the_catchment_api_gives_shares_per_district(client, square_with_a_kita):
    response = client.get(
        "/api/v1/catchment",
        {"type": "test-kita", "distance": 300, "level": "testebene", "year": 2021},
    )
    payload = response.json()
    assert_matches("/catchment", payload)
    assert payload["areas"][0]["code"] == "Q"
    assert payload["areas"][0]["share"] == pytest.approx(0.2827, abs=0.002)


@pytest.mark.parametrize("distance", ["100", "2500", "zwei"])
def test_a_distance_outside_300_to_2000_is_refused_by_name(client, facility_type, distance):
    response = client.get(
        "/api/v1/catchment", {"type": facility_type.slug, "distance": distance, "level": "stadt"}
    )
    assert response.status_code == 400
    assert_matches("/catchment", response.json(), "400")
    assert response.json()["error"]["parameter"] == "distance"


def test_a_missing_distance_is_named(client, facility_type):
    response = client.get("/api/v1/catchment", {"type": facility_type.slug, "level": "stadt"})
    assert response.json()["error"]["parameter"] == "distance"
