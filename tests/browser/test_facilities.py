"""Facilities over the map as a planner uses them: types switched on for a year, markers
reached by keyboard, their table, the view in the URL, and the catchment table."""

import re

import pytest

from districts.models import District
from facilities.models import Facility

pytestmark = pytest.mark.browser

MARKER = ".leaflet-marker-pane .facility-marker"
CLUSTER = ".leaflet-marker-pane .facility-cluster"


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    return page


def facilities_shown(page, year: int):
    """How many facilities the overlay shows for the year, once the map has settled."""
    page.wait_for_selector(f"#map[data-facilities-year='{year}']")
    page.wait_for_function(
        "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"
    )
    return int(page.locator("#map").get_attribute("data-facilities"))


def open_kitas(year: int, **filters) -> list[str]:
    kitas = Facility.objects.open_in(year).filter(type__slug="kita", **filters)
    return sorted(kitas.values_list("name", flat=True))


def markers_on_map(page) -> int:
    """Single markers plus the facilities the clusters stand for."""
    clusters = page.locator(f"{CLUSTER} span[aria-hidden]").all_inner_texts()
    return page.locator(MARKER).count() + sum(int(n.strip()) for n in clusters)


def test_switching_on_kitas_shows_those_open_in_the_year(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    page.check("#facility-overlay input[value='kita']")
    expected = len(open_kitas(2023))
    assert facilities_shown(page, 2023) == expected
    assert markers_on_map(page) == expected
    label = page.locator("#facility-overlay label", has=page.locator("input[value='kita']"))
    assert f"({expected})" in label.inner_text()


def test_an_earlier_year_shows_the_kitas_open_then(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    facilities_shown(page, 2023)
    page.select_option("#year", "2015")
    assert facilities_shown(page, 2015) == len(open_kitas(2015))
    assert len(open_kitas(2015)) != len(open_kitas(2023))  # the demo data has openings


def test_the_table_lists_the_kitas_of_the_bezirk(atlas, page):
    sued = District.objects.get(level__slug="stadtbezirk", code="2")
    open_map(page, atlas.url + "/bezirk/2/?indicator=kinderarmut&year=2023&angebote=kita")
    facilities_shown(page, 2023)
    names = page.locator("#facility-table tbody td:first-child").all_inner_texts()
    assert sorted(names) == open_kitas(2023, location__within=sued.boundary)
    districts = set(page.locator("#facility-table tbody td:nth-child(5)").all_inner_texts())
    inside = set(page.locator("#values-table tbody.areas td:nth-child(3)").all_inner_texts())
    assert districts <= inside


def test_a_facility_chosen_while_the_map_zooms_opens_its_popup(atlas, page):
    page.set_viewport_size({"width": 375, "height": 900})  # the facility is in a cluster
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    facilities_shown(page, 2023)
    chosen = page.locator("#facility-table tbody button").nth(5)
    chosen.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#map .leaflet-control-zoom-out').click()")
    chosen.click()  # Leaflet drops a zoom asked for during another
    popup = page.locator(".leaflet-popup .facility-popup")
    popup.wait_for(timeout=5000)
    assert chosen.inner_text() in popup.inner_text()


def test_tab_reaches_a_marker_and_enter_opens_its_popup(atlas, page):
    open_map(page, atlas.url + "/bezirk/2/?indicator=kinderarmut&year=2023&angebote=kita")
    facilities_shown(page, 2023)
    page.focus("#map")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('facility-marker')"):
            break
    else:
        pytest.fail("no facility marker reached by Tab")
    label = page.evaluate("document.activeElement.querySelector('img').alt")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup .facility-popup")
    popup.wait_for()
    name = popup.locator("h3").inner_text()
    assert label.endswith(name)
    assert name in open_kitas(2023)
    assert page.evaluate("document.activeElement.classList.contains('facility-popup')")
    page.keyboard.press("Escape")
    popup.wait_for(state="detached")
    assert page.evaluate("document.activeElement.classList.contains('facility-marker')")


def test_enter_on_clusters_zooms_in_until_the_focus_rests_on_a_marker(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    facilities_shown(page, 2023)
    scale = page.locator(".leaflet-control-scale-line")
    before = scale.inner_text()
    page.locator(CLUSTER).first.focus()
    for _ in range(8):
        if page.evaluate("document.activeElement.matches('.facility-marker')"):
            break
        assert page.evaluate("document.activeElement.matches('.facility-cluster')")
        page.keyboard.press("Enter")
        page.wait_for_timeout(900)  # zoom, cluster animation and the focus following them
    else:
        pytest.fail("Enter on the clusters never reached a single marker")
    assert scale.inner_text() != before  # zoomed in
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup .facility-popup").wait_for()


def test_the_view_with_its_facilities_goes_into_the_url_and_back(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    page.check("#facility-overlay input[value='kita']")
    page.check("#facility-overlay input[value='grundschule']")
    page.wait_for_url(re.compile(r"angebote=kita(%2C|,)grundschule"))
    page.select_option("#year", "2015")
    facilities_shown(page, 2015)
    assert "year=2015" in page.url and re.search(r"angebote=kita(%2C|,)grundschule", page.url)
    page.go_back()
    facilities_shown(page, 2023)
    page.go_back()
    page.wait_for_function("!document.querySelector(\"input[value='grundschule']\").checked")
    assert page.is_checked("#facility-overlay input[value='kita']")
    page.go_forward()
    page.wait_for_function("document.querySelector(\"input[value='grundschule']\").checked")
    # The shared link opens the same view.
    shared = open_map(page.context.new_page(), page.url)
    assert facilities_shown(shared, 2023) == len(
        Facility.objects.open_in(2023).filter(type__slug__in=["kita", "grundschule"])
    )
    assert shared.is_checked("#facility-overlay input[value='grundschule']")


def test_the_catchment_table_shows_the_shares_of_the_api(atlas, page):
    open_map(page, atlas.url + "/bezirk/2/?indicator=kinderarmut&year=2023")
    page.select_option("#catchment-type", "kita")
    page.select_option("#catchment-distance", "1000")
    page.wait_for_selector("#map[data-catchment*='distance=1000']")
    assert "erreichbarkeit=kita" in page.url and "distanz=1000" in page.url
    api = page.request.get(
        atlas.url + "/api/v1/catchment?type=kita&distance=1000&level=statistischer-bezirk"
        "&year=2023&within=2"
    ).json()
    rows = page.locator("#catchment-table tbody tr")
    shown = {
        rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(2).inner_text()
        for i in range(rows.count())
    }
    assert list(shown) == [area["code"] for area in api["areas"]]
    for area in api["areas"]:
        number = float(re.sub(r"[^\d,]", "", shown[area["code"]]).replace(",", "."))
        assert number == pytest.approx(area["share"] * 100, abs=0.05)
    link = page.locator("#catchment-downloads a[data-dialect='de']").get_attribute("href")
    assert "distance=1000" in link and "within=2" in link
    assert page.request.get(atlas.url + link).status == 200
    workbook = page.locator("#catchment-downloads a[data-format='xlsx']").get_attribute("href")
    assert workbook.startswith("/daten/erreichbarkeit.xlsx?")
    assert "distance=1000" in workbook and "within=2" in workbook
    response = page.request.get(atlas.url + workbook)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
