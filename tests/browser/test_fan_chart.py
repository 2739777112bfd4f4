"""The projection's fan in the time series: the map's chart and a profile continue a projected
indicator after the last observed year with a dashed median and bands, and their tables give
the median and the intervals of the projected years, marked as such."""

import pytest

from projections.selectors import published_run

pytestmark = pytest.mark.browser

# The traces as drawn: dash, what the projection part is, the years.
TRACES = """(id) => document.getElementById(id).data.map((t) => ({
  dash: t.line && t.line.dash, part: t.meta && t.meta.projection, x: t.x, name: t.name,
}))"""


def medians(traces) -> list[dict]:
    return [t for t in traces if t["part"] == "median"]


def test_the_map_s_time_series_continues_as_a_dashed_fan_with_marked_table_rows(atlas, page):
    base = published_run().base_year
    page.goto(atlas.url + "/?indicator=kinder-unter-3&sel=42&chart=series")
    page.wait_for_selector("#chart[data-projection].js-plotly-plot")
    traces = page.evaluate(TRACES, "chart")
    (median,) = medians(traces)
    assert median["dash"] == "dash"
    # From the last observed year on, then only projected years.
    assert median["x"][0] == base and median["x"][1] == base + 1
    assert [t["part"] for t in traces].count("band") == 3
    observed = next(t for t in traces if t["name"] == "Batenbrock-Süd")
    assert max(observed["x"]) == base
    rows = page.locator("#chart-table tr.projected")
    assert rows.count() == len(published_run().result.axes["years"])
    first = rows.first.inner_text()
    assert f"{base + 1} (Vorausberechnung)" in first and "80\u00a0%:" in first
    note = page.locator("#chart-table .projection-note")
    assert "Demodaten" in note.inner_text()
    assert note.locator("a").get_attribute("href") == "/vorausberechnung/methode/"
    assert "Vorausberechnung" in page.locator("#chart").get_attribute("aria-label")


def test_a_small_district_s_fan_says_the_projection_is_rough(atlas, page):
    page.goto(atlas.url + "/?indicator=kinder-unter-3&sel=73&chart=series")
    page.wait_for_selector("#chart[data-projection].js-plotly-plot")
    assert "grobe Vorausberechnung" in page.locator("#chart-table .projection-note").inner_text()


def test_the_profile_s_time_series_of_a_projected_count_draws_the_fan(atlas, page):
    base = published_run().base_year
    page.goto(atlas.url + "/gebiet/statistischer-bezirk/42/")
    page.click("button[aria-controls='series-kinder-unter-3']")
    page.wait_for_selector("#series-kinder-unter-3 .js-plotly-plot")
    chart_id = page.evaluate(
        "() => { const c = document.querySelector('#series-kinder-unter-3 .js-plotly-plot');"
        " c.id = 'fan'; return c.id; }"
    )
    (median,) = medians(page.evaluate(TRACES, chart_id))
    assert median["dash"] == "dash" and median["x"][1] == base + 1
    projected = page.locator("#series-kinder-unter-3 tr.projected")
    assert projected.count() == len(published_run().result.axes["years"])
    assert "95\u00a0%:" in projected.last.inner_text()


def test_an_indicator_without_projection_draws_no_fan(atlas, page):
    page.goto(atlas.url + "/gebiet/statistischer-bezirk/42/")
    page.click("button[aria-controls='series-kinderarmut']")
    page.wait_for_selector("#series-kinderarmut .js-plotly-plot")
    assert page.locator("#series-kinderarmut tr.projected").count() == 0
    assert page.locator("#series-kinderarmut .projection-note").count() == 0
