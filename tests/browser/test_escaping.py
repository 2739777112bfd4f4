"""Names, addresses and units with markup in them stay text in every page script.

Each field holds both a tag (``"><img …>``) and a quote that would end an attribute. Nothing may
run, no attribute may land in the DOM, and the content security policy must have nothing to
block: a report from it would mean that the escaping failed and only the policy stopped it.
"""

from urllib.parse import unquote

import pytest

from districts.models import District
from facilities.models import Facility, FacilityType
from indicators.models import Indicator

pytestmark = pytest.mark.browser

TAG = '"><img src=x onerror=window.__pwned=1>'
QUOTES = "\" onmouseover=\"window.__pwned=1\" x=' onmouseover='window.__pwned=1'"
HOSTILE = TAG + QUOTES

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.sourceFile}:${event.lineNumber}`);
});
"""
INJECTED = "[onerror], [onmouseover], img[src='x']"


@pytest.fixture
def hostile(atlas):
    """A Kita, its type, every Statistischer Bezirk and Stadtbezirk and an indicator with markup."""
    kita = FacilityType.objects.get(slug="kita")
    kita.name_de = f"Kita {TAG}"
    kita.save()
    facility = Facility.objects.open_in(2023).filter(type=kita).order_by("pk").first()
    facility.name = f"Haus {HOSTILE}"
    facility.address = f"Straße {HOSTILE}"[:200]
    facility.contact_url = f"https://example.org/?q={QUOTES}"
    facility.save()
    levels = ["statistischer-bezirk", "stadtbezirk"]
    for district in District.objects.filter(level__slug__in=levels):
        district.name = f"{district.code} {HOSTILE}"
        district.save()
    indicator = Indicator.objects.get(slug="kinderarmut")
    indicator.name_de = f"Kinderarmut {HOSTILE}"[:200]
    indicator.short_name_de = f"Armut {TAG}"[:60]
    indicator.unit_de = TAG
    indicator.save()
    return facility


@pytest.fixture
def watched(strict_page):
    page = strict_page
    page.add_init_script(LISTEN)
    reports = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and reports.append(message.text),
    )
    page.csp_console = reports
    return page


def assert_nothing_ran(page):
    assert page.evaluate("window.__pwned") is None
    assert page.locator(INJECTED).count() == 0
    assert page.evaluate("window.__cspViolations") == []
    assert page.csp_console == []


def test_a_facility_with_markup_in_every_field_stays_text(atlas, hostile, watched):
    page = watched
    page.goto(atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_selector("#map[data-facilities-year='2023']")
    row = page.locator(f"#facility-table tbody tr[data-id='{hostile.pk}']")
    assert row.locator("td").nth(0).inner_text() == hostile.name
    assert row.locator("td").nth(1).inner_text() == f"Kita {TAG}"
    assert row.locator("td").nth(2).inner_text() == hostile.address
    row.locator("button").click()
    popup = page.locator(".leaflet-popup .facility-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == hostile.name
    assert hostile.address in popup.inner_text()
    # The link is the address the browser reads, with the quotes percent-encoded.
    assert unquote(popup.locator("a").get_attribute("href")) == hostile.contact_url
    marker = page.locator(".leaflet-marker-pane .facility-marker img[alt*='Haus']")
    assert marker.get_attribute("alt").endswith(hostile.name)
    marker.hover(force=True)
    page.mouse.move(10, 10)
    assert_nothing_ran(page)


def test_a_contact_link_that_is_not_http_is_left_out(atlas, hostile, watched):
    hostile.contact_url = "javascript:window.__pwned=1"
    hostile.save()
    page = watched
    page.goto(atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    page.wait_for_selector("#map[data-facilities-year='2023']")
    page.locator(f"#facility-table tbody tr[data-id='{hostile.pk}'] button").click()
    popup = page.locator(".leaflet-popup .facility-popup")
    popup.wait_for()
    assert popup.locator("a").count() == 0
    assert_nothing_ran(page)


def test_district_and_indicator_names_with_markup_stay_text_on_the_map(atlas, hostile, watched):
    page = watched
    page.goto(atlas.url + "/bezirk/2/?indicator=kinderarmut&year=2023&sel=21,22&chart=series")
    page.wait_for_selector("#map[data-drawn]")
    legend = page.locator("#legend").inner_text()
    assert TAG in legend  # the unit
    assert f"2 {HOSTILE}" in legend  # the Stadtbezirk's reference value
    box = page.locator("#map").bounding_box()
    tooltips = page.locator(".leaflet-tooltip")
    for dx in range(1, 10):
        for dy in range(1, 10):
            page.mouse.move(box["x"] + box["width"] * dx / 10, box["y"] + box["height"] * dy / 10)
            # A district inside the Bezirk, whose tooltip has a value and its unit.
            if any(t.count(TAG) >= 2 for t in tooltips.all_inner_texts()):
                break
        else:
            continue
        break
    tooltip = tooltips.last.inner_text()
    assert HOSTILE in tooltip  # the district's name
    # The unit, and the Stadtbezirk's (named) and the city's reference values with theirs.
    assert tooltip.count(TAG) == 5 and "Stadt:" in tooltip
    assert tooltip.startswith("2")  # a Statistischer Bezirk of Bezirk 2 (codes 2x)
    page.wait_for_selector("#chart[data-series].js-plotly-plot")
    chart = page.locator("#chart").inner_text()
    assert f"21 {HOSTILE}" in chart  # a legend entry
    assert TAG in chart  # the axis title, the unit
    assert f"21 {HOSTILE}" in page.locator("#chart-table").inner_text()
    assert_nothing_ran(page)


def test_a_profile_with_markup_in_its_name_stays_text(atlas, hostile, watched):
    page = watched
    page.goto(atlas.url + "/gebiet/statistischer-bezirk/11/?year=2023")
    page.locator("button[aria-controls='series-kinderarmut']").click()
    page.wait_for_selector("#series-kinderarmut .js-plotly-plot")
    series = page.locator("#series-kinderarmut")
    assert f"11 {HOSTILE}" in series.locator("table").inner_text()
    assert f"11 {HOSTILE}" in series.locator(".js-plotly-plot").inner_text()
    assert_nothing_ran(page)
