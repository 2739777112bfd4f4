"""The map page opens on a projected year where the published projection has it, with its
scenario; elsewhere the year falls back to an observed one as before."""

import json
import re

import pytest
from django.http import QueryDict
from django.utils import translation

from atlas.forms import MapQuery

pytestmark = pytest.mark.django_db


def state(query: str):
    return MapQuery(QueryDict(query)).state()


def page_config(client, query: str) -> dict:
    # The page's language stays the page's: the next test reads German again.
    with translation.override("de"):
        html = client.get(f"/?{query}").content.decode()
    found = re.search(r'<script id="atlas-config" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_a_projected_year_opens_as_asked_with_its_scenario():
    shown = state("indicator=kinder-unter-3&year=2030&scenario=zuwanderung-hoch")
    assert (shown.year, shown.year_note, shown.scenario) == ("2030", "", "zuwanderung-hoch")
    assert 2030 in shown.projected_years


def test_a_projected_year_of_an_indicator_without_projection_falls_back_with_a_note():
    shown = state("indicator=kinderarmut&year=2030")
    assert shown.year == "2024"
    assert "2030" in shown.year_note
    assert shown.projected_years == []


def test_an_unknown_scenario_opens_the_trend():
    assert state("indicator=kinder-unter-3&year=2030&scenario=utopie").scenario == "trend"


def test_a_map_pinned_to_a_release_has_no_projected_year():
    shown = state("indicator=kinder-unter-3&year=2030&release=1")
    assert shown.projected_years == []
    assert shown.year == "2024"


def test_the_page_hands_the_script_the_projected_years_and_the_scenarios_names(client):
    config = page_config(client, "indicator=kinder-unter-3&year=2030&lang=en")
    assert config["year"] == "2030"
    assert config["projectedYears"][0] == 2025
    assert config["areasYear"] == "2024"
    assert {"slug": "zuwanderung-hoch", "label": "High migration"} in config["scenarios"]
    assert config["methodUrl"] == "/vorausberechnung/methode/"
