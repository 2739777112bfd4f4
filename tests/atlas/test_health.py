import sys
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory

from atlas import health

REDIS_NOBODY_LISTENS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def database_down():
    """Every new cursor fails as it does when PostgreSQL is not running."""
    error = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=error):
        yield


def test_healthz_answers_without_the_database(client):
    # No db fixture: any query here would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_stays_up_while_the_database_is_down(client, database_down):
    assert client.get("/healthz").status_code == 200


def test_readyz_reports_database_and_cache_ready(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_readyz_names_the_database_when_it_cannot_be_reached(client, db, database_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "cache": "ok"},
    }


def test_readyz_stays_ready_but_names_the_cache_when_it_cannot_be_reached(client, db, settings):
    settings.CACHES = REDIS_NOBODY_LISTENS
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "unavailable"},
    }


def test_readyz_is_unavailable_when_database_and_cache_are_down(
    client, db, settings, database_down
):
    settings.CACHES = REDIS_NOBODY_LISTENS
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "cache": "unavailable"},
    }


@pytest.mark.parametrize(
    "path",
    ["/", "/gebiet/statistischer-bezirk/11/", "/bezirk/1/steckbrief/", "/daten/"],
)
def test_pages_explain_a_database_outage_in_german_and_english(client, db, database_down, path):
    response = client.get(path, follow=True)
    html = response.content.decode()
    assert response.status_code == 503
    assert "Die Datenbank ist im Moment nicht erreichbar" in html
    assert "The database cannot be reached at the moment" in html
    assert "Traceback" not in html
    assert "5432" not in html
    assert response["Retry-After"] == "30"


def test_the_api_explains_a_database_outage_as_json(client, db, database_down):
    query = {"indicator": "einwohner", "level": "stadtbezirk", "year": 2023}
    response = client.get("/api/v1/values", query)
    assert response.status_code == 503
    assert "temporarily unavailable" in response.json()["error"]["message"]


def test_a_database_error_outside_a_view_is_still_a_503(db):
    request = RequestFactory().get("/")
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = health.server_error(request)
    assert response.status_code == 503


def test_other_errors_stay_a_plain_500(db):
    request = RequestFactory().get("/")
    try:
        raise ValueError("something else")
    except ValueError:
        assert sys.exc_info()[0] is ValueError
        response = health.server_error(request)
    assert response.status_code == 500
