"""Tables and pages kept across requests: never stale after a change, never shared wrongly."""

import datetime
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from atlas import pagecache
from atlas.httpcache import DataState, one_state_per_request
from districts.models import District
from facilities.services.import_facilities import import_facilities
from indicators import readcache
from indicators.models import Indicator, Observation, Release
from indicators.selectors import year_table
from indicators.services.releases import publish_release, withdraw_release

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

YEAR = 2023
VALUES = f"/api/v1/values?indicator=einwohner&level=statistischer-bezirk&year={YEAR}"
PROFILE = f"/gebiet/statistischer-bezirk/11/?year={YEAR}"
BOUNDARIES = "/api/v1/districts?level=statistischer-bezirk"
THEMES = "/api/v1/themes"
KITAS = f"/api/v1/values?indicator=anzahl-kitas&level=stadt&year={YEAR}"
REDIS_NOBODY_LISTENS = {
    "default": {
        "BACKEND": "atlas.cache.FailSafeRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def value_of(client, path: str, code: str = "11") -> float | None:
    response = client.get(path)
    assert response.status_code == 200
    return next(row["value"] for row in response.json()["values"] if row["code"] == code)


def release_with(value: float, *, publish: bool = True) -> Release:
    """A release holding one number of inhabitants for district 11 in YEAR."""
    release = Release.objects.create(title=f"Korrektur {value}")
    district = District.objects.valid_on(datetime.date(YEAR, 12, 31)).get(
        level__slug="statistischer-bezirk", code="11"
    )
    Observation.objects.create(
        release=release,
        indicator=Indicator.objects.get(slug="einwohner"),
        district=district,
        year=YEAR,
        reference_date=datetime.date(YEAR, 12, 31),
        value=value,
        status="normal",
    )
    return publish_release(release=release) if publish else release


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_publish_right_after_a_cached_read_shows_in_the_api_at_once(client):
    before = value_of(client, VALUES)
    assert value_of(client, VALUES) == before  # now answered from the caches
    release_with(98765)
    assert value_of(client, VALUES) == 98765


def test_a_publish_right_after_a_cached_read_shows_on_the_profile_at_once(client):
    assert "98.765" not in client.get(PROFILE).content.decode()
    client.get(PROFILE)
    release_with(98765)
    assert "98.765" in client.get(PROFILE).content.decode()


def test_a_withdrawal_right_after_a_cached_read_brings_back_the_earlier_value(client):
    before = value_of(client, VALUES)
    release = release_with(98765)
    assert value_of(client, VALUES) == 98765
    assert "98.765" in client.get(PROFILE).content.decode()
    withdraw_release(release=release)
    assert value_of(client, VALUES) == before
    assert "98.765" not in client.get(PROFILE).content.decode()


def test_a_facility_upload_right_after_a_cached_read_shows_at_once(client, tmp_path):
    before = client.get(KITAS).json()["city"]["value"]
    client.get(KITAS)
    path = tmp_path / "kitas.csv"
    path.write_text("typ;name;lon;lat;eroeffnet\nkita;Kita Neu;6,9234;51,52471;01.08.2015\n")
    import_facilities(path=path)
    assert client.get(KITAS).json()["city"]["value"] == before + 1


def test_a_pinned_read_is_not_served_from_the_unpinned_cache(client):
    before = value_of(client, VALUES)
    pinned = Release.objects.filter(status="published").order_by("-published_at").first()
    release_with(98765)
    assert value_of(client, VALUES) == 98765
    assert value_of(client, f"{VALUES}&release={pinned.pk}") == before
    assert value_of(client, VALUES) == 98765


def test_tables_are_kept_per_pin_and_data_state(client):
    indicator = Indicator.objects.get(slug="einwohner")
    readcache.TABLES.clear()
    with one_state_per_request():
        first = year_table(indicator=indicator, year=YEAR)
    with one_state_per_request():
        again = year_table(indicator=indicator, year=YEAR)
    assert again.areas is first.areas
    release_with(98765)
    with one_state_per_request():
        changed = year_table(indicator=indicator, year=YEAR)
    assert changed.areas is not first.areas


def test_reads_outside_a_request_are_not_kept(client):
    readcache.TABLES.clear()
    year_table(indicator=Indicator.objects.get(slug="einwohner"), year=YEAR)
    assert len(readcache.TABLES) == 0


def test_a_draft_is_not_shown_to_visitors_after_statisticians_looked_at_it(client):
    client.get(PROFILE)
    client.get(VALUES)
    draft = release_with(98765, publish=False)
    statistician = Client()
    statistician.force_login(User.objects.create_superuser("statistik", "s@example.org", "x"))
    assert statistician.get(f"/admin/indicators/release/{draft.pk}/change/").status_code == 200
    assert statistician.get("/admin/indicators/observation/?q=11").status_code == 200
    statistician.get(PROFILE)
    statistician.get(VALUES)
    assert "98.765" not in client.get(PROFILE).content.decode()
    assert value_of(client, VALUES) != 98765


def test_a_page_seen_by_a_signed_in_user_is_not_served_to_a_visitor(client):
    user = Client()
    user.force_login(User.objects.create_user("rat", "r@example.org", "x"))
    seen = csrf_token(user.get(PROFILE).content.decode())
    assert csrf_token(client.get(PROFILE).content.decode()) != seen


def test_every_visitor_of_a_kept_page_gets_a_working_csrf_token_of_their_own(client):
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    token_one = csrf_token(first.get(PROFILE).content.decode())
    token_two = csrf_token(second.get(PROFILE).content.decode())
    assert token_one != token_two
    switched = second.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token_two})
    assert switched.status_code == 302


