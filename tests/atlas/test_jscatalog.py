"""The map page's script messages: Django's JavaScript catalogue, German first, English second,
one address per language and translation, so a cache can keep each for good."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from atlas.jscatalog import version

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEXT_JS = ROOT / "static" / "atlas" / "js" / "map" / "text.js"
PO_FILE = ROOT / "locale" / "en" / "LC_MESSAGES" / "djangojs.po"


def catalogue_src(html: str) -> str:
    return re.search(r'<script src="(/i18n/[^"]+\.js)"></script>', html).group(1)


def test_the_german_map_loads_the_german_catalogue_before_its_modules(client):
    html = client.get("/").content.decode()
    src = catalogue_src(html)
    assert src == f"/i18n/de/{version('de')}.js"
    assert html.index(src) < html.index('type="module"')


def test_the_english_map_loads_the_english_catalogue(client):
    html = client.get("/", {"lang": "en"}).content.decode()
    assert catalogue_src(html) == f"/i18n/en/{version('en')}.js"


def test_the_languages_have_catalogues_under_different_addresses():
    assert version("de") != version("en")


def test_the_english_catalogue_translates_the_map_s_messages(client):
    body = client.get(f"/i18n/en/{version('en')}.js").content.decode()
    assert '"Karte wird geladen \\u2026": "Loading map \\u2026"' in body
    assert '"de-DE": "en-GB"' in body


def test_the_german_catalogue_keeps_the_german_source_texts(client):
    body = client.get(f"/i18n/de/{version('de')}.js").content.decode()
    assert "en-GB" not in body and "django.gettext" in body


def test_a_current_catalogue_is_kept_for_a_year(client):
    response = client.get(f"/i18n/en/{version('en')}.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_earlier_catalogue_address_gets_today_s_texts_kept_briefly(client):
    response = client.get("/i18n/en/000000000000.js")
    assert response.status_code == 200 and "en-GB" in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_language_the_atlas_does_not_speak_has_no_catalogue(client):
    assert client.get(f"/i18n/fr/{version('fr')}.js").status_code == 404


def test_the_catalogue_cannot_be_posted_to(client):
    assert client.post(f"/i18n/de/{version('de')}.js").status_code == 405


def english_script_messages() -> dict[str, str]:
    """msgid → msgstr of locale/en/LC_MESSAGES/djangojs.po."""
    entries = {}
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            msgid, msgstr = ("".join(re.findall(r'"(.*)"', part)) for part in match.groups())
            entries[msgid.replace('\\"', '"')] = msgstr
    return entries


def test_every_message_of_the_map_s_scripts_has_an_english_translation():
    messages = re.findall(r'gettext\(\s*"((?:[^"\\]|\\.)*)"', TEXT_JS.read_text(encoding="utf-8"))
    english = english_script_messages()
    assert len(messages) > 40
    assert [m for m in messages if not english.get(m)] == []


def test_the_map_page_carries_no_message_catalogue_of_its_own(client):
    with translation.override("de"):
        html = client.get("/").content.decode()
    assert 'id="atlas-i18n"' not in html
    assert "Karte wird geladen" not in html
