"""The atlas's own 404 and 500 answers: pages in German and English, JSON for the API, the
OGC API and downloads asked for by programs. Django's technical pages never appear (the tests
run with DEBUG off, as production and `make run` do)."""

from unittest import mock

import pytest
from django.test import Client

from indicators.models import Release

from .error_urls import SECRET

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DJANGO_TECHNICAL = ("Using the URLconf", "Traceback", "technical_404", "Django tried")


def page(response) -> str:
    html = response.content.decode()
    for trace in DJANGO_TECHNICAL:
        assert trace not in html
    return html


@pytest.mark.parametrize(
    ("query", "headers", "lang", "heading"),
    [
        ({}, {}, "de", "Diese Seite gibt es nicht"),
        ({"lang": "en"}, {}, "en", "This page does not exist"),
        ({}, {"Accept-Language": "en"}, "en", "This page does not exist"),
    ],
)
def test_an_unknown_address_gets_the_atlas_page_in_the_visitor_language(
    client, query, headers, lang, heading
):
    response = client.get("/gibt-es-nicht/", query, headers=headers)
    html = page(response)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert "/gibt-es-nicht/" in html
    assert 'class="site-header"' in html  # the atlas's frame, with the language switch


def test_a_message_the_atlas_raises_for_visitors_is_shown(client):
    html = page(client.get("/bezirk/99/steckbrief/"))
    assert "Unbekannter Stadtbezirk" in html


def test_django_messages_naming_models_are_not_shown(client):
    response = client.get("/gebiet/statistischer-bezirk/gibt-es-nicht/")
    html = page(response)
    assert response.status_code == 404
    assert "matches the given query" not in html
    assert "District" not in html


@pytest.mark.parametrize("path", ["/api/v1/gibt-es-nicht", "/api/gibt-es-nicht"])
def test_the_api_answers_an_unknown_address_with_json(client, path):
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "Diese Adresse gibt es nicht" in error["message"]
    assert "There is no such address" in error["message"]


def test_the_ogc_api_answers_an_unknown_address_with_its_exception_document(client):
    response = client.get("/ogcapi/collections/statistischer-bezirk/gibt/es/nicht")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "NotFound"
    assert "There is no such address" in body["description"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/values?indicator=einwohner&level=stadt",
        "/api/v1/facilities",
        "/api/",
        "/ogcapi/collections",
        "/daten/tabelle.csv",
        "/daten/",
    ],
)
def test_a_write_method_on_a_read_only_interface_is_refused_with_405_and_allow(path, method):
    # enforce_csrf_checks: as a real client meets it, CSRF would refuse the write first.
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert method.upper() in error["message"]


def test_the_ogc_api_refuses_a_write_method_with_its_exception_document():
    response = Client(enforce_csrf_checks=True).post("/ogcapi/collections")
    assert response.json()["code"] == "MethodNotAllowed"


def test_the_admin_still_checks_csrf_on_a_write():
    response = Client(enforce_csrf_checks=True).post("/admin/login/")
    assert response.status_code == 403


@pytest.fixture
def draft_release():
    # Not public, so its files are not found (a withdrawn release's are gone: 410,
    # tests/atlas/test_release_files.py).
    return Release.objects.create(title="Entwurf", status=Release.Status.DRAFT)


def test_a_file_of_no_public_release_answers_a_program_with_json(client, draft_release):
    response = client.get(f"/daten/{draft_release.pk}/werte.csv", headers={"Accept": "*/*"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "withdrawn" in response.json()["error"]["message"]
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("de", "Diese Datei gibt es nicht oder nicht mehr"), ("en", "This file does not exist")],
)
def test_a_file_of_no_public_release_answers_a_browser_with_the_page(
    client, draft_release, lang, heading
):
    response = client.get(
        f"/daten/{draft_release.pk}/werte.csv", {"lang": lang}, headers={"Accept": BROWSER}
    )
    html = page(response)
    assert response.status_code == 404
    assert heading in html
    assert 'href="/daten/"' in html  # on to the files that are published
    assert "Accept" in response["Vary"]


@pytest.fixture
def failing_client():
    # As a server does: the exception becomes the 500 answer instead of reaching the test.
    return Client(raise_request_exception=False)


@pytest.mark.urls("tests.atlas.error_urls")
@pytest.mark.parametrize(
    ("query", "lang", "heading"),
    [({}, "de", "Hier ist etwas schiefgegangen"), ({"lang": "en"}, "en", "Something went wrong")],
)
def test_an_error_gets_the_atlas_page_with_the_request_id(failing_client, query, lang, heading):
    response = failing_client.get("/kaputt/", query, headers={"X-Request-ID": "fehler-4711"})
    html = page(response)
    assert response.status_code == 500
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert "fehler-4711" in html
    assert SECRET not in html
    assert "RuntimeError" not in html


@pytest.mark.urls("tests.atlas.error_urls")
@pytest.mark.parametrize("path", ["/api/v1/kaputt", "/ogcapi/kaputt", "/daten/kaputt.csv"])
def test_an_error_in_a_data_interface_is_json_with_the_request_id(failing_client, path):
    response = failing_client.get(path, headers={"X-Request-ID": "fehler-4712"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert error["request_id"] == "fehler-4712"
    assert "Internal error" in error["message"]
    assert SECRET not in response.content.decode()


@pytest.mark.urls("tests.atlas.error_urls")
def test_the_ogc_api_error_is_its_exception_document_too(failing_client):
    body = failing_client.get("/ogcapi/kaputt").json()
    assert body["code"] == "ServerError"
    assert "Internal error" in body["description"]


@pytest.mark.urls("tests.atlas.error_urls")
def test_an_error_page_that_cannot_be_rendered_still_answers_in_both_languages(failing_client):
    with mock.patch("atlas.errors.render_to_string", side_effect=ValueError("no manifest")):
        response = failing_client.get("/kaputt/", headers={"X-Request-ID": "fehler-4713"})
    html = page(response)
    assert response.status_code == 500
    assert "Interner Fehler" in html
    assert "Internal error" in html
    assert "fehler-4713" in html
    assert SECRET not in html
