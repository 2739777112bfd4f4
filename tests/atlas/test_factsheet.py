"""The Stadtbezirk fact sheet: page, PDF, bad input, disclosure control and English."""

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from atlas.factsheet import local_fetcher, static_path
from districts.models import District, Level, Overlap
from indicators.models import Indicator, Release
from indicators.presenters import shown, sparkline
from indicators.selectors import year_table
from indicators.services.downloads import licence
from indicators.units import rounded

from ..factories import DistrictFactory

pytestmark = pytest.mark.django_db


def page(client, code="2", **params):
    return client.get(f"/bezirk/{code}/steckbrief/", params)


def row_of(html: str, slug: str) -> str:
    match = re.search(rf'<tr class="factsheet-row" data-indicator="{slug}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def cells(row: str) -> list[str]:
    # Runs of ASCII white space only: a no-break space inside a value is part of it.
    texts = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"[ \t\n]+", " ", text).strip(" ") for text in texts]


def test_the_fact_sheet_names_the_bezirk_and_the_year(client):
    response = page(client, year=2023)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Steckbrief Stadtbezirk Süd 2023</h1>" in html
    assert "Demodaten" in html


def test_without_a_year_the_fact_sheet_shows_the_latest_published_one(client):
    html = page(client).content.decode()
    assert "<h1>Steckbrief Stadtbezirk Süd 2024</h1>" in html


def test_every_configured_key_indicator_gets_a_row(client, settings):
    html = page(client, year=2023).content.decode()
    expected = Indicator.objects.filter(slug__in=settings.ATLAS_FACTSHEET_INDICATORS).count()
    assert 8 <= expected == len(settings.ATLAS_FACTSHEET_INDICATORS)
    assert html.count('class="factsheet-row"') == expected


def test_unknown_indicator_slugs_in_the_setting_are_left_out(client, settings):
    settings.ATLAS_FACTSHEET_INDICATORS = ["kinderarmut", "gibt-es-nicht", "einwohner"]
    html = page(client, year=2023).content.decode()
    assert re.findall(r'data-indicator="([^"]+)"', html) == ["einwohner", "kinderarmut"]


def test_the_values_are_the_read_paths_in_german_format(client):
    indicator = Indicator.objects.get(slug="kinderarmut")
    table = year_table(indicator=indicator, year=2023)
    own = next(a for a in table.of_level("stadtbezirk") if a.code == "2")
    value = ("≈\xa0" if own.approximate else "") + shown(own.cell.value, indicator.decimals)
    city = shown(table.city.cell.value, indicator.decimals)
    assert "," in value and "," in city

    row = cells(row_of(page(client, year=2023).content.decode(), "kinderarmut"))
    assert row[:2] == [value, city]


def test_the_comparison_follows_the_read_path_and_the_polarity(client):
    indicator = Indicator.objects.get(slug="kinderarmut")
    own = next(
        a
        for a in year_table(indicator=indicator, year=2023).of_level("stadtbezirk")
        if a.code == "3"
    )
    assert not own.approximate
    assert (own.comparison, own.verdict) == ("below", "better")
    row = row_of(page(client, code="3", year=2023).content.decode(), "kinderarmut")
    assert "signifikant niedriger als die Stadt" in row and "(besser)" in row


def test_an_estimate_across_levels_that_do_not_nest_gets_no_comparison(client):
    indicator = Indicator.objects.get(slug="kinderarmut")
    own = next(
        a
        for a in year_table(indicator=indicator, year=2023).of_level("stadtbezirk")
        if a.code == "2"
    )
    assert own.approximate
    assert (own.interval, own.comparison, own.verdict) == (None, None, None)
    row = row_of(page(client, year=2023).content.decode(), "kinderarmut")
    assert "signifikant" not in row


