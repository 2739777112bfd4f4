import json
import re

import pytest
from django.db import models

from indicators.models import CLASS_COUNTS, MAX_CLASSES, MIN_CLASSES, Indicator

pytestmark = pytest.mark.django_db


def test_the_start_page_says_the_data_is_demo_data(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Demodaten" in page.content.decode()


def test_the_start_page_offers_every_district_indicator_grouped_by_theme(client):
    html = client.get("/").content.decode()
    assert html.count("<optgroup") >= 6
    assert 'value="einwohner"' in html
    assert 'value="wohnungslose"' not in html  # city level only: nothing to map


def search_text(html: str, slug: str) -> str:
    """What the map's indicator search compares for the option of ``slug``."""
    return re.search(rf'<option value="{slug}" data-search="([^"]*)"', html).group(1)


def test_the_map_s_search_knows_an_indicator_s_words_in_the_page_s_language(client):
    german = search_text(client.get("/").content.decode(), "anteil-65-plus")
    english = search_text(client.get("/", {"lang": "en"}).content.decode(), "anteil-65-plus")
    assert "Senioren" in german and "über 65" in german and "seniors" not in german
    assert "seniors" in english and "over 65" in english and "Senioren" not in english


def test_the_page_state_comes_from_the_url(client):
    html = client.get("/", {"indicator": "einwohner", "year": "2015"}).content.decode()
    assert re.search(r'<option value="einwohner" [^>]*selected>', html)
    assert '"year": "2015"' in html


def test_an_unknown_indicator_falls_back_to_the_default(client):
    payload = "<script>alert(1)</script>"
    page = client.get("/", {"indicator": payload, "year": payload})
    assert page.status_code == 200
    html = page.content.decode()
    assert payload not in html
    assert re.search(r'<option value="kinderarmut" [^>]*selected>', html)


def test_no_asset_is_loaded_from_another_site(client):
    html = client.get("/").content.decode()
    for attribute in ('src="http', 'src="//', 'href="http', 'href="//'):
        assert attribute not in html


def test_the_page_speaks_english_when_asked(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Demography and Social Atlas Bottrop" in html
    assert "95 % confidence interval" in html
    # The scripts' texts, their number format included, come from the English catalogue.
    assert '<script src="/i18n/en/' in html


def test_a_district_profile_lists_every_indicator_by_theme_beside_the_city(client):
    html = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2023}).content.decode()
    assert "<h1>Altstadt" in html
    assert html.count("<section") >= 8
    assert "Kinderarmut (SGB-II-Quote unter 15 Jahren)" in html
    assert "54,3" in html and "20,3" in html  # Altstadt and city, in German format
    assert "signifikant höher als die Stadt" in html and "(schlechter)" in html


def test_an_unknown_district_profile_is_404(client):
    assert client.get("/gebiet/statistischer-bezirk/99/").status_code == 404


def test_a_profile_row_draws_the_district_s_trend_against_the_city(client):
    html = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2016}).content.decode()
    row = re.search(r"indicator=kinderarmut&amp;.*?</tr>", html, re.S).group(0)
    own = re.search(r'class="spark-own" points="([^"]+)"', row).group(1)
    city = re.search(r'class="spark-city" points="([^"]+)"', row).group(1)
    # One point per year from the first published year to the chosen one, city alongside.
    assert len(own.split()) == len(city.split()) == 2016 - 2012 + 1
    # Altstadt's child poverty is far above the city's: its line lies higher (smaller y).
    ys = lambda points: [float(p.split(",")[1]) for p in points.split()]  # noqa: E731
    assert max(ys(own)) < min(ys(city))


def test_the_language_can_be_chosen_in_the_url_and_is_remembered(client):
    html = client.get("/", {"lang": "en", "year": "2020"}).content.decode()
    assert "Demography and Social Atlas Bottrop" in html
    # The switch back to German is a link to the same view.
    assert '<a href="/?year=2020&amp;lang=de" lang="de" hreflang="de"' in html
    assert "Demography and Social Atlas" in client.get("/").content.decode()
    assert "Demografie- und Sozialatlas" in client.get("/", {"lang": "de"}).content.decode()
    assert "Demografie- und Sozialatlas" in client.get("/", {"lang": "xx"}).content.decode()


