"""The map's areas by keyboard: each a focus stop in the order of the names, its tooltip on
focus, the arrow keys to its neighbours, Enter to its profile."""

import math
import re
import unicodedata

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP = "/?indicator=kinderarmut&year=2023"


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_selector("#map-areas a")
    return page


def tooltip(page):
    """The one open tooltip, once the ones closed before it have faded out."""
    expect(page.locator(".leaflet-tooltip")).to_have_count(1)
    return page.locator(".leaflet-tooltip")


def focused_name(page) -> str:
    return page.evaluate("document.activeElement.textContent")


def alphabetical(name: str) -> str:
    plain = unicodedata.normalize("NFD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def test_each_area_is_a_tab_stop_in_the_order_of_the_names(atlas, page):
    open_map(page, atlas.url + MAP)
    names = page.locator("#map-areas a").all_inner_texts()
    assert len(names) == 17 and names == sorted(names, key=alphabetical)
    page.locator("#map-areas a").first.focus()
    reached = [focused_name(page)]
    for _ in names[1:]:
        page.keyboard.press("Tab")
        reached.append(focused_name(page))
    assert reached == names


def test_focus_on_an_area_shows_its_tooltip_as_its_description(atlas, page):
    open_map(page, atlas.url + MAP)
    link = page.locator("#map-areas a", has_text="Altstadt")
    link.focus()
    shown = tooltip(page)
    assert shown.is_visible()
    assert "Altstadt" in shown.inner_text() and re.search(r"\d+,\d %", shown.inner_text())
    assert link.get_attribute("aria-describedby") == shown.get_attribute("id")
    assert page.locator("#map-keys-hint").is_visible()


def test_the_arrow_keys_walk_to_neighbouring_areas(atlas, page):
    open_map(page, atlas.url + MAP)
    page.locator("#map-areas a", has_text="Altstadt").focus()
    visited = []
    # Kirchhellen is the north of Bottrop, the Altstadt in its south.
    for _ in range(8):
        page.keyboard.press("ArrowUp")
        visited.append(focused_name(page))
        if visited[-1].startswith("Kirchhellen"):
            break
    assert visited[0] != "Altstadt" and visited[-1].startswith("Kirchhellen"), visited
    page.keyboard.press("ArrowDown")
    assert focused_name(page) != visited[-1]
    assert tooltip(page).inner_text().startswith(focused_name(page))


def test_enter_on_an_area_opens_its_profile(atlas, page):
    open_map(page, atlas.url + MAP)
    page.locator("#map-areas a", has_text="Altstadt").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/gebiet/statistischer-bezirk/11/\?year=2023"))


def test_escape_closes_the_tooltip_and_keeps_the_focus(atlas, page):
    open_map(page, atlas.url + MAP)
    page.locator("#map-areas a", has_text="Altstadt").focus()
    tooltip(page)
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)
    assert focused_name(page) == "Altstadt"


def test_leaving_the_areas_closes_the_tooltip(atlas, page):
    open_map(page, atlas.url + MAP)
    page.locator("#map-areas a").last.focus()
    tooltip(page)
    page.keyboard.press("Tab")
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)


def test_a_level_whose_table_is_paged_is_one_tab_stop(atlas, page, settings):
    settings.ATLAS_TABLE_PAGE_ROWS = 10  # Bottrop's 17 districts stand in for a large level
    open_map(page, atlas.url + MAP)
    links = page.locator("#map-areas a")
    assert page.locator("#map-areas a[tabindex='0']").count() == 1
    links.first.focus()
    page.keyboard.press("End")
    assert focused_name(page) == links.last.inner_text()
    assert links.last.get_attribute("tabindex") == "0"
    page.keyboard.press("Tab")
    assert not page.evaluate("document.activeElement.closest('#map-areas')")


def test_a_bezirk_lists_only_its_own_areas(atlas, page):
    open_map(page, atlas.url + "/bezirk/3/?indicator=kinderarmut&year=2023")
    rows = page.locator("#values-table tbody.areas tr").count()
    assert page.locator("#map-areas a").count() == rows


DIRECTIONS = {"ArrowRight": (1, 0), "ArrowLeft": (-1, 0), "ArrowUp": (0, -1), "ArrowDown": (0, 1)}


def _web_point(lng: float, lat: float) -> tuple[float, float]:
    """Where Leaflet draws a point, up to scale: Web Mercator, y growing southwards."""
    return lng, -math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _areas(level: str = "statistischer-bezirk") -> dict[str, tuple]:
    """Name → (the centre of its bounds as drawn, its web geometry)."""
    from districts.models import District

    areas = {}
    for district in District.objects.current().filter(level__slug=level):
        west, south, east, north = district.web_geometry.extent
        areas[district.name] = (_web_point((west + east) / 2, (south + north) / 2),
                                district.web_geometry)  # fmt: skip
    return areas


def _ahead(origin, point, direction) -> bool:
    """Whether ``point`` lies in the arrow's direction from ``origin``, within about 60°."""
    x, y = point[0] - origin[0], point[1] - origin[1]
    dx, dy = direction
    ahead, aside = x * dx + y * dy, abs(x * dy - y * dx)
    return ahead > 0 and aside <= 2 * ahead


def test_an_arrow_goes_to_an_area_that_shares_a_border_where_one_lies_that_way(atlas, page):
    areas = _areas()
    bordering = {
        name: {
            other
            for other, (_, shape) in areas.items()
            if other != name and geometry.intersection(shape).length > 0
        }
        for name, (_, geometry) in areas.items()
    }
    open_map(page, atlas.url + MAP)
    wrong = []
    for name, (centre, _) in areas.items():
        for key, direction in DIRECTIONS.items():
            ahead = {n for n in bordering[name] if _ahead(centre, areas[n][0], direction)}
            if not ahead:
                continue  # the nearest centre that way, bordering or not
            page.locator("#map-areas a", has_text=re.compile(f"^{re.escape(name)}$")).focus()
            page.keyboard.press(key)
            reached = focused_name(page)
            if reached not in bordering[name]:
                wrong.append((name, key, reached, sorted(ahead)))
    assert not wrong
