"""In a Stadtbezirk's view its own row (the Bezirk total) can be chosen for the charts, so a
chart compares the Bezirk with its areas (and, as every such chart does, with the city)."""

import pytest

pytestmark = pytest.mark.browser

BEZIRK = "/bezirk/3/?indicator=kinderarmut&year=2023"
CHOICE = "#values-table tbody.reference input.select-area"


def open_bezirk(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_selector("#values-table tbody.areas tr")
    return page


def bezirk_name(page) -> str:
    return page.locator("#values-table tbody.reference tr").first.locator("th").inner_text()


def first_area(page) -> tuple[str, str]:
    row = page.locator("#values-table tbody.areas tr").first
    return row.get_attribute("data-code"), row.locator("td.name").inner_text()


def test_the_bezirk_row_has_a_choice_box_named_after_it_and_the_city_row_none(atlas, page):
    open_bezirk(page, atlas.url + BEZIRK)
    name = bezirk_name(page)
    assert page.locator(CHOICE).count() == 1
    assert page.locator(CHOICE).get_attribute("aria-label") == f"{name} auswählen"
    city = page.locator("#values-table tbody.reference tr", has_text="Stadt").last
    assert city.locator("input").count() == 0


def test_a_time_series_compares_the_bezirk_with_an_area_and_the_city(atlas, page):
    open_bezirk(page, atlas.url + BEZIRK + "&chart=series")
    name = bezirk_name(page)
    code, area = first_area(page)
    page.check(CHOICE)
    page.check(f"#values-table tbody.areas input[value='{code}']")
    page.wait_for_selector("#chart[data-series='3']")
    head = page.locator("#chart-table thead th").all_inner_texts()
    assert head[1:] == [name, area, "Stadt"]
    years = page.locator("#chart-table tbody tr")
    assert years.count() >= 10
    bezirk_column = [row.locator("td").first.inner_text() for row in years.all()]
    assert all(value not in ("", "–") for value in bezirk_column)
    assert "sel=stadtbezirk%3A3" in page.url


def test_the_comparison_takes_the_bezirk_as_one_of_its_two(atlas, page):
    open_bezirk(page, atlas.url + BEZIRK + "&chart=compare")
    name = bezirk_name(page)
    code, area = first_area(page)
    page.check(CHOICE)
    page.check(f"#values-table tbody.areas input[value='{code}']")
    page.wait_for_selector("#chart-table table")
    assert page.locator("#chart-table thead th").all_inner_texts()[1:] == [name, area, "Stadt"]


def test_a_chosen_bezirk_stays_chosen_after_a_reload(atlas, page):
    open_bezirk(page, atlas.url + BEZIRK + "&sel=stadtbezirk:3&chart=series")
    assert page.locator(CHOICE).is_checked()
    page.wait_for_selector("#chart[data-series='2']")  # the Bezirk and the city