def test_the_trend_compares_with_five_years_earlier_and_draws_a_sparkline(client):
    indicator = Indicator.objects.get(slug="sgb-ii-quote")
    values = {}
    for year in (2018, 2023):
        own = year_table(indicator=indicator, year=year).of_level("stadtbezirk")
        values[year] = next(a for a in own if a.code == "2").cell.value
    # The change of the two values as shown: 16,4 − 17,8 = −1,4 (unrounded −1.48…).
    change = rounded(values[2023], 1) - rounded(values[2018], 1)
    row = row_of(page(client, year=2023).content.decode(), "sgb-ii-quote")
    trend = cells(row)[4]
    assert trend.startswith(("+" if change > 0 else "−") + shown(abs(change), 1) + "\xa0Pp.")
    assert "seit 2018" in trend
    assert row.count("<polyline") == 2  # the Bezirk and the city


@pytest.fixture
def withheld_bezirk(settings, make_indicator, make_observation, release):
    """A Stadtbezirk whose value of a test indicator has 2 cases in 2024 (40 in 2019)."""
    release.status, release.published_at = Release.Status.PUBLISHED, timezone.now()
    release.save()
    bezirk = DistrictFactory(
        level=Level.objects.get(slug="stadtbezirk"), code="9", name="Testbezirk"
    )
    indicator = make_indicator("kleine-fallzahl", name_de="Kleine Fallzahl", is_proportion=True)
    make_observation(indicator, bezirk, 2019, value=4.0, numerator=40, denominator=1000)
    make_observation(indicator, bezirk, 2024, value=200 / 1234, numerator=2, denominator=1234)
    settings.ATLAS_FACTSHEET_INDICATORS = [indicator.slug]
    return bezirk


def test_a_withheld_value_is_shown_as_a_dot_and_no_number_gives_it_away(client, withheld_bezirk):
    html = page(client, code="9", year=2024).content.decode()
    value, _, difference, verdict, trend = cells(row_of(html, "kleine-fallzahl"))[:5]
    assert (value, difference) == (".", "–")
    assert verdict == "„.“ gesperrt (Geheimhaltung)"
    assert trend.startswith(". ")  # the change would reveal it
    assert not re.search(r"(?<!\d)0,(16|2(?!\d))", html)


def test_the_fact_sheet_lists_the_statistical_districts_and_which_are_partly_inside(client):
    html = page(client, year=2023).content.decode()
    parts = re.search(r'<table class="values-table parts-table">(.*?)</table>', html, re.S)[1]
    rows = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", parts, re.S)[1:]]
    by_code = {r[0]: r for r in rows}
    assert by_code["52"][2:] == ["100 %", "ganz im Stadtbezirk"]  # Welheim
    assert by_code["11"][3] == "zum Teil – angenähert nach Flächenanteil"  # shared with Mitte
    assert "71" not in by_code  # Kirchhellen-Mitte


def test_the_fact_sheet_names_the_weights_its_approximate_values_were_rolled_up_with(client):
    # The demo overlaps know no population shares: every partial district counts by area.
    html = page(client, year=2023).content.decode()
    assert "zählt der Anteil seiner Fläche, der darin liegt" in html
    assert "Bevölkerungsanteile liegen nicht vor" in html
    assert "wo bekannt" not in html and "der darin wohnt" not in html


def test_population_shares_where_known_are_named_as_such(client):
    süd = District.objects.get(level__slug="stadtbezirk", code="2")
    partial = Overlap.objects.filter(target=süd, area_share__lt=0.995)
    altstadt = partial.get(source__code="11")
    altstadt.population_share = 0.4
    altstadt.save()
    html = page(client, year=2023).content.decode()
    assert "der darin wohnt, wo er bekannt ist, sonst der Anteil seiner Fläche" in html
    assert "zum Teil – angenähert nach Bevölkerungsanteil" in html
    assert "zum Teil – angenähert nach Flächenanteil" in html
    partial.update(population_share=0.5)
    html = page(client, year=2023).content.decode()
    assert "zählt der Anteil seiner Bevölkerung, der darin wohnt." in html
    assert "Flächenanteil" not in html


