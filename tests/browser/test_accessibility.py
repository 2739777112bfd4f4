"""WCAG 2.1 AA checks with axe-core on every kind of page, in German and English, wide and narrow.

axe-core is injected by the test only; no page of the atlas loads it.
"""

import os
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.conf import settings

from .conftest import forget_visit

pytestmark = pytest.mark.browser

AXE = "vendor/axe-core/axe.min.js"  # under static/
# Screenshots of every checked page, for people to look at: taken when a folder is named.
SCREENSHOTS = os.environ.get("ATLAS_SCREENSHOT_DIR")
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW = 375  # a small phone; WCAG 1.4.10 asks for no sideways scrolling at 320 CSS px


def map_drawn(page):
    """The map is drawn and its zoom to the districts has settled."""
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_function(
        "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"
    )


def show_chart(page):
    """The profile with the population pyramid drawn and one time series opened, so the charts
    and their tables are checked too."""
    page.wait_for_selector("#pyramid-chart.js-plotly-plot")
    page.locator("button[aria-controls='series-kinderarmut']").click()
    page.wait_for_selector("#series-kinderarmut .js-plotly-plot")


def area_focused(page):
    """The map with one area reached by keyboard: its mark, its tooltip and the keys' hint."""
    map_drawn(page)
    page.locator("#map-areas a").first.focus()
    page.wait_for_selector(".leaflet-tooltip")


def chart_drawn(page):
    """The map with two areas chosen and their time series drawn with its table."""
    map_drawn(page)
    page.wait_for_selector("#chart[data-series]")
    page.wait_for_selector("#chart-table table")


def facilities_drawn(page):
    """The map with facilities, the catchment of a type and one facility's popup open."""
    map_drawn(page)
    page.wait_for_selector("#map[data-facilities]")
    page.wait_for_selector("#map[data-catchment]")
    # Settled first: this checks the page's layout; the choice during a zoom has its own test.
    page.wait_for_function(
        "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"
    )
    page.locator("#facility-table tbody button").first.click()
    page.wait_for_selector(".leaflet-popup .facility-popup")


PAGES = {
    "map": ("/?indicator=kinderarmut&year=2023", map_drawn),
    "map-chart": ("/?indicator=kinderarmut&year=2023&sel=11,12&chart=series", chart_drawn),
    "map-fan-chart": ("/?indicator=kinder-unter-3&sel=42,73&chart=series", chart_drawn),
    "map-area-focused": ("/?indicator=kinderarmut&year=2023", area_focused),
    "change-map": ("/?indicator=kinderarmut&year=2023&from=2015", map_drawn),
    "bezirk": ("/bezirk/3/?indicator=kinderarmut&year=2023", map_drawn),
    "map-facilities": ("/?indicator=kinderarmut&year=2023&angebote=kita,grundschule"
                       "&erreichbarkeit=kita&distanz=500", facilities_drawn),
    "bezirk-facilities": ("/bezirk/2/?indicator=kita-plaetze-je-100-unter-6&year=2023"
                          "&angebote=kita&erreichbarkeit=kita&distanz=1000", facilities_drawn),
    "profile": ("/gebiet/statistischer-bezirk/11/?year=2023", show_chart),
    "statement": ("/barrierefreiheit/", None),
    "factsheet": ("/bezirk/2/steckbrief/?year=2023", None),
    "downloads": ("/daten/", None),
    "reports": ("/berichte/", None),
    "report": ("/berichte/bezirksbericht-sued-2024-demo/", None),
    "projection-overview": ("/vorausberechnung/", None),
    "projection-accuracy": ("/vorausberechnung/genauigkeit/", None),
    "projection-method": ("/vorausberechnung/methode/", None),
    "ogc-items": ("/ogcapi/collections/statistischer-bezirk/items?f=html", None),
    "admin-login": ("/admin/login/", None),
}  # fmt: skip


@pytest.fixture
def open_page(atlas, visitor):
    """Opens a page kind in a language at a width; yields a function, forgets the visit."""

    def open_(kind: str, language: str, width: int = 1280):
        visitor.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": atlas.url}]
        )
        page = visitor.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        path, ready = PAGES[kind]
        page.goto(atlas.url + path)
        if ready:
            ready(page)
        assert page.locator("html").get_attribute("lang") == language
        return page

    yield open_
    forget_visit(visitor)


def axe_violations(page) -> list[dict]:
    # From the live server's static files, not inlined: the browser keeps the script and its
    # compiled code from page to page, as it keeps the atlas's own.
    page.add_script_tag(url=urljoin(page.url, settings.STATIC_URL + AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_AA_TAGS,
    )


def described(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'][:8])}" for v in violations
    )


@pytest.mark.parametrize("width", [1280, NARROW])
@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_the_page_has_no_wcag_aa_violations(open_page, kind, language, width):
    page = open_page(kind, language, width)
    violations = axe_violations(page)
    assert violations == [], f"{kind} ({language}, {width} px):\n{described(violations)}"
    if language == "de" and SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SCREENSHOTS) / f"{kind}-{width}.png", full_page=True)
    if width == NARROW:
        # On the same page load: no sideways scrolling on a phone (WCAG 1.4.10).
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= NARROW, f"{kind} ({language}) is {scrolled} px wide at {NARROW} px"


def test_the_first_tab_stop_is_a_visible_link_to_the_content(open_page):
    page = open_page("map", "de")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.get_attribute("href") == "#main"
    box = focused.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # shown on focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_every_control_of_the_map_and_the_values_table_is_reached_by_keyboard(open_page):
    page = open_page("map", "de")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.href"))
    for control in ("indicator", "level", "year", "play", "method", "classes"):
        assert control in reached
    assert any("/gebiet/statistischer-bezirk/" in str(target) for target in reached)


def test_a_wide_profile_table_scrolls_by_keyboard_on_a_narrow_screen(open_page):
    page = open_page("profile", "de", width=NARROW)
    region = page.locator(".table-scroll").first
    region.focus()
    before = region.evaluate("el => el.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.activeElement.scrollLeft > 0")
    assert region.evaluate("el => el.scrollLeft") > before
