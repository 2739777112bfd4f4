"""Everything kept across requests: never stale after a change, never shared wrongly."""

import datetime
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from atlas import pagecache
from atlas.publicdata import download_root, public_state, values_name
from core.datastate import DataState, data_state, one_state_per_request
from districts import selectors as district_selectors
from districts.models import District, Overlap
from districts.services.geometry import rebuild_web_geometries
from facilities.services.import_facilities import import_facilities
from indicators import readcache
from indicators.models import Indicator, Observation, Release
from indicators.selectors import one_read, year_table, year_tables
from indicators.services.releases import publish_release, withdraw_release

# These tests count what is kept: each starts with nothing kept.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nothing_kept")]

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


def release_with(value: float, *, publish: bool = True, title: str = "") -> Release:
    """A release holding one number of inhabitants for district 11 in YEAR."""
    release = Release.objects.create(title=title or f"Korrektur {value}")
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


def test_a_group_whose_cache_let_go_of_one_member_is_built_again_from_all_members(client):
    """Linked indicators are judged together and built together. A bounded cache lets go of
    one member's table and keeps another's; the next read builds the group again, and must
    read every member's observations for it, not only those of the member it asked for."""
    population, age = (Indicator.objects.get(slug=s) for s in ("einwohner", "durchschnittsalter"))

    def shown(table) -> dict:
        return {a.district_id: (a.cell.value, a.cell.status) for a in table.areas.values()}

    with one_state_per_request():
        before = year_tables(indicators=[population, age], years=[YEAR])
        scope = readcache.scope(None)
    assert shown(before[("durchschnittsalter", YEAR)]), "the demo data should have mean ages"
    # The least recently used entry goes first; here the population's table has gone.
    del readcache.TABLES._entries[(scope, "table", "einwohner", YEAR)]
    with one_state_per_request():
        year_table(indicator=population, year=YEAR)
    with one_state_per_request():
        after = year_tables(indicators=[population, age], years=[YEAR])
    for key in before:
        assert shown(after[key]) == shown(before[key]), key


def test_a_group_is_built_alike_whichever_of_its_members_a_read_asked_for(client):
    """A read of Kita places needs the children under 6, and so their whole group, with the
    natural balance and net migration in it. Built for that read and kept, the group must be
    what a read of the balances alone builds: with their parts, births and deaths, moves in and
    out."""
    supply = Indicator.objects.get(slug="kita-plaetze-je-100-unter-6")
    balances = list(Indicator.objects.filter(slug__in=["natuerlicher-saldo", "wanderungssaldo"]))

    def shown(tables) -> dict:
        return {
            (key, a.district_id): (a.cell.value, a.cell.status, a.interval, a.comparison)
            for key, table in tables.items()
            for a in table.areas.values()
        }

    with one_read():
        year_tables(indicators=[supply], years=[YEAR])
        kept = year_tables(indicators=balances, years=[YEAR])
    alone = year_tables(indicators=balances, years=[YEAR])
    assert shown(kept) == shown(alone)


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


def test_a_page_seen_by_a_signed_in_user_is_not_kept(client):
    user = Client()
    user.force_login(User.objects.create_user("rat", "r@example.org", "x"))
    assert user.get(PROFILE).status_code == 200
    assert len(pagecache.PAGES) == 0
    client.get(PROFILE)
    assert len(pagecache.PAGES) == 1


def test_the_page_store_keeps_no_more_bytes_than_allowed(client, monkeypatch):
    size = len(client.get(PROFILE).content)
    pagecache.PAGES.clear()
    # A budget just under the page: it is not kept.
    monkeypatch.setattr(pagecache.PAGES, "max_bytes", size - 1)
    assert client.get(PROFILE).status_code == 200
    assert len(pagecache.PAGES) == 0
    # Room for one page: the next one pushes it out.
    monkeypatch.setattr(pagecache.PAGES, "max_bytes", size + 1000)
    client.get(PROFILE)
    assert len(pagecache.PAGES) == 1
    client.get(f"/gebiet/statistischer-bezirk/12/?year={YEAR}")
    assert len(pagecache.PAGES) == 1
    assert pagecache.PAGES.nbytes <= size + 1000