def test_a_kept_page_is_kept_per_language(client):
    assert 'lang="de"' in client.get(PROFILE).content.decode()
    assert 'lang="en"' in client.get(PROFILE + "&lang=en").content.decode()
    assert 'lang="en"' in Client().get(PROFILE, headers={"accept-language": "en"}).content.decode()


def test_a_warm_profile_page_needs_one_query(client, django_assert_max_num_queries):
    client.get(PROFILE)
    with django_assert_max_num_queries(1):
        response = client.get(PROFILE)
    assert response.status_code == 200


def test_a_warm_profile_page_built_from_kept_tables_needs_few_queries(
    client, settings, django_assert_max_num_queries
):
    settings.ATLAS_PAGE_CACHE_SIZE = 0
    client.get(PROFILE)
    with django_assert_max_num_queries(6):
        response = client.get(PROFILE)
    assert "Einwohner" in response.content.decode()


def test_threads_asking_for_the_same_missing_page_build_it_once(rf, monkeypatch):
    monkeypatch.setattr(pagecache, "request_data_state", lambda: DataState("state", None))
    built, answers = [], []

    def view(request):
        built.append(request)
        time.sleep(0.2)
        return HttpResponse(b"page")

    page = pagecache.shared_page(view)

    def visit():
        request = rf.get("/seite/")
        request.user = AnonymousUser()
        answers.append(page(request).content)

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    assert (len(built), answers) == (1, [b"page"] * 4)


@pytest.mark.parametrize(
    "path",
    ["/", PROFILE, "/bezirk/1/", "/api/v1/districts?level=statistischer-bezirk", VALUES, KITAS],
)
def test_pages_and_data_are_served_while_redis_is_down(client, settings, path):
    settings.CACHES = REDIS_NOBODY_LISTENS
    settings.ATLAS_API_RATE_LIMIT = "1/minute"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200


def test_a_redis_outage_is_logged_once(client, settings, caplog):
    settings.CACHES = REDIS_NOBODY_LISTENS
    settings.ATLAS_API_RATE_LIMIT = "120/minute"
    with caplog.at_level(logging.WARNING, logger="atlas.cache"):
        for _ in range(3):
            assert client.get("/api/v1/districts?level=stadtbezirk").status_code == 200
    assert [r.message for r in caplog.records if r.name == "atlas.cache"] == [
        caplog.records[0].message
    ]
    assert "cache unavailable" in caplog.records[0].message


def test_the_rate_limit_lets_requests_through_when_its_cache_fails(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.ATLAS_API_RATE_LIMIT = "1/minute"
    assert client.get("/api/v1/levels").status_code == 200
    assert client.get("/api/v1/levels").status_code == 200


def test_with_redis_url_at_a_stopped_redis_the_site_still_answers(db):
    """The settings as deployed, in a process of their own, against the test database."""
    database = connection.settings_dict
    url = (
        f"postgis://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'atlas.settings';"
        "django.setup(); from django.test import Client; c = Client();"
        f"print([c.get(p).status_code for p in {[PROFILE, VALUES, BOUNDARIES, THEMES]!r}])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATLAS_"))}
    env = {
        **clean,
        "DATABASE_URL": url,
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "ATLAS_API_RATE_LIMIT": "1/minute",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.stdout.strip() == "[200, 200, 200, 200]", done.stderr[-2000:]
