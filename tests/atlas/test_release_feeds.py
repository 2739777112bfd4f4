"""The Atom feeds of releases: /daten/releases.atom and one per theme."""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from django.utils import timezone

from indicators.models import Release, Theme

from ..factories import ObservationFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def feed(client, path="/daten/releases.atom") -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(root: ET.Element) -> list[dict]:
    found = []
    for entry in root.findall("a:entry", ATOM):
        links = entry.findall("a:link", ATOM)
        found.append(
            {
                "title": entry.findtext("a:title", namespaces=ATOM),
                "summary": entry.findtext("a:summary", namespaces=ATOM),
                "updated": entry.findtext("a:updated", namespaces=ATOM),
                "id": entry.findtext("a:id", namespaces=ATOM),
                "files": [link.get("href") for link in links if link.get("rel") == "related"],
            }
        )
    return found


@pytest.fixture
def withdrawn(make_district, make_indicator):
    """A release published on 1 March and withdrawn on 2 March: values of two areas, 2021."""
    published = timezone.make_aware(datetime.datetime(2030, 3, 1, 10))
    release = ReleaseFactory(
        title="Korrektur Pflege",
        status=Release.Status.WITHDRAWN,
        published_at=published,
        withdrawn_at=published + datetime.timedelta(days=1),
    )
    indicator = make_indicator("zurueck-test", name_de="Zurückgezogener Indikator")
    for code in ("A", "B"):
        ObservationFactory(release=release, indicator=indicator, district=make_district(code),
                           year=2021, value=10)  # fmt: skip
    return release


def test_the_feed_has_an_entry_per_published_release_with_its_changes_and_files(client):
    demo = Release.objects.get(title="Demodaten Bottrop (synthetisch)")
    [entry] = [e for e in entries(feed(client)) if f"(Nr. {demo.pk})" in e["title"]]
    assert entry["title"].endswith("veröffentlicht")
    assert entry["updated"].startswith(demo.published_at.date().isoformat())
    assert "Indikatoren: Einwohnerinnen und Einwohner" in entry["summary"]
    assert "Jahre 2012–2024" in entry["summary"]
    assert "17 Statistische Bezirke" in entry["summary"] and "1 Stadt" in entry["summary"]
    assert "Demodaten" in entry["summary"]
    assert len(entry["files"]) == 3
    # Each link is the release's own download; the smallest, one theme's CSV, is fetched (all
    # three built in full would take the suite 20 s; tests/atlas/test_downloads.py builds them).
    for url in entry["files"]:
        parts = urlsplit(url)
        assert resolve(parts.path).kwargs["release_id"] == demo.pk, url
    parts = urlsplit(entry["files"][0])
    theme = Theme.objects.order_by("order").first().slug
    small = client.get(f"{parts.path}?{parts.query}&theme={theme}")
    assert small.status_code == 200 and small["Content-Type"].startswith("text/csv")


def test_a_withdrawn_release_has_a_publication_and_a_withdrawal_entry_without_files(
    client, withdrawn
):
    found = [e for e in entries(feed(client)) if "Korrektur Pflege" in e["title"]]
    assert [e["title"].rsplit(" ", 1)[1] for e in found] == ["zurückgezogen", "veröffentlicht"]
    withdrawal, publication = found
    assert withdrawal["updated"].startswith("2030-03-02")
    assert withdrawal["summary"].startswith("Zurückgezogen: Seine Werte sind nicht mehr öffentlich")
    assert (
        "1 Indikator: Zurückgezogener Indikator; Jahre 2021; Gebiete: 2 " in withdrawal["summary"]
    )
    assert withdrawal["id"] != publication["id"]
    assert withdrawal["files"] == publication["files"] == []


def test_a_draft_is_in_no_feed(client, make_district, make_indicator):
    draft = ReleaseFactory(title="Entwurf, nicht öffentlich")
    ObservationFactory(
        release=draft, indicator=make_indicator("entwurf"), district=make_district("A"), value=1
    )
    assert not [e for e in entries(feed(client)) if "Entwurf" in e["title"]]


def test_a_themes_feed_holds_the_releases_with_values_of_the_theme_and_links_its_files(
    client, withdrawn
):
    theme = withdrawn.observations.first().indicator.theme
    root = feed(client, f"/daten/{theme.slug}/releases.atom")
    assert theme.name_de in root.findtext("a:title", namespaces=ATOM)
    titles = [e["title"] for e in entries(root)]
    assert titles and all("Korrektur Pflege" in t for t in titles)
    other = Theme.objects.get(slug="pflege")
    files = [f for e in entries(feed(client, "/daten/pflege/releases.atom")) for f in e["files"]]
    assert files and all(f"theme={other.slug}" in f for f in files)


def test_the_feed_names_the_licence(client):
    root = feed(client)
    links = root.findall("a:link", ATOM)
    assert [link.get("href") for link in links if link.get("rel") == "license"] == [
        "https://www.govdata.de/dl-de/by-2-0"
    ]
    assert "Stadt Bottrop" in root.findtext("a:rights", namespaces=ATOM)


def test_an_unknown_theme_or_parameter_is_refused(client):
    assert client.get("/daten/gibt-es-nicht/releases.atom").status_code == 404
    assert client.get("/daten/releases.atom", {"theme": "pflege"}).status_code == 400


def test_the_open_data_page_announces_the_feeds(client):
    page = client.get("/daten/").content.decode()
    assert 'type="application/atom+xml" href="/daten/releases.atom"' in page
    assert 'href="/daten/pflege/releases.atom"' in page


def test_the_english_feed_speaks_english(client):
    client.cookies["django_language"] = "en"
    root = feed(client)
    entry = entries(root)[0]
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert entry["title"].startswith("Release “") and entry["title"].endswith("published")
    assert "indicators: Inhabitants" in entry["summary"]