def test_a_profile_lists_the_facilities_open_in_its_year(client):
    from districts.models import District
    from facilities.models import Facility

    batenbrock = District.objects.get(level__slug="statistischer-bezirk", code="41")
    inside = Facility.objects.filter(location__within=batenbrock.boundary)
    html = client.get("/gebiet/statistischer-bezirk/41/", {"year": 2023}).content.decode()
    section = html[html.index('id="facilities-heading"') :]
    assert "Stadtteilbüro Batenbrock" in section
    assert (
        section.count('<th scope="row">')
        == inside.filter(
            models.Q(opened_on__isnull=True) | models.Q(opened_on__lte="2023-12-31"),
            models.Q(closed_on__isnull=True) | models.Q(closed_on__gt="2023-12-31"),
        ).count()
    )
    # Opened in September 2019: not yet there at the end of 2018.
    earlier = client.get("/gebiet/statistischer-bezirk/41/", {"year": 2018}).content.decode()
    assert "Stadtteilbüro Batenbrock" not in earlier[earlier.index('id="facilities-heading"') :]


def map_config(response) -> dict:
    html = response.content.decode()
    start = html.index(">", html.index('id="atlas-config"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def profile_row(html: str, slug: str) -> str:
    return re.search(rf"indicator={slug}&amp;.*?</tr>", html, re.S).group(0)


def test_the_map_opens_on_the_latest_year_with_values_of_the_indicator(client):
    # Grundsicherung im Alter 2024 is delivered as "..." (not yet available) everywhere.
    response = client.get("/", {"indicator": "grundsicherung-im-alter"})
    assert map_config(response)["year"] == "2023"
    assert 'id="year-note"' not in response.content.decode()
    assert map_config(client.get("/", {"indicator": "sozialindex-status"}))["year"] == "2023"
    assert map_config(client.get("/", {"indicator": "einwohner"}))["year"] == "2024"


def test_the_map_says_why_it_shows_another_year_than_the_one_asked_for(client):
    response = client.get("/", {"indicator": "grundsicherung-im-alter", "year": "2024"})
    assert map_config(response)["year"] == "2023"
    assert "Für 2024 liegen noch keine Werte vor, gezeigt wird 2023." in response.content.decode()


def test_the_map_says_a_statistic_is_collected_every_other_year(client):
    response = client.get("/", {"indicator": "pflegequote", "year": "2024"})
    assert map_config(response)["year"] == "2023"
    html = response.content.decode()
    assert "Pflegequote wird nur alle zwei Jahre erhoben: für 2024 gibt es keinen Wert" in html


def test_the_map_explains_the_marks_of_provisional_values(client):
    messages = map_config(client.get("/"))
    assert messages["marks"]["provisional"] == {"symbol": "p", "label": "vorläufiger Wert"}
    assert "kein Index" in messages["reasons"]["core_incomplete"]


def test_a_profile_marks_provisional_values(client):
    html = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2024}).content.decode()
    row = profile_row(html, "sgb-ii-quote")
    # Altstadt's and the city's SGB-II-Quote 2024 are both provisional.
    assert row.count('<abbr class="status-mark" title="vorläufiger Wert">p</abbr>') == 2
    assert "<abbr" not in profile_row(html, "arbeitslosenanteil")
    assert "„p“ vorläufiger Wert" in html


def test_a_profile_says_a_statistic_is_collected_every_other_year(client):
    html = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2024}).content.decode()
    assert "Wird nur alle zwei Jahre erhoben" in profile_row(html, "pflegequote")
    odd = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2023}).content.decode()
    assert "zwei Jahre" not in profile_row(odd, "pflegequote")


def test_a_profile_gives_the_symbol_and_the_reason_of_a_missing_social_index(client):
    html = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2024}).content.decode()
    row = profile_row(html, "sozialindex-status")
    assert '<td class="num">...' in row
    assert "Kein Index: nicht für jeden Kernindikator ist ein Wert veröffentlicht" in row


def test_a_profile_of_an_approximate_value_says_it_has_no_interval(client):
    html = client.get("/gebiet/stadtbezirk/1/", {"year": 2023}).content.decode()
    assert "≈ 46,1" in profile_row(html, "durchschnittsalter")
    assert "„≈“ angenähert" in html and "ohne Konfidenzintervall" in html


