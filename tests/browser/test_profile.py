import pytest

pytestmark = pytest.mark.browser


def test_the_profile_draws_the_population_pyramid_beside_its_table(atlas, page):
    page.goto(atlas.url + "/gebiet/statistischer-bezirk/71/?year=2023")
    page.wait_for_selector("#pyramid-chart.js-plotly-plot")
    traces = page.evaluate(
        "document.getElementById('pyramid-chart').data.map((t) => [t.type, t.x.length])"
    )
    # Men and women as bars, the city's men and women as outlines, ten age groups each.
    assert traces == [["bar", 10], ["bar", 10], ["scatter", 10], ["scatter", 10]]
    assert page.locator("#pyramid-chart .trace.bars .point").count() == 20
    assert page.locator(".pyramid-table tbody tr").count() == 10
    assert page.evaluate("document.getElementById('pyramid-chart')._fullLayout.separators") == ",."


def test_the_english_profile_names_its_chart_in_english(atlas, page):
    page.goto(atlas.url + "/gebiet/statistischer-bezirk/71/?year=2023&lang=en")
    page.wait_for_selector("#pyramid-chart.js-plotly-plot")
    names = page.evaluate("document.getElementById('pyramid-chart').data.map((t) => t.name)")
    assert names == ["Men", "Women", "City, men", "City, women"]
    assert page.evaluate("document.getElementById('pyramid-chart')._fullLayout.separators") == ".,"