def test_the_fact_sheet_marks_provisional_values_where_they_are_shown(client):
    html = page(client, year=2024).content.decode()
    value, city = cells(row_of(html, "sgb-ii-quote"))[:2]
    mark = '<abbr class="status-mark" title="vorläufiger Wert">p</abbr>'
    assert value.endswith(mark) and city.endswith(mark)
    assert "„p“ vorläufiger Wert" in html
    assert "<abbr" not in row_of(page(client, year=2023).content.decode(), "sgb-ii-quote")


def test_the_fact_sheet_says_a_statistic_is_collected_every_other_year(client):
    html = page(client, year=2024).content.decode()
    assert cells(row_of(html, "pflegequote"))[3] == "Wird nur alle zwei Jahre erhoben"


def test_the_reading_help_says_approximate_values_have_no_interval(client):
    html = page(client, year=2023).content.decode()
    assert "Angenäherte Werte („≈“) haben kein Konfidenzintervall" in html


def test_the_fact_sheet_names_source_and_release(client):
    html = page(client, year=2023).content.decode()
    assert "Quelle: Demodaten (synthetisch, nicht amtlich)</li>" in html
    assert "Datenstand: Demodaten Bottrop (synthetisch), veröffentlicht am" in html


def test_the_licence_is_the_one_the_downloads_state_not_the_sources(client, settings):
    settings.ATLAS_DATA_LICENSE = "dl-de/by-2-0"
    html = page(client, year=2024).content.decode()
    data = licence()
    assert f'<a href="{data.url}" rel="license">{data.name}</a> ({data.identifier})' in html
    assert {i.licence for i in Indicator.objects.all()} == {"CC0-1.0"}
    assert "CC0" not in html


def test_the_fact_sheet_links_to_the_bezirk_map_and_the_pdf_and_runs_no_script(client):
    html = page(client, year=2023).content.decode()
    assert 'href="/bezirk/2/?year=2023"' in html
    assert 'href="/bezirk/2/steckbrief.pdf?year=2023"' in html
    article = html[html.index("<article") : html.index("</article>")]
    assert "<script" not in article and "onclick" not in article


def test_an_unknown_bezirk_is_404(client):
    assert page(client, code="99").status_code == 404
    assert client.get("/bezirk/99/steckbrief.pdf").status_code == 404


@pytest.mark.parametrize("year", ["zwanzig", "1999", "2024-01"])
def test_a_bad_year_is_a_400_that_names_the_parameter(client, year):
    pdf = client.get("/bezirk/2/steckbrief.pdf", {"year": year})
    for response in (page(client, year=year), pdf):
        assert response.status_code == 400
        assert "„year“" in response.content.decode()


def test_the_pdf_is_an_a4_attachment_with_the_bezirk_and_its_indicators(client):
    response = client.get("/bezirk/2/steckbrief.pdf", {"year": 2023})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="steckbrief-sued-2023.pdf"'
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Steckbrief Stadtbezirk Süd 2023" in text
    assert "Kinderarmut" in text and "SGB-II-Quote" in text


def test_the_pdf_reads_static_files_from_disk_and_nothing_from_the_network():
    assert static_path("http://testserver/static/atlas/css/print.css").name == "print.css"
    assert static_path("http://testserver/static/../atlas/settings.py") is None
    assert static_path("http://example.org/style.css") is None
    fetcher = local_fetcher("http://testserver/")
    assert b"@page" in fetcher("http://testserver/static/atlas/css/print.css").read()
    with pytest.raises(ValueError):
        fetcher("https://example.org/static/atlas/css/print.css")
    with pytest.raises(ValueError):
        fetcher("file:///etc/passwd")


def test_the_fact_sheet_speaks_english_when_asked(client):
    client.cookies["django_language"] = "en"
    html = page(client, code="3", year=2023).content.decode()
    assert '<html lang="en">' in html
    assert "Child poverty" in html and "Kinderarmut" not in html
    assert "significantly lower than the city" in html and "(better)" in html
    assert "Demo data" in html


