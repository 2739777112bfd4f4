"""Open data follows a publish or a withdrawal at once: /daten/ lists the releases public on
the next request, and a withdrawn release's files answer 410 Gone, naming the release whose
values are public in its place."""

import pytest

from indicators.models import Indicator, Release
from indicators.services.releases import publish_release, withdraw_release

from ..factories import ObservationFactory
from .test_read_cache import release_with

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def demo():
    return Release.objects.get(title="Demodaten Bottrop (synthetisch)")


@pytest.fixture
def inhabitants_theme():
    return Indicator.objects.get(slug="einwohner").theme


def correction(title: str, value: float) -> Release:
    """A draft holding one number of inhabitants of district 11 in YEAR."""
    return release_with(value, publish=False, title=title)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Publish or withdraw with what follows the commit in production: the data files of the
    new state rendered, the old state's files and kept downloads removed."""

    def run(service, release: Release) -> Release:
        with django_capture_on_commit_callbacks(execute=True):
            return service(release=release)

    return run


def open_data(client) -> str:
    response = client.get("/daten/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_release_is_on_the_open_data_page_on_the_next_request(client, committed):
    release = correction("Korrektur Einwohner", 98765)
    assert "Korrektur Einwohner" not in open_data(client)
    committed(publish_release, release)
    page = open_data(client)
    assert "Korrektur Einwohner" in page
    assert f"/daten/{release.pk}/werte.xlsx" in page


def test_a_withdrawn_release_is_off_the_open_data_page_on_the_next_request(client, committed):
    release = committed(publish_release, correction("Korrektur Einwohner", 98765))
    assert "Korrektur Einwohner" in open_data(client)
    committed(withdraw_release, release)
    page = open_data(client)
    assert "Korrektur Einwohner" not in page
    assert f"/daten/{release.pk}/" not in page


def test_a_browser_revalidating_the_open_data_page_gets_the_new_list(client, committed):
    release = committed(publish_release, correction("Korrektur Einwohner", 98765))
    seen = client.get("/daten/")
    committed(withdraw_release, release)
    again = client.get("/daten/", headers={"If-None-Match": seen["ETag"]})
    assert again.status_code == 200
    assert "Korrektur Einwohner" not in again.content.decode()


@pytest.fixture
def withdrawn(client, committed):
    """A correction published, its file fetched once (and kept), then withdrawn."""
    release = committed(publish_release, correction("Korrektur Einwohner", 98765))
    assert client.get(f"/daten/{release.pk}/werte.csv").status_code == 200
    return committed(withdraw_release, release)


FILES = [
    ("werte.csv", ""),
    ("werte.csv", "?dialect=international"),
    ("werte.xlsx", ""),
    ("werte.csv", "?theme={theme}&dialect=de"),
    ("werte.xlsx", "?theme={theme}"),
]


@pytest.mark.parametrize(("name", "query"), FILES)
def test_every_file_of_a_withdrawn_release_is_gone_and_names_the_release_public_instead(
    client, withdrawn, demo, inhabitants_theme, name, query
):
    query = query.format(theme=inhabitants_theme.slug)
    response = client.get(f"/daten/{withdrawn.pk}/{name}{query}", headers={"Accept": BROWSER})
    html = response.content.decode()
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="de">' in html
    assert "Dieser Datenstand wurde zurückgezogen" in html
    assert "Korrektur Einwohner" in html
    assert demo.title in html
    assert f'href="/daten/{demo.pk}/{name}{query.replace("&", "&amp;")}"' in html
    assert 'href="/daten/"' in html
    assert 'class="site-header"' in html  # the atlas's frame, with the language switch
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("query", "headers"), [({"lang": "en"}, {}), ({}, {"Accept-Language": "en"})]
)
def test_the_gone_page_is_in_english_for_english_visitors(client, withdrawn, demo, query, headers):
    response = client.get(
        f"/daten/{withdrawn.pk}/werte.xlsx", query, headers={"Accept": BROWSER, **headers}
    )
    html = response.content.decode()
    assert response.status_code == 410
    assert '<html lang="en">' in html
    assert "This release has been withdrawn" in html
    assert "Its values now come from this release" in html
    assert demo.title in html
    assert f'href="/daten/{demo.pk}/werte.xlsx"' in html


def test_a_program_gets_the_gone_answer_as_json(client, withdrawn, demo):
    response = client.get(f"/daten/{withdrawn.pk}/werte.csv", headers={"Accept": "*/*"})
    assert response.status_code == 410
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "gone"
    assert "zurückgezogen" in error["message"]
    assert "withdrawn" in error["message"]
    assert demo.title in error["message"]
    assert [r["release"] for r in error["replaced_by"]] == [demo.pk]
    assert error["replaced_by"][0]["url"] == f"http://testserver/daten/{demo.pk}/werte.csv"
    assert "Accept" in response["Vary"]


def test_the_replacement_is_the_release_public_now_not_the_first_one(client, committed, demo):
    first = committed(publish_release, correction("Erste Korrektur", 98765))
    second = committed(publish_release, correction("Zweite Korrektur", 98766))
    committed(withdraw_release, second)
    response = client.get(f"/daten/{second.pk}/werte.csv", headers={"Accept": "*/*"})
    assert response.status_code == 410
    assert [r["release"] for r in response.json()["error"]["replaced_by"]] == [first.pk]


def test_a_withdrawn_release_whose_values_nobody_publishes_says_none_replaces_it(
    client, committed, make_indicator, make_district
):
    release = Release.objects.create(title="Nur hier")
    ObservationFactory(
        release=release, indicator=make_indicator("nur-hier"), district=make_district("Z"),
        value=12.5,
    )  # fmt: skip
    committed(withdraw_release, committed(publish_release, release))
    response = client.get(f"/daten/{release.pk}/werte.csv", headers={"Accept": BROWSER})
    assert response.status_code == 410
    assert "Kein anderer Datenstand ersetzt ihn" in response.content.decode()
    response = client.get(
        f"/daten/{release.pk}/werte.csv", {"lang": "en"}, headers={"Accept": BROWSER}
    )
    assert "No other release replaces it" in response.content.decode()


@pytest.mark.parametrize("name", ["werte.csv", "werte.xlsx"])
def test_a_release_number_that_never_existed_is_not_found(client, name):
    missing = (Release.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    assert client.get(f"/daten/{missing}/{name}").status_code == 404


@pytest.mark.parametrize("name", ["werte.csv", "werte.xlsx"])
def test_a_draft_is_not_found_and_its_page_does_not_say_it_exists(client, name):
    draft = correction("Geheimer Entwurf", 98765)
    for accept in (BROWSER, "*/*"):
        response = client.get(f"/daten/{draft.pk}/{name}", headers={"Accept": accept})
        assert response.status_code == 404
        assert "Geheimer Entwurf" not in response.content.decode()
        assert "Gone" not in response.content.decode()
