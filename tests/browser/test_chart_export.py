"""Charts people take to a meeting: a first choice of areas offered where a chart needs some,
an image that says what it shows, and axes true to what is drawn."""

import struct

import pytest

pytestmark = pytest.mark.browser

# Records what the chart's layout says at the moment the image is made.
RECORD_IMAGE = """() => {
  const made = window.Plotly.downloadImage;
  window.Plotly.downloadImage = (gd, options) => {
    window.savedImage = {
      title: gd.layout.title.text,
      notes: (gd.layout.annotations || []).map((a) => a.text),
      height: options.height,
    };
    return made(gd, options);
  };
}"""


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    return page


def test_an_empty_time_series_offers_to_tick_the_bezirk_s_areas(atlas, page):
    open_map(page, atlas.url + "/bezirk/3/?indicator=anteil-65-plus&chart=series")
    page.wait_for_selector("#chart-pick:not([hidden])")  # once the chart has looked
    assert "mindestens ein Gebiet" in page.locator("#chart-status").inner_text()
    offer = page.locator("#chart-pick")
    assert offer.inner_text() == "Die 4 Gebiete von Kirchhellen ankreuzen"
    offer.click()
    page.wait_for_function("document.querySelector('#chart').dataset.series === '5'")
    ticked = page.locator("#values-table tbody.areas input:checked")
    assert sorted(ticked.evaluate_all("boxes => boxes.map((b) => b.value)")) == [
        "71",
        "72",
        "73",
        "74",
    ]
    assert "sel=" in page.url
    assert not offer.is_visible()


def test_the_city_view_offers_its_three_highest_areas_for_a_comparison(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2024&chart=compare")
    page.wait_for_selector("#chart-pick:not([hidden])")
    offer = page.locator("#chart-pick")
    assert offer.inner_text() == "Die 3 Gebiete mit den höchsten Werten ankreuzen"
    values = page.locator("#values-table tbody.areas tr").evaluate_all(
        """rows => rows.map((r) => [r.dataset.code,
             parseFloat(r.children[3].textContent.replace('.', '').replace(',', '.'))])"""
    )
    highest = sorted((v for v in values if v[1] == v[1]), key=lambda v: -v[1])[:3]
    offer.click()
    page.wait_for_selector("#chart-table table")
    ticked = page.locator("#values-table tbody.areas input:checked")
    assert sorted(ticked.evaluate_all("boxes => boxes.map((b) => b.value)")) == sorted(
        code for code, _ in highest
    )


def test_a_saved_chart_names_its_indicator_areas_source_release_and_date(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023&sel=11,12&chart=series")
    page.wait_for_selector("#chart[data-series]")
    page.evaluate(RECORD_IMAGE)
    with page.expect_download() as download:
        page.click("#chart-png")
    saved = page.evaluate("window.savedImage")
    assert "Kinderarmut" in saved["title"] and "(%)" in saved["title"]
    notes = "\n".join(saved["notes"])
    assert "Gebiete: Altstadt, Innenstadt-Nordost" in notes
    assert "Quelle: Demodaten" in notes
    assert "Datenstand: Veröffentlichung vom " in notes
    assert "Erstellt am " in notes and "Demografie- und Sozialatlas Bottrop" in notes
    with open(download.value.path(), "rb") as image:
        head = image.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert (width, height) == (1000, saved["height"])
    # The page's chart is as before: its title stands above it as text.
    assert page.evaluate("document.querySelector('#chart').layout.title.text") == ""


def test_a_time_series_on_a_change_map_shows_levels_in_the_indicator_s_unit(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2024&from=2018&sel=11&chart=series")
    page.wait_for_selector("#chart[data-series]")
    assert "Prozentpunkte" in page.locator("#legend").inner_text()
    axis = page.evaluate("document.querySelector('#chart').layout.yaxis.title.text")
    assert axis == "%"