def test_the_sparkline_leaves_out_years_without_a_value_and_shares_one_scale():
    line = sparkline([1.0, None, 3.0], [2.0, 2.0, 2.0], width=100, height=28)
    assert line.line == "3.0,25.0 97.0,3.0"
    assert line.city_line == "3.0,14.0 50.0,14.0 97.0,14.0"
    assert line.dot == ("97.0", "3.0")
    assert sparkline([None, None], []) is None


def test_a_value_not_yet_available_gives_way_to_the_latest_year_with_one(client):
    # Grundsicherung im Alter 2024 is "..." in every statistical district, so in Mitte too.
    indicator = Indicator.objects.get(slug="grundsicherung-im-alter")
    table = year_table(indicator=indicator, year=2023)
    own = next(a for a in table.of_level("stadtbezirk") if a.code == "1")
    html = page(client, code="1", year=2024).content.decode()
    value, city, _, comparison = cells(row_of(html, "grundsicherung-im-alter"))[:4]
    shown_own = ("≈\xa0" if own.approximate else "") + shown(own.cell.value, 1)
    assert value == f'{shown_own} <span class="row-year">(2023)</span>'
    assert city == shown(table.city.cell.value, 1)
    assert "Unvollständig" not in comparison


@pytest.mark.parametrize("slug", ["grundsicherung-im-alter", "pflegequote"])
def test_a_row_without_a_value_in_the_sheets_year_shows_its_latest_year_marked(client, slug):
    html = page(client, year=2024).content.decode()
    value, city = cells(row_of(html, slug))[:2]
    assert value.endswith('<span class="row-year">(2023)</span>')
    assert value.split()[-2] not in ("...", "–") and city not in ("...", "–")
    assert "„(2023)“ nach einem Wert: Für 2024 liegt noch kein Wert vor" in html


def test_rows_with_a_value_in_the_sheets_year_carry_no_year_mark(client):
    html = page(client, year=2024).content.decode()
    for slug in ("einwohner", "sgb-ii-quote", "wohnungslose-je-1000"):
        assert "row-year" not in row_of(html, slug)
    assert "row-year" not in page(client, year=2023).content.decode()


def test_a_sheet_whose_year_is_partly_provisional_says_so_with_a_footnote(client):
    html = page(client, year=2024).content.decode()
    assert '2024 zum Teil vorläufig (p)<a href="#note-provisional" class="note-ref">*</a>' in html
    assert re.search(r'<li id="note-provisional">„p“ vorläufiger Wert: Die Quelle', html)
    final = page(client, year=2023).content.decode()
    assert "vorläufig" not in final


def test_the_map_draws_each_statistical_district_of_the_bezirk_once_with_alt_text(client):
    süd = District.objects.get(level__slug="stadtbezirk", code="2")
    codes = sorted(
        Overlap.objects.filter(target=süd, source__level__slug="statistischer-bezirk").values_list(
            "source__code", flat=True
        )
    )
    html = page(client, year=2024).content.decode()
    svg = re.search(r'<svg class="factsheet-map".*?</svg>', html, re.S)[0]
    assert re.findall(r'<path class="map-part" data-code="([^"]+)" d="M', svg) == codes
    assert len(codes) >= 8
    assert re.search(r"<title>Karte des Stadtbezirks Süd mit seinen \d+ statistischen", svg)
    assert "<script" not in svg and "<image" not in svg


def test_the_age_pyramid_is_drawn_with_its_numbers_in_the_alt_text(client):
    html = page(client, year=2024).content.decode()
    svg = re.search(r'<svg class="factsheet-pyramid".*?</svg>', html, re.S)[0]
    title = re.search(r"<title>(.*?)</title>", svg, re.S)[1]
    assert title.startswith("Altersaufbau Süd 2024: Anteile an der Bevölkerung")
    assert re.search(r"0–9: Männer \d+,\d %, Frauen \d+,\d % \(Stadt \d+,\d %", title)
    assert svg.count('fill="#00558c"') == 10 and svg.count('fill="#9cc3e0"') == 10
