"""The profile page's script messages come from Django's JavaScript catalogue, as the map's."""

import json
import re
from pathlib import Path

import pytest
from django.utils import translation

from atlas.jscatalog import version
from tests.atlas.test_jscatalog import catalogue_src, english_script_messages

pytestmark = pytest.mark.django_db

PROFILE_JS = Path(__file__).resolve().parents[2] / "static" / "atlas" / "js" / "profile.js"
PROFILE = "/gebiet/statistischer-bezirk/11/"


def test_the_profile_loads_the_catalogue_of_its_language_before_its_script(client):
    html = client.get(PROFILE).content.decode()
    assert catalogue_src(html) == f"/i18n/de/{version('de')}.js"
    assert html.index(catalogue_src(html)) < html.index('type="module"')
    english = client.get(PROFILE, {"lang": "en"}).content.decode()
    assert catalogue_src(english) == f"/i18n/en/{version('en')}.js"


def test_the_profile_carries_no_message_catalogue_of_its_own(client):
    with translation.override("de"):
        html = client.get(PROFILE).content.decode()
    start = html.index(">", html.index('id="profile-config"')) + 1
    config = json.loads(html[start : html.index("</script>", start)])
    assert "text" not in config and "locale" not in config
    assert "Werte der Zeitreihe" not in html


def test_every_message_of_the_profile_script_has_an_english_translation():
    messages = re.findall(
        r'gettext\(\s*"((?:[^"\\]|\\.)*)"', PROFILE_JS.read_text(encoding="utf-8")
    )
    english = english_script_messages()
    assert len(messages) >= 12
    assert [m for m in messages if not english.get(m)] == []
