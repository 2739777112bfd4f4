import re

import pytest
from django.db import models

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
    assert '"locale": "en-GB"' in html


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
