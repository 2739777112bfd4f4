"""The data interfaces over HTTP: new endpoints, validators and 304, compression, CORS, the
rate limit, bad input, and the API guide."""

import datetime
import gzip
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_schema_validator import OAS30Validator

from atlas.openapi import DOCUMENT
from districts.models import District
from indicators.models import Indicator, Release
from indicators.services.releases import withdraw_release
from tests.factories import ObservationFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

VALUES = "/api/v1/values?indicator=einwohner&level=statistischer-bezirk&year=2023"


def assert_matches(path: str, payload, status: str = "200"):
    content = DOCUMENT["paths"][path]["get"]["responses"][status]["content"]
    OAS30Validator(next(iter(content.values()))["schema"]).validate(payload)


def publish(title: str, *, when: datetime.datetime | None = None) -> Release:
    return ReleaseFactory(
        title=title, status=Release.Status.PUBLISHED, published_at=when or timezone.now()
    )


# --- new endpoints ---------------------------------------------------------------------------


def test_themes_list_every_theme_with_its_indicators(client):
    payload = client.get("/api/v1/themes").json()
    assert_matches("/themes", payload)
    by_slug = {t["slug"]: t for t in payload["themes"]}
    assert "einwohner" in by_slug["bevoelkerung"]["indicators"]
    assert len(by_slug) >= 6


def test_indicators_can_be_filtered_by_theme(client):
    payload = client.get("/api/v1/indicators", {"theme": "bevoelkerung"}).json()
    assert_matches("/indicators", payload)
    assert {i["theme"] for i in payload["indicators"]} == {"bevoelkerung"}
    assert [t["slug"] for t in payload["themes"]] == ["bevoelkerung"]
    assert "einwohner" in {i["slug"] for i in payload["indicators"]}


def test_an_unknown_theme_is_named(client):
    response = client.get("/api/v1/indicators", {"theme": "gibtsnicht"})
    assert response.status_code == 404
    assert response.json()["error"]["parameter"] == "theme"


def test_releases_list_only_published_ones(client):
    ReleaseFactory(title="Entwurf 2099")
    publish("Veröffentlicht 2099")
    payload = client.get("/api/v1/releases", {"limit": 100}).json()
    assert_matches("/releases", payload)
    titles = [r["title"] for r in payload["results"]]
    assert "Veröffentlicht 2099" in titles
    assert "Entwurf 2099" not in titles
    assert payload["count"] == Release.objects.filter(status="published").count()


def test_releases_count_their_values_per_theme(client):
    payload = client.get("/api/v1/releases").json()
    demo = payload["results"][-1]
    assert demo["values"] == sum(t["values"] for t in demo["themes"]) > 0
    assert demo["first_year"] <= demo["last_year"]
    assert demo["downloads"]["csv"].endswith(f"/daten/{demo['id']}/werte.csv")


def test_releases_are_paginated_with_links(client):
    for n in range(3):
        publish(f"Seite {n}", when=timezone.now() + datetime.timedelta(minutes=n))
    count = Release.objects.filter(status="published").count()
    first = client.get("/api/v1/releases", {"limit": 2}).json()
    assert first["count"] == count and len(first["results"]) == 2
    assert first["previous"] is None
    assert [r["title"] for r in first["results"]] == ["Seite 2", "Seite 1"]
    second = client.get(first["next"]).json()
    assert second["results"][0]["title"] == "Seite 0"
    assert "offset=2" in first["next"] and "limit=2" in first["next"]
    assert client.get(second["previous"]).json()["results"] == first["results"]
    last = client.get("/api/v1/releases", {"limit": 2, "offset": count - 1}).json()
    assert last["next"] is None and len(last["results"]) == 1


@pytest.mark.parametrize(("params", "parameter"), [
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "zwei"}, "limit"),
    ({"offset": "-1"}, "offset"),
])  # fmt: skip
def test_bad_pagination_is_named(client, params, parameter):
    response = client.get("/api/v1/releases", params)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_full_boundaries_have_more_points_than_simplified_ones(client):
    def points(geometry):
        params = {"level": "statistischer-bezirk", "geometry": geometry}
        response = client.get("/api/v1/districts", params)
        assert_matches("/districts", response.json())
        return response.content.count(b"],[")

    assert points("full") > points("simplified")
    assert points("simplified") == client.get(
        "/api/v1/districts", {"level": "statistischer-bezirk"}
    ).content.count(b"],[")


