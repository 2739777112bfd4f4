"""The map in a projected year: listed after the observed years, hatched, labelled with its
year and scenario, its scenario chosen in the URL, and the way to the method page shown."""

import re

import pytest

pytestmark = pytest.mark.browser

TITLE = "Vorausberechnung 2030 (Szenario Trend)"
# The colours of a block of canvas pixels in the middle of the map (inside Kirchhellen-Süd/
# Grafenwald, away from its lines): one in a plain class colour, more under a hatching.
CENTRE_COLOURS = """() => {
  const canvas = document.querySelector("#map .leaflet-overlay-pane canvas");
  const box = canvas.getBoundingClientRect();
  const x = Math.round(box.width / 2), y = Math.round(box.height / 2);
  const pixels = canvas.getContext("2d").getImageData(x - 6, y - 6, 12, 12).data;
  const seen = new Set();
  for (let i = 0; i < pixels.length; i += 4) seen.add(pixels.slice(i, i + 3).join(","));
  return [...seen];
}"""


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_timeout(300)  # the canvas draws in the next animation frame
    return page


def wait_for_legend(page, text: str):
    page.locator("#legend").filter(has_text=text).wait_for()
    page.wait_for_timeout(300)


def test_a_projected_year_is_hatched_and_says_what_it_is(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinder-unter-3&year=2024")
    plain = page.evaluate(CENTRE_COLOURS)
    projected = page.locator("#year optgroup[label='Vorausberechnung'] option")
    assert projected.count() == 16
    assert projected.first.inner_text() == "2025"
    assert page.locator("#projection-banner").is_hidden()

    page.select_option("#year", "2030")
    wait_for_legend(page, TITLE)
    hatched = page.evaluate(CENTRE_COLOURS)
    assert len(plain) == 1
    assert len(hatched) >= 2
    assert page.locator("#legend .swatch-projected").count() >= 3
    banner = page.locator("#projection-banner")
    assert TITLE in banner.inner_text() and "Demodaten" in banner.inner_text()
    assert banner.locator("a").get_attribute("href") == "/vorausberechnung/methode/"
    assert TITLE in page.locator("#table-caption").inner_text()
    assert page.locator("#interval-head").inner_text() == "80-%-Intervall der Vorausberechnung"
    interval = page.locator("#values-table tbody.areas td:nth-child(6)").first.inner_text()
    assert re.fullmatch(r"\d+ – \d+", interval)
    # A change map runs between observed years only.
    assert page.locator("#from").is_disabled()
    assert page.locator("#from-note").is_visible()


def test_the_scenario_is_chosen_beside_the_year_and_kept_in_the_url(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinder-unter-3&year=2030")
    wait_for_legend(page, TITLE)
    options = page.locator("#scenario option").all_inner_texts()
    assert options[:3] == ["Trend", "Zuwanderung niedrig", "Zuwanderung hoch"]
    trend = page.locator("#values-table tbody.areas td:nth-child(4)").all_inner_texts()
    page.select_option("#scenario", "zuwanderung-hoch")
    wait_for_legend(page, "Szenario Zuwanderung hoch")
    assert "scenario=zuwanderung-hoch" in page.url
    high = page.locator("#values-table tbody.areas td:nth-child(4)").all_inner_texts()
    assert high != trend
    page.reload()
    page.wait_for_selector("#map[data-drawn]")
    wait_for_legend(page, "Vorausberechnung 2030 (Szenario Zuwanderung hoch)")


def test_an_indicator_the_projection_does_not_continue_lists_observed_years_only(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut")
    assert page.locator("#year optgroup").count() == 0
    assert page.locator("#scenario").count() == 0


def test_in_english_the_projection_is_called_so(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinder-unter-3&year=2030&lang=en")
    wait_for_legend(page, "Projection 2030 (scenario Trend)")
    assert "Demo data" in page.locator("#projection-banner").inner_text()
    assert page.locator("#year optgroup[label='Projection']").count() == 1


def test_play_in_the_projection_steps_through_the_projected_years_only(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinder-unter-3&year=2039")
    wait_for_legend(page, "Vorausberechnung 2039")
    page.click("#play")
    wait_for_legend(page, "Vorausberechnung 2040")
    page.locator("#play[aria-pressed='false']").wait_for()
    assert "year=2040" in page.url
    # From the last projected year it starts again at the first projected one, not at 2012.
    page.click("#play")
    wait_for_legend(page, "Vorausberechnung 2025")
    page.click("#play")
    assert "year=2025" in page.url