def test_the_map_offers_and_hands_its_script_the_class_counts_of_the_model(client):
    html = client.get("/").content.decode()
    select = html[
        html.index('<select id="classes"') : html.index("</select>", html.index('id="classes"'))
    ]
    assert re.findall(r'<option value="(\d+)"', select) == [str(k) for k in CLASS_COUNTS]
    assert map_config(client.get("/"))["classCounts"] == list(CLASS_COUNTS)


@pytest.mark.parametrize("asked", [str(MIN_CLASSES - 1), str(MAX_CLASSES + 1), "fünf"])
def test_a_class_count_the_map_does_not_offer_opens_the_indicator_s_own(client, asked):
    config = map_config(client.get("/", {"indicator": "kinderarmut", "classes": asked}))
    assert config["classes"] == Indicator.objects.get(slug="kinderarmut").classification_classes


def test_the_table_downloads_are_links_without_a_script(client):
    html = client.get("/bezirk/2/", {"indicator": "kinderarmut", "year": 2023}).content.decode()
    downloads = html[
        html.index('id="table-downloads"') : html.index("</p>", html.index('id="table-downloads"'))
    ]
    hrefs = re.findall(r'<a href="([^"]+)"[^>]* download>', downloads)
    assert hrefs == [
        "/daten/tabelle.csv?indicator=kinderarmut&amp;level=statistischer-bezirk&amp;year=2023"
        "&amp;within=2&amp;dialect=de",
        "/daten/tabelle.csv?indicator=kinderarmut&amp;level=statistischer-bezirk&amp;year=2023"
        "&amp;within=2&amp;dialect=international",
        "/daten/tabelle.xlsx?indicator=kinderarmut&amp;level=statistischer-bezirk&amp;year=2023"
        "&amp;within=2",
    ]
    # No download link without a target anywhere on the page; no empty heading shown.
    assert not re.search(r"<a(?![^>]*href=)[^>]*\bdownload\b", html)
    assert '<h3 id="chart-title" class="chart-title" hidden></h3>' in html
    response = client.get(hrefs[0].replace("&amp;", "&"))
    assert response.status_code == 200


def test_english_dates_cannot_be_read_as_another_day(client):
    html = client.get("/", {"lang": "en", "indicator": "kinderarmut"}).content.decode()
    updated = re.search(r"<dt>Last updated</dt><dd>([^<]+)</dd>", html).group(1)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", updated), updated
    german = client.get("/", {"lang": "de", "indicator": "kinderarmut"}).content.decode()
    assert re.search(r"<dt>Zuletzt aktualisiert</dt><dd>\d{2}\.\d{2}\.\d{4}</dd>", german)


def test_the_stadtbezirk_links_keep_the_indicator_and_year(client):
    html = client.get("/", {"indicator": "einwohner", "year": 2020}).content.decode()
    switch = html[
        html.index('class="bezirk-switch"') : html.index(
            "</nav>", html.index('class="bezirk-switch"')
        )
    ]
    assert (
        'href="/bezirk/2/?indicator=einwohner&amp;year=2020&amp;method=quantiles&amp;classes=5"'
        in switch
    )
    assert 'href="/?indicator=einwohner&amp;year=2020&amp;method=quantiles&amp;classes=5"' in switch


def test_a_profile_leads_back_to_the_map_it_came_from_and_to_its_fact_sheet(client):
    html = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2020, "indicator": "einwohner"})
    html = html.content.decode()
    assert '<a href="/?indicator=einwohner&amp;year=2020">← zur Karte</a>' in html
    assert 'name="indicator" value="einwohner"' in html  # the year form keeps it
    assert "steckbrief" not in html.split("</h1>")[0]
    bezirk = client.get("/gebiet/stadtbezirk/2/", {"year": 2020}).content.decode()
    head = bezirk.split("</h1>")[0]
    assert '<a href="/?year=2020&amp;level=stadtbezirk">← zur Karte</a>' in head
    assert '<a href="/bezirk/2/steckbrief/?year=2020">Steckbrief (Druck/PDF)</a>' in head
    unknown = client.get("/gebiet/statistischer-bezirk/11/", {"year": 2020, "indicator": "<x>"})
    assert '<a href="/?year=2020">' in unknown.content.decode()


def test_the_charts_say_before_they_are_empty_that_they_need_ticks(client):
    assert "die in der Tabelle angekreuzt sind (bis zu sechs)" in client.get("/").content.decode()
    english = client.get("/", {"lang": "en"}).content.decode()
    assert "Time series and comparison show the areas ticked in the table" in english
