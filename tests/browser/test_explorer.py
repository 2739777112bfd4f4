"""The map explorer as a visitor uses it: charts, change maps, manual classes, search, history
and the keyboard."""

import re

import pytest

pytestmark = pytest.mark.browser

VALUE_COLUMN = "#values-table tbody.areas td:nth-child(4)"


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    return page


def test_plotly_comes_only_with_a_chart_and_a_time_series_has_a_line_per_area(atlas, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    assert not any("plotly" in url for url in requests)
    page.check("#values-table input[value='11']")
    page.check("#values-table input[value='51']")
    page.click(".chart-tabs button[data-chart='series']")
    page.wait_for_selector("#chart[data-series]")
    # Two chosen districts and the city.
    assert page.locator("#chart").get_attribute("data-series") == "3"
    assert sum("plotly" in url for url in requests) == 1
    table = page.locator("#chart-table table")
    assert table.locator("thead th").all_inner_texts()[1:] == ["Altstadt", "Boy", "Stadt"]
    assert table.locator("tbody tr").count() >= 10
    assert "sel=11%2C51" in page.url or "sel=11,51" in page.url
    assert "chart=series" in page.url


def test_the_comparison_needs_two_areas_and_shows_them_beside_the_city(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023&chart=compare&sel=11")
    page.wait_for_function(
        "document.querySelector('#chart-status').textContent.includes('zwei bis sechs')"
    )
    page.check("#values-table input[value='21']")
    page.wait_for_selector("#chart-table table")
    head = page.locator("#chart-table thead th").all_inner_texts()
    assert head[1:] == ["Altstadt", "Fuhlenbrock-Heide", "Stadt"]
    rows = page.locator("#chart-table tbody tr").all_inner_texts()
    assert any(row.startswith("Kinderarmut") for row in rows)


def test_the_ranking_lists_every_district_in_order(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023&chart=ranking")
    page.wait_for_selector("#chart-table table")
    rows = page.locator("#chart-table tbody tr")
    assert rows.count() == 17
    values = [
        int(text.replace(".", ""))
        for text in page.locator("#chart-table tbody td:nth-child(3)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True)


def test_a_change_map_uses_a_scale_around_zero(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    with page.expect_response(re.compile(r"/api/v1/values.*from=2015")):
        page.select_option("#from", "2015")
    page.wait_for_function(
        "document.querySelector('#table-caption').textContent.includes('2015–2023')"
    )
    assert "Prozentpunkte" in page.locator("#legend").inner_text()
    assert "from=2015" in page.url
    values = page.locator(VALUE_COLUMN).all_inner_texts()
    # A change carries its sign, as on the fact sheet.
    assert any(v.startswith("-") for v in values) and any(v.startswith("+") for v in values)
    assert all(re.fullmatch(r"[+-]\d+,\d|0,0", v) for v in values)


def test_a_count_s_change_map_gives_the_change_in_its_unit_and_in_percent(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023&from=2018")
    page.wait_for_function(
        "document.querySelector('#table-caption').textContent.includes('2018–2023, Personen')"
    )
    values = page.locator(VALUE_COLUMN).all_inner_texts()
    assert values and all(re.fullmatch(r"([+-][\d.]+|0) \(([+-]\d+,\d|0,0) %\)", v) for v in values)
    assert re.search(
        r"Stadt: [+-][\d.]+ Personen \([+-]\d+,\d %\)", page.locator("#legend").inner_text()
    )


def test_manual_class_limits_are_entered_in_german_and_refused_with_a_message(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    page.select_option("#method", "manual")
    assert page.locator("#breaks").is_visible()
    page.fill("#breaks", "10; zwanzig")
    page.click("#breaks-apply")
    assert "Semikolon" in page.locator("#breaks-error").inner_text()
    with page.expect_response(re.compile(r"/api/v1/values.*breaks=10%2C20\.5")):
        page.fill("#breaks", "10; 20,5")
        page.click("#breaks-apply")
    page.wait_for_function("document.querySelector('#legend').textContent.includes('20,5')")
    legend = page.locator("#legend li").all_inner_texts()
    assert legend[0].startswith("3,") and "10,0" in legend[0]
    assert "10,0 – 20,5" in legend[1]


def test_back_and_forward_step_through_the_views(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    first = page.locator(VALUE_COLUMN).first.inner_text()
    with page.expect_response(re.compile(r"/data/[0-9a-f]+/values/einwohner/.*/2013\.json")):
        page.select_option("#year", "2013")
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2013')")
    assert page.locator(VALUE_COLUMN).first.inner_text() != first
    page.go_back()
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2023')")
    assert page.locator("#year").input_value() == "2023"
    assert page.locator(VALUE_COLUMN).first.inner_text() == first
    page.go_forward()
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2013')")
    assert page.locator("#year").input_value() == "2013"


def test_the_search_narrows_the_indicators_and_enter_picks_the_first(atlas, page):
    open_map(page, atlas.url + "/")
    page.fill("#indicator-search", "pflege")
    found = page.locator("#indicator-found").inner_text()
    visible = page.locator("#indicator option:not([hidden])")
    # A match by name, search word or definition ("Kindertagespflege" for children under 3).
    words = [w.lower() for w in visible.evaluate_all("os => os.map(o => o.dataset.search)")]
    assert words and all("pflege" in w for w in words)
    hidden = page.locator("#indicator option[hidden]")
    assert not any("pflege" in w.lower() for w in hidden.evaluate_all(
        "os => os.map(o => o.dataset.search)"))  # fmt: skip
    assert found.startswith(f"{len(words)} von ")
    page.press("#indicator-search", "Enter")
    page.wait_for_selector("#map[data-drawn]")
    assert "indicator=" in page.url and "Pflege" in page.locator("#indicator-name").inner_text()


def matches(page, query: str) -> list[str]:
    """The indicators the search offers for ``query``, in the order of the list."""
    page.fill("#indicator-search", query)
    return page.locator("#indicator option:not([hidden])").all_inner_texts()


def test_the_search_finds_the_65_plus_share_by_the_words_people_use(atlas, page):
    open_map(page, atlas.url + "/")
    for query in ("Senioren", "altere", "über 65", "uber 65", "Rentner"):
        assert matches(page, query)[:1] == ["Anteil der Personen ab 65 Jahren"], query


def test_the_search_finds_older_people_with_a_migration_background(atlas, page):
    open_map(page, atlas.url + "/")
    name = "Anteil der Menschen mit Migrationshintergrund ab 65 Jahren"
    for query in ("Migration Ältere", "Senioren Migration", "altere migranten"):
        assert matches(page, query) == [name], query
    assert name in matches(page, "Senioren")[1:]  # after the 65+ share itself
    open_map(page, atlas.url + "/?lang=en")
    assert matches(page, "seniors migration") == [
        "Share of people aged 65 and over with a migration background"
    ]


def test_a_search_opens_the_list_on_its_matches_and_closes_it_when_emptied(atlas, page):
    open_map(page, atlas.url + "/")
    page.fill("#indicator-search", "65")
    select = page.locator("#indicator")
    assert int(select.get_attribute("size")) > 1
    shown = select.locator("option:not([hidden])")
    assert shown.first.is_visible()
    assert "Anteil der Personen ab 65 Jahren" in shown.all_inner_texts()
    page.fill("#indicator-search", "")
    assert select.evaluate("s => s.size") == 0


def test_the_search_finds_the_sgb_ii_indicators_by_hartz_iv_and_buergergeld(atlas, page):
    open_map(page, atlas.url + "/")
    for query in ("Hartz IV", "hartz iv", "Burgergeld"):
        found = matches(page, query)
        assert "SGB-II-Quote" in found, query
        assert "Kinderarmut (SGB-II-Quote unter 15 Jahren)" in found, query


def test_the_english_search_knows_the_english_words(atlas, page):
    open_map(page, atlas.url + "/?lang=en")
    assert matches(page, "seniors")[:1] == ["Share of people aged 65 and over"]
    assert "SGB II rate" in matches(page, "poverty")


def focus(page, selector: str, limit: int = 80):
    """Tab forward until the element matching the selector has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable by Tab")


def test_a_keyboard_alone_reaches_a_district_profile(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    focus(page, "#indicator")
    with page.expect_navigation():
        page.keyboard.press("ArrowDown")  # the next indicator loads its page
    page.wait_for_selector("#map[data-drawn]")
    chosen = page.locator("#indicator").input_value()
    assert chosen != "einwohner"
    focus(page, "#year")
    # The year before was fetched ahead with the shown one: no request to wait for.
    page.keyboard.press("ArrowUp")
    page.wait_for_function("!document.querySelector('#table-caption').textContent.includes('2023')")
    year = page.locator("#year").input_value()
    focus(page, "#values-table a")
    name = page.evaluate("document.activeElement.textContent")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"year={year}" in page.url and "/gebiet/statistischer-bezirk/" in page.url
    assert name in page.locator("h1").inner_text()


def test_an_embedded_view_has_no_site_chrome_and_links_to_the_atlas(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2020&embed=1")
    assert page.locator(".site-header").count() == 0
    assert page.locator(".chart-area").count() == 0
    assert page.locator("#values-table tbody.areas tr").count() == 17
    link = page.locator(".embed-source a").get_attribute("href")
    assert "embed" not in link and "year=2020" in link


def test_focus_on_a_table_row_shows_the_district_on_the_map(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    page.focus("#values-table input[value='51']")
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    label = tooltip.inner_text()
    assert "Boy" in label and "%" in label and "Rang" in label
    page.focus("#indicator")
    page.wait_for_function("document.querySelectorAll('.leaflet-tooltip').length === 0")


def test_the_embed_code_pins_the_view_to_today_s_release(atlas, page):
    from indicators.models import Release

    latest = Release.objects.filter(status="published").latest("published_at")
    open_map(page, atlas.url + "/?indicator=einwohner&year=2020")
    page.click(".embed-code summary")
    code = page.locator("#embed-html").input_value()
    src = re.search(r'src="([^"]+)"', code).group(1).replace("&amp;", "&")
    assert "embed=1" in src and f"release={latest.pk}" in src and "year=2020" in src
    open_map(page, src)
    assert page.locator(".site-header").count() == 0
    assert page.locator("#values-table tbody.areas tr").count() == 17


def test_a_chart_is_saved_as_png(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023&chart=ranking")
    page.wait_for_selector("#chart-table table")
    assert page.locator("#chart-title").inner_text().startswith("Rangfolge aller Gebiete")
    with page.expect_download() as download:
        page.click("#chart-png")
    path = download.value.path()
    with open(path, "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    assert download.value.suggested_filename == "einwohner-ranking-2023.png"


def test_a_chart_whose_plotly_did_not_load_says_so_and_the_next_try_draws_it(atlas, page):
    refused = []

    def refuse_once(route):
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/plotly-basic.min.js", refuse_once)
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023&chart=ranking")
    page.wait_for_function(
        "document.querySelector('#chart-status').textContent.includes('nicht geladen')"
    )
    assert page.locator("#chart-table table").count() == 0 and len(refused) == 1
    # Choosing the chart again (off, then on) loads Plotly anew and draws it.
    page.click(".chart-tabs button[data-chart='ranking']")
    page.click(".chart-tabs button[data-chart='ranking']")
    page.wait_for_selector("#chart-table table")
    assert page.locator("#chart-title").inner_text().startswith("Rangfolge aller Gebiete")
    assert page.locator("#chart-status").inner_text() == ""


@pytest.mark.parametrize("late", ["atlas/js/charts.js", "atlas/js/facilities.js"])
def test_a_script_that_arrives_after_the_map_s_values_still_shows_them(atlas, page, late):
    """A shared link to a chart (or facilities) on a slow connection: the map's values come
    from a cache before the script that draws the chart has arrived."""
    values_arrived = []
    page.on("response", lambda r: values_arrived.append(r.url) if "/values/" in r.url else None)

    def after_the_values(route):
        for _ in range(100):
            if values_arrived:
                break
            page.wait_for_timeout(50)
        route.continue_()

    page.route(f"**/{late}", after_the_values)
    open_map(
        page,
        atlas.url + "/?indicator=kinderarmut&year=2023&sel=11,12&chart=series&angebote=kita",
    )
    assert values_arrived
    page.wait_for_selector("#chart[data-series]")
    page.wait_for_selector("#map[data-facilities]")


def test_the_chart_holds_its_place_through_five_changes_of_the_selection(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023&sel=11,12&chart=series")
    page.wait_for_selector("#chart[data-series]")
    for code, chosen in (("13", True), ("11", False), ("21", True), ("12", False), ("41", True)):
        box = page.locator(f"#values-table input[value='{code}']")
        box.check() if chosen else box.uncheck()
        expected = "4" if chosen else "3"  # the chosen areas and the city, alternating
        page.wait_for_function(f"document.querySelector('#chart').dataset.series === '{expected}'")
    page.wait_for_timeout(500)  # a late resize of the chart must not collapse it either
    chart = page.locator("#chart").bounding_box()
    button = page.locator("#chart-png").bounding_box()
    table = page.locator("#chart-table").bounding_box()
    assert chart["height"] >= 300
    assert chart["y"] + chart["height"] <= button["y"] <= table["y"]
    assert (
        page.locator("#chart-png").is_visible() and page.locator("#chart-table table").is_visible()
    )
