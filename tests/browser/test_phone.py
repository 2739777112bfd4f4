"""The map page on a phone: the map first, the controls behind a button, a table that says it
scrolls, and a tap that shows a value instead of leaving the page."""

import re

import pytest

from tests.browser.test_accessibility import axe_violations, described

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
MAP = "/?indicator=kinderarmut&year=2023"
SETTLED = "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_function(SETTLED)
    return page


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def tap_the_middle_of_the_map(page):
    # Once the page's own requests are done: a synthetic touch in the first moments after the
    # drawing can miss the areas.
    page.wait_for_load_state("networkidle")
    map_box = box(page, "#map")
    page.touchscreen.tap(map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 2)
    page.locator(".leaflet-popup").wait_for()
    # Faded in: half-way its text would be measured against the map behind it.
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    return page.locator(".leaflet-popup")


def test_on_a_phone_the_map_fills_most_of_the_first_screen(atlas, phone):
    open_map(phone, atlas.url + MAP)
    map_box = box(phone, "#map")
    shown = min(map_box["y"] + map_box["height"], PHONE["height"]) - max(map_box["y"], 0)
    assert shown >= 0.6 * PHONE["height"], map_box


def test_on_a_phone_the_map_leaves_the_table_heading_uncovered(atlas, phone):
    open_map(phone, atlas.url + MAP)
    map_box, heading = box(phone, "#map"), box(phone, "#table-title")
    assert heading["y"] >= map_box["y"] + map_box["height"]


def test_on_a_phone_the_controls_open_behind_a_button(atlas, phone):
    open_map(phone, atlas.url + MAP)
    toggle = phone.locator("#controls-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator("#indicator").is_visible()
    # The button is on the first screen, right under the map and the demo mark.
    button = box(phone, "#controls-toggle")
    assert button["y"] + button["height"] <= PHONE["height"], button
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.locator("#indicator").is_visible() and phone.locator("#year").is_visible()
    assert box(phone, "#year")["y"] < box(phone, "#legend")["y"]


def test_on_a_phone_a_projected_year_s_banner_leaves_the_map_uncovered(atlas, phone):
    open_map(phone, atlas.url + "/?indicator=kinder-unter-3&year=2030")
    map_box, banner = box(phone, "#map"), box(phone, "#projection-banner")
    assert banner["y"] >= map_box["y"] + map_box["height"], (map_box, banner)
    assert "Demodaten" in phone.locator("#projection-banner").inner_text()
    # The banner's demo mark stands for the page's, and the controls' button stays in sight.
    assert not phone.locator(".demo-badge").is_visible()
    button = box(phone, "#controls-toggle")
    assert button["y"] + button["height"] <= PHONE["height"], button


def test_a_wide_screen_shows_the_controls_without_the_button(atlas, page):
    open_map(page, atlas.url + MAP)
    assert not page.locator("#controls-toggle").is_visible()
    assert page.locator("#indicator").is_visible()
    assert box(page, ".panel")["x"] < box(page, "#map")["x"]  # the controls beside the map


def test_on_a_phone_the_table_says_it_scrolls_sideways(atlas, phone):
    open_map(phone, atlas.url + MAP)
    assert phone.locator(".scroll-cue").is_visible()
    assert phone.locator(".table-frame").get_attribute("data-more-right") is not None


def test_on_a_phone_the_names_stay_in_sight_while_the_table_scrolls(atlas, phone):
    open_map(phone, atlas.url + MAP)
    scroller = phone.locator(".table-frame .table-scroll")
    left = scroller.bounding_box()["x"]
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    phone.wait_for_function("document.querySelector('.table-frame').hasAttribute('data-more-left')")
    name = phone.locator("#values-table tbody.areas td.name").first.bounding_box()
    assert abs(name["x"] - left) < 1, (name, left)
    assert phone.locator(".table-frame").get_attribute("data-more-right") is None


def test_on_a_phone_no_heading_of_the_table_is_cut_off(atlas, phone):
    open_map(phone, atlas.url + MAP)
    cut = phone.locator("#values-table thead th").evaluate_all(
        "cells => cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent)"
    )
    assert cut == []


def test_a_tap_on_an_area_shows_its_value_and_a_link_to_its_profile(atlas, phone):
    open_map(phone, atlas.url + MAP)
    popup = tap_the_middle_of_the_map(phone)
    assert phone.url.endswith(MAP)  # still the map
    assert re.search(r"\d+,\d %", popup.inner_text())
    link = popup.get_by_role("link", name="Profil öffnen")
    assert "/gebiet/statistischer-bezirk/" in link.get_attribute("href")
    link.click()
    phone.wait_for_url(re.compile(r"/gebiet/statistischer-bezirk/"))


def test_a_tapped_value_carries_its_marks_as_the_tooltip_does(atlas, phone):
    open_map(phone, atlas.url + "/?indicator=sgb-ii-quote&year=2024")
    text = tap_the_middle_of_the_map(phone).inner_text()
    assert re.search(r"\d+,\d p", text) and "vorläufiger Wert" in text, text


def test_the_popup_of_a_tap_passes_axe_in_english(atlas, browser, settings):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": atlas.url}])
    page = open_map(context.new_page(), atlas.url + MAP)
    popup = tap_the_middle_of_the_map(page)
    assert popup.get_by_role("link", name="Open profile").is_visible()
    assert popup.get_by_role("button", name="Close").is_visible()
    violations = axe_violations(page)
    context.close()
    assert violations == [], described(violations)


def test_a_mouse_click_on_a_wide_screen_opens_the_profile(atlas, page):
    open_map(page, atlas.url + MAP)
    page.wait_for_load_state("networkidle")
    page.locator("#map").click()  # the middle of the map
    page.wait_for_url(re.compile(r"/gebiet/statistischer-bezirk/"))


# One finger scrolls the page past the map on a phone; two fingers move the map.


def touch_drag(page, fingers: int, dy: float, steps: int = 8) -> None:
    """Fingers put down side by side in the middle of the map and moved ``dy`` pixels, as
    a touch screen reports them."""
    cdp = page.context.new_cdp_session(page)
    middle = box(page, "#map")
    x0, y0 = middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2
    points = lambda dy_now: [  # noqa: E731
        {"x": x0 + 40 * i, "y": y0 + dy_now, "id": i} for i in range(fingers)
    ]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for step in range(1, steps + 1):
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": points(dy * step / steps)},
        )
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(400)


