import datetime

import pytest

pytestmark = pytest.mark.django_db


def test_the_statement_names_the_standard_and_the_state_of_conformity(client):
    html = client.get("/barrierefreiheit/").content.decode()
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in html
    assert "WCAG" in html and "EN 301 549" in html
    assert "teilweise barrierefrei" in html


def test_the_statement_gives_the_configured_contact_and_enforcement_body(client, settings):
    settings.ATLAS_ACCESSIBILITY_CONTACT_EMAIL = "barrieren@stadt.example"
    settings.ATLAS_ACCESSIBILITY_ENFORCEMENT_NAME = "Schlichtungsstelle Beispielland"
    settings.ATLAS_ACCESSIBILITY_ENFORCEMENT_URL = "https://schlichtung.example/"
    html = client.get("/barrierefreiheit/").content.decode()
    assert 'href="mailto:barrieren@stadt.example"' in html
    assert '<a href="https://schlichtung.example/">Schlichtungsstelle Beispielland</a>' in html


def test_the_statement_is_dated_in_the_language_of_the_page(client, settings):
    settings.ATLAS_ACCESSIBILITY_REVIEWED = datetime.date(2026, 3, 5)
    assert "am 5. März 2026 erstellt" in client.get("/barrierefreiheit/").content.decode()


def test_every_page_links_to_the_statement(client):
    for url in ("/", "/gebiet/statistischer-bezirk/11/", "/barrierefreiheit/"):
        assert 'href="/barrierefreiheit/"' in client.get(url).content.decode(), url


def test_the_statement_lists_the_tagged_pdf_fact_sheet(client):
    html = client.get("/barrierefreiheit/").content.decode()
    assert '<h2 id="steckbrief-pdf">Steckbriefe der Stadtbezirke als PDF</h2>' in html
    assert "getaggtes PDF nach PDF/UA-1" in html
