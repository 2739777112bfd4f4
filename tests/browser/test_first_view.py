"""The first view of the map is files only: whatever the start page or a Bezirk's page asks
for on opening, facilities and catchment ticked in its address included, comes from
/data/<state>/ or /static/, which no rate limit counts. What the page still asks of the API
later waits out a 429 for its Retry-After and says so, instead of giving up."""

import json

import pytest

from facilities.models import FacilityType

pytestmark = pytest.mark.browser


def first_view(page, url: str) -> list[str]:
    """Every request the page makes until its map, facilities and catchment are in."""
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_selector("#map[data-facilities-year]")
    page.wait_for_selector("#map[data-catchment]")
    page.wait_for_load_state("networkidle")
    return asked


@pytest.mark.parametrize(
    "path",
    [
        "/?angebote={all}&erreichbarkeit=kita&distanz=500",
        "/bezirk/1/?angebote={all}&erreichbarkeit=grundschule&distanz=1000",
        "/?indicator=einwohner&year=2015&angebote=kita&erreichbarkeit=kita",
    ],
)
def test_the_first_view_asks_nothing_of_the_api(atlas, page, path):
    path = path.replace("{all}", ",".join(FacilityType.objects.values_list("slug", flat=True)))
    asked = [url.removeprefix(atlas.url) for url in first_view(page, atlas.url + path)]
    assert [url for url in asked if url.startswith("/api/")] == []
    own = [url for url in asked if not url.startswith(("/static/", "/data/", "/i18n/"))]
    assert own == [path]
    files = [url for url in asked if url.startswith("/data/")]
    assert any("/facilities/statistischer-bezirk/" in url for url in files)
    assert any(url.startswith("/data/") and "/catchment/" in url for url in files)
    # The overlay shows what the files hold.
    assert int(page.locator("#map").get_attribute("data-facilities")) > 0
    assert page.locator("#catchment-table tbody tr").count() > 0


def test_a_bezirk_s_first_view_reads_the_bezirk_s_own_files(atlas, page):
    asked = first_view(page, atlas.url + "/bezirk/1/?angebote=kita&erreichbarkeit=kita")
    assert any("/values/kinderarmut/statistischer-bezirk/2024-in-1.json" in url for url in asked)
    assert any("/facilities/statistischer-bezirk/2024-in-1.json" in url for url in asked)
    assert any("/catchment/kita/500/statistischer-bezirk/2024-in-1.json" in url for url in asked)
    assert page.locator("#map").get_attribute("data-drawn") == "9"


def answer_first_with_429(page, pattern: str) -> list[str]:
    """The first request matching ``pattern`` is refused as the rate limit refuses it; the
    ones after it go through. Returns the statuses the page got."""
    statuses = []

    def handle(route):
        if not statuses:
            statuses.append(429)
            route.fulfill(
                status=429,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body='{"error": {"code": "rate_limited", "message": "Zu viele Anfragen"}}',
            )
            return
        statuses.append(200)
        route.continue_()

    page.route(pattern, handle)
    return statuses


RECORDER = """
    window.saidTexts = [];
    new MutationObserver(() => {
        const element = document.getElementById(ID);
        const text = element ? element.textContent : null;
        if (text && text !== window.saidTexts.at(-1)) window.saidTexts.push(text);
    }).observe(document, { childList: true, characterData: true, subtree: true });
"""


def record_texts(page, element_id: str) -> None:
    """From the page's start on, ``window.saidTexts`` collects every text the element shows
    (a message shown for a second only, too)."""
    page.add_init_script(RECORDER.replace("ID", json.dumps(element_id)))


def test_facilities_refused_with_429_are_loaded_after_the_retry_after(atlas, page):
    statuses = answer_first_with_429(page, "**/data/*/facilities/**")
    record_texts(page, "facility-status")
    page.goto(atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    page.wait_for_selector("#map[data-facilities-year='2023']")
    assert statuses == [429, 200]
    assert int(page.locator("#map").get_attribute("data-facilities")) > 0
    said = page.evaluate("window.saidTexts")
    assert any("neuer Versuch in 1 s" in text for text in said)
    status = page.locator("#facility-status").inner_text()
    assert "Angebote angezeigt" in status
    assert "nicht geladen" not in status


def test_a_chart_refused_with_429_is_drawn_after_the_retry_after(atlas, page):
    statuses = answer_first_with_429(page, "**/api/v1/series?**")
    record_texts(page, "chart-status")
    page.goto(atlas.url + "/?indicator=kinderarmut&year=2023")
    page.wait_for_selector("#map[data-drawn]")
    page.check("#values-table input[value='11']")
    page.click(".chart-tabs button[data-chart='series']")
    page.wait_for_selector("#chart[data-series]")
    assert statuses[0] == 429 and 200 in statuses
    assert any("neuer Versuch in 1 s" in text for text in page.evaluate("window.saidTexts"))
    assert page.locator("#chart-status").inner_text() == ""


def test_a_limit_that_does_not_end_is_said_plainly(atlas, page):
    page.route(
        "**/data/*/facilities/**",
        lambda route: route.fulfill(status=429, headers={"Retry-After": "1"}, body="{}"),
    )
    page.route(
        "**/api/v1/facilities?**",
        lambda route: route.fulfill(status=429, headers={"Retry-After": "1"}, body="{}"),
    )
    page.goto(atlas.url + "/?indicator=kinderarmut&year=2023&angebote=kita")
    page.wait_for_selector("#facility-status:text('Bitte in einer Minute erneut versuchen')")
