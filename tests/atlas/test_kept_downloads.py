"""Downloads and the fact sheet PDF are built once per data state and kept (atlas/kept.py):
another spelling of the URL builds nothing, an unknown parameter is refused, a publish builds
anew, and requests that arrive together build a file once."""

import csv
import datetime
import fcntl
import io
import json
import threading
import time

import pytest
from django.contrib.auth.models import Group, User

from atlas import downloads as views
from atlas import factsheet, kept
from atlas.permissions import STATISTICIANS
from atlas.publicdata import download_root, public_state
from districts.models import District
from indicators.models import Indicator, Observation, Release
from indicators.services.releases import publish_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return Release.objects.get(title="Demodaten Bottrop (synthetisch)")


@pytest.fixture
def builds(monkeypatch):
    """Counts the XLSX, CSV and PDF builds the views ask for."""
    counted = {"xlsx": 0, "csv": 0, "pdf": 0}

    def counting(kind, function):
        def wrapped(*args, **kwargs):
            counted[kind] += 1
            return function(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(views.downloads, "to_xlsx", counting("xlsx", views.downloads.to_xlsx))
    monkeypatch.setattr(views.downloads, "to_csv", counting("csv", views.downloads.to_csv))
    monkeypatch.setattr(factsheet, "_pdf", counting("pdf", factsheet._pdf))
    return counted


@pytest.fixture
def correction():
    """A draft that changes the city's population in 2023 from 118,705 to 118,800."""
    draft = Release.objects.create(title="Korrektur 2023")
    Observation.objects.create(
        release=draft, indicator=Indicator.objects.get(slug="einwohner"),
        district=District.objects.get(level__slug="stadt"), year=2023,
        reference_date=datetime.date(2023, 12, 31), value=118_800,
    )  # fmt: skip
    return draft


@pytest.fixture
def publish(correction, django_capture_on_commit_callbacks):
    def publish():
        user = User.objects.create_user("stat", is_staff=True)
        user.groups.add(Group.objects.get(name=STATISTICIANS))
        with django_capture_on_commit_callbacks(execute=True):
            publish_release(release=correction, user=user)

    return publish


@pytest.fixture
def two_themes():
    """A published release of two values in two themes: its workbooks, unlike the demo
    release's, take no time to build, and what is kept does not depend on the size."""
    release = Release.objects.create(title="Zwei Themen")
    city = District.objects.get(level__slug="stadt")
    for slug, value in (("einwohner", 118_705), ("wohnungslose", 120)):
        Observation.objects.create(
            release=release, indicator=Indicator.objects.get(slug=slug), district=city,
            year=2023, reference_date=datetime.date(2023, 12, 31), value=value,
        )  # fmt: skip
    return publish_release(release=release)


def test_a_release_xlsx_is_built_once_however_its_url_is_spelt(client, two_themes, builds):
    url = f"/daten/{two_themes.pk}/werte.xlsx"
    first = client.get(url)
    for query in ("", "?theme=", "?lang=de", "?theme=&lang=de"):
        again = client.get(url + query)
        assert again.status_code == 200
        assert again.content == first.content
    assert builds["xlsx"] == 1


def test_a_release_xlsx_per_theme_is_a_file_of_its_own(client, two_themes, builds):
    theme = Indicator.objects.get(slug="einwohner").theme.slug
    whole = client.get(f"/daten/{two_themes.pk}/werte.xlsx")
    one = client.get(f"/daten/{two_themes.pk}/werte.xlsx?theme={theme}")
    again = client.get(f"/daten/{two_themes.pk}/werte.xlsx?theme={theme}")
    assert whole.status_code == one.status_code == 200
    assert one.content == again.content != whole.content
    assert builds["xlsx"] == 2


@pytest.mark.parametrize(
    "url",
    [
        "/daten/{release}/werte.xlsx?nocache=1",
        "/daten/{release}/werte.csv?dialect=de&x=1",
        "/daten/tabelle.csv?indicator=einwohner&level=stadt&year=2023&sort=code",
        "/daten/tabelle.xlsx?indicator=einwohner&level=stadt&year=2023&v=2",
        "/daten/gebiete.gpkg?year=2023&format=gpkg",
        "/daten/erreichbarkeit.csv?type=kita&distance=500&level=stadtbezirk&x=1",
        "/daten/?x=1",
        "/daten/dcat.jsonld?x=1",
    ],
)
def test_an_unknown_parameter_is_refused_with_a_400_that_names_it(client, demo, builds, url):
    response = client.get(url.format(release=demo.pk))
    assert response.status_code == 400
    error = response.json()["error"]
    parameter = url.rsplit("&", 1)[-1].rsplit("?", 1)[-1].split("=")[0]
    assert error["parameter"] == parameter
    assert f"„{parameter}“" in error["message"]
    assert builds == {"xlsx": 0, "csv": 0, "pdf": 0}


def test_the_pdf_is_built_once_per_state(client, builds, publish):
    first = client.get("/bezirk/2/steckbrief.pdf")
    again = client.get("/bezirk/2/steckbrief.pdf?year=2024")
    assert first.status_code == again.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert "steckbrief-" in again["Content-Disposition"]
    assert builds["pdf"] == 1
    publish()
    client.get("/bezirk/2/steckbrief.pdf")
    assert builds["pdf"] == 2


def test_an_unknown_parameter_of_the_pdf_is_refused(client, builds):
    response = client.get("/bezirk/2/steckbrief.pdf?random=1")
    assert response.status_code == 400
    assert "„random“" in response.content.decode()
    assert builds["pdf"] == 0


def city_population(response) -> str:
    assert response.status_code == 200, response.content[:300]
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    return next(row["wert"] for row in rows)


def test_after_a_publish_the_download_is_built_anew_with_the_new_value(client, publish, builds):
    url = "/daten/tabelle.csv?indicator=einwohner&level=stadt&year=2023"
    assert city_population(client.get(url)) == "118705"
    assert city_population(client.get(url)) == "118705"
    old = public_state()
    publish()
    assert city_population(client.get(url)) == "118800"
    assert builds["csv"] == 2
    assert not (download_root() / old).exists()


def test_a_request_that_finds_the_file_being_built_gets_a_503_with_retry_after(
    client, demo, settings
):
    settings.ATLAS_DOWNLOAD_WAIT_SECONDS = 0.2
    folder = download_root() / public_state() / "daten" / str(demo.pk) / "werte"
    folder.mkdir(parents=True)
    with open(folder / ".~.xlsx.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker is building it
        response = client.get(f"/daten/{demo.pk}/werte.xlsx")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "busy"


def test_requests_arriving_together_build_a_file_once(monkeypatch, settings, tmp_path):
    settings.ATLAS_DOWNLOAD_ROOT = str(tmp_path)
    monkeypatch.setattr(kept, "public_state", lambda: "a" * 16)
    monkeypatch.setattr(kept, "settle", lambda state, first: None)
    calls = []

    def build() -> bytes:
        calls.append(1)
        time.sleep(0.3)
        return b"built"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(kept.kept("x/y.xlsx", build)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"built"] * 4
    assert len(calls) == 1


def test_a_name_outside_the_download_root_is_refused():
    with pytest.raises(ValueError):
        kept.kept("../escape.xlsx", lambda: b"")


def test_the_index_and_catalogue_still_answer_without_parameters(client):
    assert client.get("/daten/").status_code == 200
    assert json.loads(client.get("/daten/dcat.jsonld").content)["@type"] == "dcat:Catalog"


# --- the download rate limit ---------------------------------------------------------------

TABLE = "/daten/tabelle.csv?indicator=einwohner&level=stadt&year=2023"


@pytest.fixture
def download_limit(settings, monkeypatch):
    from django.core.cache import cache

    from atlas import httpcache

    cache.clear()
    settings.ATLAS_DOWNLOAD_RATE_LIMIT = "3/minute"
    # All requests of a test in the middle of one window: slow builds must not let the
    # requests straddle a minute, which would count them in two windows.
    monkeypatch.setattr(httpcache.time, "time", lambda: 1_800_000_030.0)
    yield
    cache.clear()


def test_a_client_over_the_download_limit_gets_429_and_another_client_does_not(
    client, download_limit
):
    statuses = [client.get(TABLE, REMOTE_ADDR="192.0.2.1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(TABLE, REMOTE_ADDR="192.0.2.1")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["limit"] == "3/minute"
    assert client.get(TABLE, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_clients_behind_the_trusted_proxy_are_counted_apart(client, download_limit, settings):
    settings.ATLAS_TRUSTED_PROXIES = 1

    def get(visitor):
        return client.get(TABLE, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=visitor)

    assert [get("198.51.100.1").status_code for _ in range(4)][-1] == 429
    assert get("198.51.100.2").status_code == 200


def test_the_pdf_and_every_file_format_count_as_downloads(client, demo, download_limit):
    # The workbook of the smallest theme: the same view as the whole release's, built in a
    # fraction of its time.
    workbook = f"/daten/{demo.pk}/werte.xlsx?theme=wohnen-und-wohnungslosigkeit"
    for url in ("/bezirk/2/steckbrief.pdf", workbook, "/daten/gebiete.gpkg"):
        assert client.get(url).status_code == 200, url
    assert client.get("/daten/erreichbarkeit.csv").status_code == 429


def test_pages_the_catalogue_and_the_api_are_not_counted_as_downloads(client, download_limit):
    for _ in range(3):
        client.get(TABLE)
    assert client.get(TABLE).status_code == 429
    assert client.get("/daten/").status_code == 200
    assert client.get("/daten/dcat.jsonld").status_code == 200
    assert client.get("/bezirk/2/steckbrief/").status_code == 200
    assert client.get("/api/v1/levels").status_code == 200


def test_a_malformed_download_limit_names_its_setting():
    from django.core.exceptions import ImproperlyConfigured

    from atlas.httpcache import parse_rate

    with pytest.raises(ImproperlyConfigured, match="ATLAS_DOWNLOAD_RATE_LIMIT"):
        parse_rate("viele", "ATLAS_DOWNLOAD_RATE_LIMIT")