FIRST_LABEL_TOP = """() => {
  const label = document.querySelector(".area-label:not(.neighbour-label)");
  const box = label && label.getBoundingClientRect();
  return box && box.height ? { top: box.top } : null;
}"""


def label_top(page) -> float:
    """Where the first area's name drawn on the map stands on the screen: it moves with the
    map, and with the page."""
    # Read where it is drawn in one step: the names are placed again when the map stops
    # moving, and a name found first may be gone when asked where it is.
    return page.wait_for_function(FIRST_LABEL_TOP).json_value()["top"]


def page_scroll(page) -> float:
    return page.evaluate("window.scrollY")


def test_on_a_phone_one_finger_on_the_map_scrolls_the_page_and_says_to_use_two(atlas, phone):
    open_map(phone, atlas.url + MAP)
    phone.wait_for_load_state("networkidle")
    scrolled, on_screen = page_scroll(phone), label_top(phone)
    touch_drag(phone, fingers=1, dy=-200)
    assert page_scroll(phone) > scrolled + 100  # the page moved up under the finger
    assert label_top(phone) == pytest.approx(on_screen - (page_scroll(phone) - scrolled), abs=2)
    hint = phone.locator("#map-gesture-hint")
    assert hint.is_visible() and hint.inner_text() == "Zum Verschieben zwei Finger verwenden"
    hint.wait_for(state="hidden", timeout=5000)


def test_on_a_phone_two_fingers_move_the_map_not_the_page(atlas, phone):
    open_map(phone, atlas.url + MAP)
    phone.wait_for_load_state("networkidle")
    scrolled, on_screen = page_scroll(phone), label_top(phone)
    touch_drag(phone, fingers=2, dy=-120)
    assert page_scroll(phone) == scrolled
    assert label_top(phone) < on_screen - 60  # the map moved up with the fingers
    assert not phone.locator("#map-gesture-hint").is_visible()


def test_the_hint_speaks_english_on_the_english_page(atlas, phone):
    open_map(phone, atlas.url + MAP + "&lang=en")
    assert phone.locator("#map-gesture-hint").inner_text() == "Use two fingers to move the map"


def test_a_wide_screen_still_drags_the_map_with_the_mouse(atlas, page):
    open_map(page, atlas.url + MAP)
    page.wait_for_load_state("networkidle")
    on_screen = label_top(page)
    middle = box(page, "#map")
    x, y = middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - 100, steps=8)
    page.mouse.up()
    assert label_top(page) < on_screen - 60
    assert page.locator("#map").get_attribute("data-pan") == "one-finger"
