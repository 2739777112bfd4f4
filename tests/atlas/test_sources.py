"""Every page names the sources of its numbers in the page's language (Indicator.source_en)."""

import re

import pytest

from indicators.models import Indicator

pytestmark = pytest.mark.django_db

GERMAN = "Demodaten (synthetisch, nicht amtlich)"
ENGLISH = "Demo data (synthetic, not official)"
PROFILE = "/gebiet/statistischer-bezirk/11/"


def html(client, url: str, language: str) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def map_source(page: str) -> str:
    """What the map's "about this indicator" box gives as the source."""
    return re.search(r"<dt>(?:Quelle|Source)</dt><dd[^>]*>([^<]*)</dd>", page).group(1)


def profile_sources(page: str) -> list[str]:
    section = re.search(r'<h2 id="sources">.*?</ul>', page, re.S).group(0)
    return re.findall(r"<li>([^<]*)</li>", section)


def test_the_english_map_names_the_source_in_english(client):
    assert map_source(html(client, "/", "en")) == ENGLISH


def test_the_german_map_names_the_source_in_german(client):
    assert map_source(html(client, "/", "de")) == GERMAN


def test_the_english_profile_lists_its_sources_in_english(client):
    assert profile_sources(html(client, PROFILE, "en")) == [
        "Computed from demo data (synthetic, not official)",
        ENGLISH,
        f"{ENGLISH}; target group from the atlas",
    ]


def test_the_german_profile_lists_its_sources_in_german(client):
    assert profile_sources(html(client, PROFILE, "de")) == [
        "Berechnet aus Demodaten (synthetisch, nicht amtlich)",
        GERMAN,
        f"{GERMAN}; Zielgruppe aus dem Atlas",
    ]


def test_the_english_fact_sheet_names_its_sources_in_english(client):
    page = html(client, "/bezirk/2/steckbrief/", "en")
    assert f"Source: {ENGLISH}</li>" in page
    assert GERMAN not in page


def test_a_source_without_an_english_text_stays_german_on_the_english_page(client):
    Indicator.objects.filter(slug="kinderarmut").update(source="Jobcenter Bottrop", source_en="")
    assert map_source(html(client, "/?indicator=kinderarmut", "en")) == "Jobcenter Bottrop"