def test_an_unknown_geometry_is_named(client):
    response = client.get("/api/v1/districts", {"level": "stadt", "geometry": "grob"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "geometry"


# --- bad input never gives a 500 ---------------------------------------------------------------

NASTY = ["\x00", "-1", "99999999999999999999", "１２", "nan", "a" * 300]
ENDPOINTS = [
    ("/api/v1/districts", {"level": "stadt"}, ["level", "year", "geometry", "zoom"]),
    ("/api/v1/indicators", {}, ["theme"]),
    (
        "/api/v1/values",
        {"indicator": "kinderarmut", "level": "stadtbezirk"},
        ["indicator", "level", "year", "within", "from", "method", "classes", "breaks"],
    ),
    (
        "/api/v1/series",
        {"indicator": "kinderarmut", "level": "stadtbezirk", "codes": "1"},
        ["indicator", "level", "codes"],
    ),
    (
        "/api/v1/change",
        {"indicator": "kinderarmut", "level": "stadtbezirk", "from": "2015"},
        ["indicator", "level", "from", "to"],
    ),
    ("/api/v1/profile", {"level": "stadtbezirk", "code": "1"}, ["level", "code", "year"]),
    ("/api/v1/releases", {}, ["limit", "offset"]),
    (
        "/daten/tabelle.csv",
        {"indicator": "kinderarmut", "level": "stadtbezirk"},
        ["indicator", "level", "year", "within", "dialect"],
    ),
    ("/daten/gebiete.gpkg", {}, ["year"]),
    ("/api/v1/facilities", {}, ["type", "year", "within", "bbox", "level"]),
    (
        "/api/v1/catchment",
        {"type": "kita", "distance": "500", "level": "stadtbezirk"},
        ["type", "distance", "level", "year", "within"],
    ),
    (
        "/daten/erreichbarkeit.csv",
        {"type": "kita", "distance": "500", "level": "stadtbezirk"},
        ["type", "distance", "level", "year", "within", "dialect"],
    ),
    ("/ogcapi/collections", {}, ["f", "year"]),
]


@pytest.mark.parametrize(("path", "base", "names"), ENDPOINTS)
def test_no_bad_value_of_any_parameter_is_a_server_error(client, path, base, names):
    for name in names:
        for value in NASTY:
            response = client.get(path, {**base, name: value})
            assert response.status_code < 500, (path, name, value)
            if response.status_code >= 400:
                assert response.json()["error"]["parameter"] == name, (path, name, value)


def test_a_release_download_names_a_bad_theme(client):
    release = Release.objects.filter(status="published").first()
    for value in NASTY:
        response = client.get(f"/daten/{release.pk}/werte.csv", {"theme": value})
        assert response.status_code in (400, 404), value
        assert response.json()["error"]["parameter"] == "theme"


def test_nul_bytes_in_a_slug_are_a_400_naming_it(client):
    response = client.get("/api/v1/values", {"indicator": "kinder\x00armut", "level": "stadt"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "indicator"


@pytest.mark.parametrize("year", ["-5", "10000", "0"])
def test_a_year_without_a_calendar_date_is_named(client, year):
    response = client.get("/api/v1/districts", {"level": "stadt", "year": year})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "year"


def test_non_finite_breaks_are_refused(client):
    params = {"indicator": "kinderarmut", "level": "statistischer-bezirk", "method": "manual"}
    response = client.get("/api/v1/values", {**params, "breaks": "10,inf"})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "breaks"


# --- validators, 304 and Cache-Control ---------------------------------------------------------


def test_data_responses_carry_validators_and_public_caching(client):
    response = client.get(VALUES)
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert response["Last-Modified"].endswith("GMT")


@pytest.mark.parametrize(
    "path", [VALUES, "/ogcapi/collections?f=json", "/daten/", "/daten/dcat.jsonld"]
)
def test_public_answers_may_be_shared_but_are_revalidated_before_every_use(client, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "no-cache"}
    again = client.get(path, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert {d.strip() for d in again["Cache-Control"].split(",")} == {"public", "no-cache"}


@pytest.mark.parametrize(
    "path", [VALUES, "/api/v1/levels", "/daten/dcat.jsonld", "/ogcapi/collections?f=json"]
)
@pytest.mark.usefixtures("plain_data_version")
def test_a_matching_etag_is_answered_304_without_reading_values(client, path):
    etag = client.get(path)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(queries) == 1  # the state of the data, nothing else


def test_an_unchanged_date_is_answered_304(client):
    last_modified = client.get(VALUES)["Last-Modified"]
    response = client.get(VALUES, headers={"if-modified-since": last_modified})
    assert response.status_code == 304


def test_the_etag_depends_on_the_query(client):
    other = VALUES.replace("2023", "2022")
    assert client.get(VALUES)["ETag"] != client.get(other)["ETag"]
    response = client.get(other, headers={"if-none-match": client.get(VALUES)["ETag"]})
    assert response.status_code == 200


def test_publishing_a_release_changes_etag_and_last_modified(client):
    before = client.get(VALUES)
    publish("Neuer Stand", when=timezone.now() + datetime.timedelta(days=1))
    after = client.get(VALUES, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]
    response = client.get(VALUES, headers={"if-modified-since": before["Last-Modified"]})
    assert response.status_code == 200


def test_withdrawing_a_release_changes_the_etag(client):
    release = publish("Zurückzuziehen")
    before = client.get(VALUES)["ETag"]
    Release.objects.filter(pk=release.pk).update(
        status=Release.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    assert client.get(VALUES)["ETag"] != before


def test_a_withdrawn_value_is_not_confirmed_by_a_304(client):
    city = District.objects.get(level__slug="stadt")
    path = "/api/v1/values?indicator=einwohner&level=stadt&year=2023"
    release = publish("Zurückzuziehen", when=timezone.now() + datetime.timedelta(days=1))
    ObservationFactory(
        release=release, indicator=Indicator.objects.get(slug="einwohner"), district=city,
        year=2023, value=987_654,
    )  # fmt: skip
    before = client.get(path)
    assert [v["value"] for v in before.json()["values"]] == [987_654]
    withdraw_release(release=release)
    after = client.get(path, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert 987_654 not in [v["value"] for v in after.json()["values"]]


def test_changed_boundaries_change_the_etag(client):
    before = client.get("/api/v1/districts?level=stadtbezirk")["ETag"]
    district = District.objects.filter(level__slug="stadtbezirk").first()
    district.name = "Umbenannt"
    district.save()
    assert client.get("/api/v1/districts?level=stadtbezirk")["ETag"] != before


def test_errors_carry_no_validators(client):
    response = client.get("/api/v1/values", {"indicator": "gibtsnicht", "level": "stadt"})
    assert response.status_code == 404
    assert not response.has_header("ETag")
    assert "public" not in response.get("Cache-Control", "")


def test_html_pages_carry_no_token_and_are_validated_like_the_api(client):
    # The language switch is a link: nothing on a public page belongs to one visitor.
    for path in ("/daten/", "/ogcapi/?f=html"):
        response = client.get(path)
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert not response.cookies
        assert "public" in response["Cache-Control"]
        again = client.get(path, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304


# --- compression -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media"),
    [
        (VALUES, "application/json"),
        ("/api/v1/districts?level=statistischer-bezirk", "application/geo+json"),
        (
            "/daten/tabelle.csv?indicator=einwohner&level=statistischer-bezirk&year=2023",
            "text/csv",
        ),
    ],
)
def test_data_is_gzipped_when_the_client_accepts_it(client, path, media):
    plain = client.get(path)
    packed = client.get(path, headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert packed["Content-Type"].startswith(media)
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content)
    assert not plain.has_header("Content-Encoding")


def test_a_gzipped_response_still_gets_its_304(client):
    packed = client.get(VALUES, headers={"accept-encoding": "gzip"})
    assert packed["ETag"].startswith('W/"')
    again = client.get(VALUES, headers={"accept-encoding": "gzip", "if-none-match": packed["ETag"]})
    assert again.status_code == 304


# --- CORS --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [VALUES, "/ogcapi/collections", "/daten/dcat.jsonld"])
def test_anyone_may_read_the_data_from_another_site(client, path):
    response = client.get(path, headers={"origin": "https://example.org"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_preflight_is_answered_204_with_the_read_methods(client):
    response = client.options(
        "/api/v1/values",
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


def test_head_is_allowed_and_gets_cors_headers(client):
    response = client.head(VALUES, headers={"origin": "https://example.org"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_writes_never_get_cors_headers(client):
    for path in ("/api/v1/values", "/admin/login/", "/daten/"):
        response = client.post(path, {}, headers={"origin": "https://example.org"})
        assert not response.has_header("Access-Control-Allow-Origin"), path


def test_pages_outside_the_data_interfaces_get_no_cors_headers(client):
    response = client.get("/barrierefreiheit/", headers={"origin": "https://example.org"})
    assert not response.has_header("Access-Control-Allow-Origin")
    assert client.options("/barrierefreiheit/").status_code != 204


# --- rate limit --------------------------------------------------------------------------------


@pytest.fixture
def limited(settings):
    from django.core.cache import cache

    cache.clear()
    settings.ATLAS_API_RATE_LIMIT = "3/minute"
    yield
    cache.clear()


def test_the_fourth_request_in_a_minute_is_refused(client, limited):
    statuses = [client.get("/api/v1/levels").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/levels")
    assert 1 <= int(refused["Retry-After"]) <= 60
    error = refused.json()["error"]
    assert error["limit"] == "3/minute"
    assert "höchstens 3 je Minute" in error["message"]
    assert "at most 3 per minute" in error["message"]
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert_matches("/levels", refused.json(), "429")


def test_the_ogc_api_shares_the_limit_and_downloads_do_not(client, limited):
    for _ in range(3):
        client.get("/api/v1/levels")
    assert client.get("/ogcapi/collections").status_code == 429
    assert client.get("/daten/dcat.jsonld").status_code == 200
    assert client.get("/barrierefreiheit/").status_code == 200


def test_each_client_address_has_its_own_count(client, limited):
    for _ in range(3):
        client.get("/api/v1/levels", REMOTE_ADDR="192.0.2.1")
    assert client.get("/api/v1/levels", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/api/v1/levels", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(client, limited, settings):
    def get(forwarded):
        return client.get("/api/v1/levels", headers={"x-forwarded-for": forwarded}).status_code

    assert [get(f"198.51.100.{n}") for n in range(4)][-1] == 429
    settings.ATLAS_TRUSTED_PROXIES = 1
    assert get("198.51.100.99") == 200
    # A client cannot escape by writing its own entries left of the proxy's.
    for n in range(3):
        get(f"203.0.113.{n}, 198.51.100.7")
    assert get("203.0.113.200, 198.51.100.7") == 429


def test_an_empty_or_zero_limit_switches_it_off(client, settings):
    for value in ("", "0"):
        settings.ATLAS_API_RATE_LIMIT = value
        assert all(client.get("/api/v1/levels").status_code == 200 for _ in range(5))


def test_a_malformed_limit_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    from atlas.httpcache import parse_rate

    assert parse_rate("120/minute").seconds == 60
    with pytest.raises(ImproperlyConfigured):
        parse_rate("viele/minute")
    with pytest.raises(ImproperlyConfigured):
        parse_rate("5/fortnight")


# --- the API guide -----------------------------------------------------------------------------


def test_the_api_guide_links_a_working_example_of_every_endpoint(client):
    response = client.get("/api/")
    assert response.status_code == 200
    page = response.content.decode()
    links = re.findall(r'href="(/api/v1/[^"]*)"', page)
    for path in DOCUMENT["paths"]:
        # A path with parameters ("/tiles/{level}/…") matches any value of each.
        pattern = re.sub(r"\\\{\w+\\\}", "[^/?]+", re.escape(path))
        examples = [link for link in links if re.match(rf"/api/v1{pattern}(\?|$)", link)]
        assert examples, path
        example = examples[0].replace("&amp;", "&")
        assert client.get(example).status_code == 200, example


def test_the_api_guide_names_every_parameter_errors_and_licence(client, settings):
    settings.ATLAS_API_RATE_LIMIT = "120/minute"
    page = client.get("/api/").content.decode()
    for item in DOCUMENT["paths"].values():
        for parameter in item["get"].get("parameters", []):
            assert f"<code>{parameter['name']}</code>" in page
    for target in ('href="/api/v1/openapi.json"', 'href="/daten/"', 'href="/ogcapi/"'):
        assert target in page
    assert "Datenlizenz Deutschland" in page
    assert "&quot;error&quot;" in page
    assert "höchstens 120 Anfragen in 60 Sekunden" in page and "429" in page


def test_the_api_guide_shows_the_limits_of_the_document(client):
    page = client.get("/api/").content.decode()
    values = DOCUMENT["paths"]["/values"]["get"]["parameters"]
    classes = next(p["schema"] for p in values if p["name"] == "classes")
    assert f'<td class="range">{classes["minimum"]}–{classes["maximum"]}</td>' in page
    assert '<td class="range">1900–2100</td>' in page
    assert "<td>simplified, full</td>" in page


def test_the_footer_links_the_api_guide(client):
    page = client.get("/barrierefreiheit/").content.decode()
    assert re.search(r'<ul class="footer-links">.*href="/api/".*</ul>', page, re.S)


def test_the_openapi_document_lists_429_and_304_everywhere():
    for item in DOCUMENT["paths"].values():
        assert {"304", "429"} <= set(item["get"]["responses"])
    assert json.dumps(DOCUMENT)  # serialisable as served
