"""The language switch opens the same view in the other language, also after the view changed
on the page."""

import pytest

pytestmark = pytest.mark.browser


def test_the_language_switch_keeps_the_year_and_areas_chosen_on_the_page(atlas, page):
    page.goto(atlas.url + "/?indicator=kinderarmut")
    page.wait_for_selector("#map[data-drawn]")
    page.select_option("#year", "2019")
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2019')")
    page.locator("#values-table input[value='11']").check()
    page.locator(".language-switch a[hreflang=en]").click()
    page.wait_for_selector("#map[data-drawn]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#year").input_value() == "2019"
    assert page.locator("#values-table input[value='11']").is_checked()
    assert "Child poverty" in page.locator("#table-caption").inner_text()
    # And back: the German link of the English page keeps the view too.
    page.locator(".language-switch a[hreflang=de]").click()
    page.wait_for_selector("#map[data-drawn]")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#year").input_value() == "2019"
