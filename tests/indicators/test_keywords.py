"""Search words per indicator: the words people type (Senioren, Hartz IV, …), kept in the
catalogue and edited in the admin; the map's search finds an indicator by them."""

import json

import pytest

from core.models import PendingChange
from indicators.models import Indicator
from indicators.services.catalogue import import_catalogue
from tests.core.test_four_eyes import decide, indicator_form, signed_in

pytestmark = pytest.mark.django_db

SLUG = "anteil-65-plus"


def edit_keywords(client, **keywords):
    indicator = Indicator.objects.get(slug=SLUG)
    url = f"/admin/indicators/indicator/{indicator.pk}/change/"
    return client.post(url, indicator_form(indicator, **keywords))


def test_the_demo_catalogue_knows_the_words_people_use_for_the_65_plus_share():
    indicator = Indicator.objects.get(slug=SLUG)
    assert {"Senioren", "Ältere", "über 65", "Rentner"} <= set(indicator.keywords_de.split(", "))
    assert {"seniors", "elderly", "over 65"} <= set(indicator.keywords_en.split(", "))


def test_every_indicator_of_the_demo_catalogue_has_search_words():
    assert not Indicator.objects.filter(keywords_de="").exists()
    assert not Indicator.objects.filter(keywords_en="").exists()


def test_the_catalogue_import_carries_the_search_words(tmp_path):
    item = {
        "slug": "test-suchwoerter", "theme": "bevoelkerung", "name_de": "Test",
        "name_en": "Test", "short_name_de": "Test", "short_name_en": "Test",
        "definition_de": "Test", "kind": "count", "source": "Test",
        "keywords_de": "Armut, Hartz IV", "keywords_en": "poverty",
    }  # fmt: skip
    path = tmp_path / "katalog.json"
    path.write_text(json.dumps({"indicators": [item]}), encoding="utf-8")
    import_catalogue(path=path)
    indicator = Indicator.objects.get(slug="test-suchwoerter")
    assert (indicator.keywords_de, indicator.keywords_en) == ("Armut, Hartz IV", "poverty")


def test_the_admin_saves_the_search_words():
    anna = signed_in("anna")
    response = edit_keywords(anna, keywords_de="Senioren, Lebensabend", keywords_en="seniors")
    assert response.status_code == 302
    indicator = Indicator.objects.get(slug=SLUG)
    assert (indicator.keywords_de, indicator.keywords_en) == ("Senioren, Lebensabend", "seniors")


def test_the_admin_form_shows_the_search_words_under_their_own_heading(admin_client):
    indicator = Indicator.objects.get(slug=SLUG)
    html = admin_client.get(f"/admin/indicators/indicator/{indicator.pk}/change/").content
    html = html.decode()
    assert "Suche" in html and 'name="keywords_de"' in html and 'name="keywords_en"' in html
    assert "über 65" in html


def test_under_four_eyes_new_search_words_wait_for_the_second_person(settings):
    settings.ATLAS_FOUR_EYES = True
    anna, ben = signed_in("anna"), signed_in("ben")
    edit_keywords(anna, keywords_de="Lebensabend")
    assert "Lebensabend" not in Indicator.objects.get(slug=SLUG).keywords_de
    change = PendingChange.objects.get()
    assert "Suchwörter (deutsch)" in change.summary
    decide(ben, change, approve="1")
    assert Indicator.objects.get(slug=SLUG).keywords_de == "Lebensabend"