def test_a_public_page_carries_nothing_of_one_visitor_and_switches_language_by_link(client):
    response = client.get(PROFILE)
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies
    link = re.search(r'<a href="([^"]+)" lang="en" hreflang="en"', html).group(1)
    assert link == "/gebiet/statistischer-bezirk/11/?year=2023&amp;lang=en"
    english = client.get(link.replace("&amp;", "&"))
    assert '<html lang="en"' in english.content.decode()
    assert english.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # The cookie keeps the language on the next page, without the parameter.
    assert '<html lang="en"' in client.get(PROFILE).content.decode()


def test_a_kept_response_is_served_before_sessions_language_and_authentication(client):
    first = client.get(PROFILE)
    assert hasattr(first.wsgi_request, "user")
    again = client.get(PROFILE)
    assert not hasattr(again.wsgi_request, "user")
    assert not hasattr(again.wsgi_request, "LANGUAGE_CODE")
    assert again.content == first.content
    for header in ("Content-Language", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert again[header] == first[header]


def test_kept_responses_are_told_apart_by_language_format_and_encoding(client):
    german = client.get(VALUES, headers={"accept-language": "de"})
    english = client.get(VALUES, headers={"accept-language": "en"})
    assert german["Content-Language"] == "de"
    assert english["Content-Language"] == "en"
    assert client.get(VALUES, headers={"accept-language": "en"})["Content-Language"] == "en"
    packed = client.get(VALUES, headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get(VALUES)
    assert client.get(VALUES, headers={"accept-encoding": "gzip"})["Content-Encoding"] == "gzip"


def test_sessions_and_conditional_requests_pass_the_kept_responses_by(client):
    etag = client.get(VALUES)["ETag"]
    assert client.get(VALUES).status_code == 200
    assert client.get(VALUES, headers={"if-none-match": etag}).status_code == 304
    client.cookies["sessionid"] = "irgendeine"
    assert hasattr(client.get(VALUES).wsgi_request, "user")


def test_a_response_that_sets_a_cookie_is_not_kept(client):
    client.get(PROFILE + "&lang=en")
    assert len(pagecache.PAGES) == 0
    fresh = Client()
    assert fresh.get(PROFILE + "&lang=en").cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_kept_page_is_kept_per_language(client):
    assert 'lang="de"' in client.get(PROFILE).content.decode()
    assert 'lang="en"' in client.get(PROFILE + "&lang=en").content.decode()
    assert 'lang="en"' in Client().get(PROFILE, headers={"accept-language": "en"}).content.decode()


@pytest.mark.usefixtures("plain_data_version")
def test_a_warm_profile_page_needs_one_query(client, django_assert_max_num_queries):
    client.get(PROFILE)
    with django_assert_max_num_queries(1):
        response = client.get(PROFILE)
    assert response.status_code == 200


@pytest.mark.usefixtures("plain_data_version")
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

    def build(request):
        built.append(request)
        time.sleep(0.2)
        return HttpResponse(b"page")

    middleware = pagecache.SharedResponseMiddleware(build)

    def visit():
        answers.append(middleware(rf.get(PROFILE)).content)

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


@pytest.mark.external
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


# --- every kept thing × every input of the data state ------------------------------------------
#
# Each kept thing is asked twice (the second answer comes from what it kept, which `warm`
# checks), then one input of the data state changes, and the next request must give the answer
# that a site keeping nothing gives: not the kept one.


def forget_everything(settings) -> None:
    """What a site that keeps nothing starts from."""
    readcache.TABLES.clear()
    pagecache.PAGES.clear()
    cache.clear()
    for root in (Path(settings.ATLAS_PUBLIC_DATA_ROOT), download_root()):
        shutil.rmtree(root, ignore_errors=True)


def file_body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class Kept:
    """A thing kept across requests, asked for the answer to ``probe`` (indicator, level)."""

    name = ""
    # The inputs its answers depend on (None: all).
    inputs: tuple[str, ...] | None = None

    def __init__(self, client, settings, monkeypatch):
        self.client, self.settings, self.monkeypatch = client, settings, monkeypatch

    def url(self, probe) -> str:
        return f"/api/v1/values?indicator={probe[0]}&level={probe[1]}&year={YEAR}"

    def answer(self, probe):
        response = self.client.get(self.url(probe))
        assert response.status_code == 200
        return response.json()

    def next_answer(self, probe):
        """The answer to the request after the change."""
        return self.answer(probe)

    def warm(self, probe) -> None:
        """Ask twice; fail unless the second answer came from what was kept."""
        raise NotImplementedError


class YearTables(Kept):
    name = "year tables"

    def __init__(self, *args):
        super().__init__(*args)
        self.settings.ATLAS_PAGE_CACHE_SIZE = 0

    def warm(self, probe):
        self.answer(probe)
        assert len(readcache.TABLES) > 0
        self.answer(probe)


class Pages(Kept):
    name = "pages"

    def warm(self, probe):
        self.answer(probe)
        self.answer(probe)
        assert len(pagecache.PAGES) == 1


class ETags(Kept):
    name = "ETags"

    def warm(self, probe):
        self.etag = self.client.get(self.url(probe))["ETag"]
        conditional = self.client.get(self.url(probe), headers={"if-none-match": self.etag})
        assert conditional.status_code == 304

    def next_answer(self, probe):
        response = self.client.get(self.url(probe), headers={"if-none-match": self.etag})
        assert response.status_code == 200
        return response.json()


class DataFiles(Kept):
    name = "data files"

    def url(self, probe):
        if not hasattr(self, "state"):
            self.state = public_state()
        return f"/data/{self.state}/{values_name(probe[0], probe[1], YEAR)}"

    def answer(self, probe):
        # A client that kept the old URL is sent on to the new state's file.
        response = self.client.get(self.url(probe), follow=True)
        assert response.status_code == 200
        return json.loads(file_body(response))

    def warm(self, probe):
        self.answer(probe)
        path = Path(self.settings.ATLAS_PUBLIC_DATA_ROOT) / self.url(probe).removeprefix("/data/")
        assert path.is_file()
        self.answer(probe)


class Downloads(Kept):
    name = "downloads"

    def url(self, probe):
        return f"/daten/tabelle.csv?indicator={probe[0]}&level={probe[1]}&year={YEAR}"

    def answer(self, probe):
        response = self.client.get(self.url(probe))
        assert response.status_code == 200
        return response.content.decode()

    def warm(self, probe):
        self.answer(probe)
        assert list((download_root() / public_state()).rglob("*.csv"))
        self.answer(probe)


class Boundaries(Kept):
    name = "boundaries in the shared cache"
    inputs = ("boundary",)

    def url(self, probe):
        return f"/api/v1/districts?level=statistischer-bezirk&year={YEAR}"

    def warm(self, probe):
        cache.clear()  # an earlier test may have kept them for the same state
        built = []
        build = district_selectors._build_geojson
        self.monkeypatch.setattr(
            district_selectors,
            "_build_geojson",
            lambda *args: built.append(args) or build(*args),
        )
        self.answer(probe)
        self.answer(probe)
        assert len(built) == 1


class Warnings(Kept):
    name = "plausibility warnings in the shared cache"
    inputs = ("publish", "withdraw", "boundary", "population share")

    def answer(self, probe):
        if not hasattr(self, "admin"):
            self.admin = Client()
            self.admin.force_login(User.objects.create_superuser("stat", "s@example.org", "x"))
        page = self.admin.get("/admin/indicators/release/").content.decode()
        return re.findall(r"Plausibilität: ([^<]+)", page)

    def warm(self, probe):
        self.answer(probe)
        assert cache.get(f"plausibility:{data_state().key}") is not None
        self.answer(probe)


def publish(prepared):
    release_with(98765)


def withdraw(release):
    withdraw_release(release=release)


def end_of_altstadt(prepared):
    """District 11 ends with 2022, as after a boundary import that drops it."""
    altstadt = District.objects.current().get(level__slug="statistischer-bezirk", code="11")
    altstadt.valid_to = datetime.date(YEAR - 1, 12, 31)
    altstadt.save()


def population_share(prepared):
    Overlap.objects.filter(source__level__slug="statistischer-bezirk", source__code="11").update(
        population_share=0.5
    )


def catalogue(prepared):
    indicator = Indicator.objects.get(slug="einwohner")
    indicator.unit_de = "Menschen"
    indicator.save()


def new_kita(prepared, tmp_path):
    path = tmp_path / "kitas.csv"
    path.write_text("typ;name;lon;lat;eroeffnet\nkita;Kita Neu;6,9234;51,52471;01.08.2015\n")
    import_facilities(path=path)


INHABITANTS = ("einwohner", "stadtbezirk")  # rolled up from the statistical districts
# name → (probe, what is there before, the change)
INPUTS = {
    "publish": (INHABITANTS, lambda: None, publish),
    "withdraw": (INHABITANTS, lambda: release_with(98765), withdraw),
    "boundary": (INHABITANTS, lambda: None, end_of_altstadt),
    "population share": (INHABITANTS, lambda: None, population_share),
    "catalogue": (INHABITANTS, lambda: None, catalogue),
    "facility": (("anzahl-kitas", "stadtbezirk"), lambda: None, None),
}
KEPT = [YearTables, Pages, ETags, DataFiles, Downloads, Boundaries, Warnings]


@pytest.mark.parametrize(
    ("kept", "change"),
    [
        pytest.param(kept, change, id=f"{kept.name}-{change}")
        for kept in KEPT
        for change in INPUTS
        if kept.inputs is None or change in kept.inputs
    ],
)
def test_a_change_of_the_data_state_shows_in_every_kept_thing_on_the_next_request(
    client, settings, monkeypatch, tmp_path, kept, change
):
    probe, prepare, apply = INPUTS[change]
    thing = kept(client, settings, monkeypatch)
    prepared = prepare()
    thing.warm(probe)
    before = thing.answer(probe)

    if change == "facility":
        new_kita(prepared, tmp_path)
    else:
        apply(prepared)
    after = thing.next_answer(probe)

    forget_everything(settings)
    assert after == thing.answer(probe)
    assert after != before


def test_rebuilt_web_geometries_show_though_no_district_says_it_changed(client, settings):
    url = f"/api/v1/districts?level=statistischer-bezirk&year={YEAR}"
    before = client.get(url).json()
    assert client.get(url).json() == before
    settings.ATLAS_SIMPLIFY_TOLERANCE_M = 200.0
    level = District.objects.filter(level__slug="statistischer-bezirk").first().level
    rebuild_web_geometries(level=level, day=datetime.date(YEAR, 12, 31))
    after = client.get(url).json()
    assert after["features"] != before["features"]
    forget_everything(settings)
    assert client.get(url).json() == after


# --- no kept page carries something of one visitor ----------------------------------------------

# One address of every view whose pages are kept.
SHARED = [
    "/",
    "/bezirk/1/",
    PROFILE,
    "/bezirk/1/steckbrief/",
    "/vorausberechnung/",
    "/daten/",
    "/daten/dcat.jsonld",
    "/daten/releases.atom",
    "/daten/pflege/releases.atom",
    "/api/v1/indicators",
    VALUES,
    "/api/v1/series?indicator=einwohner&level=statistischer-bezirk&codes=11",
    f"/api/v1/change?indicator=einwohner&level=statistischer-bezirk&from=2020&to={YEAR}",
    f"/api/v1/profile?level=statistischer-bezirk&code=11&year={YEAR}",
]


def shared_views(patterns=None) -> set:
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found |= shared_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "shared_page", False):
            found.add(pattern.callback)
    return found


def test_no_kept_page_carries_a_csrf_token(client):
    assert {resolve(path.partition("?")[0]).func for path in SHARED} == shared_views()
    for path in SHARED:
        assert client.get(path).status_code == 200, path
        assert client.get(path).status_code == 200, path
    assert len(pagecache.PAGES) == len(SHARED)
    for key in list(pagecache.PAGES._entries):
        assert b"csrfmiddlewaretoken" not in pagecache.PAGES.get(key).content


@pytest.mark.urls("tests.atlas.token_urls")
@pytest.mark.parametrize("cookie", [False, True])
def test_a_page_with_a_csrf_token_is_never_kept(client, cookie):
    if cookie:
        client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    tokens = set()
    for _ in range(2):
        response = client.get("/formular/")
        assert response.status_code == 200
        assert settings.CSRF_COOKIE_NAME in response.cookies
        tokens.add(re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.content)[1])
    assert len(tokens) == 2
    assert len(pagecache.PAGES) == 0
