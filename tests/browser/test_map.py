import re

import pytest

pytestmark = pytest.mark.browser


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    return page


SETTLED = "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"


def zoom(page, way: str, times: int = 1):
    """Clicks the zoom control ``times`` times, each once the last zoom has finished: a click
    during the animation is dropped by Leaflet, and a busy machine animates slowly."""
    for _ in range(times):
        page.wait_for_function(SETTLED)
        page.click(f".leaflet-control-zoom-{way}")
        page.wait_for_timeout(400)
    page.wait_for_function(SETTLED)


def test_the_start_page_draws_seventeen_districts_and_a_legend(atlas, page):
    open_map(page, atlas.url + "/")
    assert page.locator("#map").get_attribute("data-drawn") == "17"
    assert page.locator("#values-table tbody.areas tr").count() == 17
    legend = page.locator("#legend li")
    assert legend.count() >= 4
    assert "gesperrt (Geheimhaltung)" in page.locator("#legend").inner_text()
    assert page.locator(".demo-badge").is_visible()


def test_values_are_written_in_german(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    cells = page.locator("#values-table tbody.areas td:nth-child(4)").all_inner_texts()
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*|\.|–", c) for c in cells), cells
    assert "118.705" in page.locator("#legend").inner_text()


def test_a_year_change_repaints_without_fetching_boundaries_again(atlas, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    before = page.locator("#values-table tbody.areas td:nth-child(4)").first.inner_text()
    with page.expect_response(re.compile(r"/data/[0-9a-f]+/values/einwohner/.*/2013\.json")):
        page.select_option("#year", "2013")
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2013')")
    after = page.locator("#values-table tbody.areas td:nth-child(4)").first.inner_text()
    assert before != after
    assert sum("/boundaries/statistischer-bezirk/" in url for url in requests) == 1
    assert "year=2013" in page.url


def test_the_map_loads_its_data_from_the_published_files(atlas, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url.removeprefix(atlas.url)))
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    page.wait_for_load_state("networkidle")
    data = [url for url in requests if "/api/v1/values" in url or "/api/v1/districts" in url]
    assert data == []
    files = sorted(url for url in requests if url.startswith("/data/"))
    state = files[0].split("/")[2]
    assert files == [
        f"/data/{state}/boundaries/stadt/2023.json",  # the city's outline
        f"/data/{state}/boundaries/statistischer-bezirk/2023.json",
        f"/data/{state}/facilities/statistischer-bezirk/2023.json",
        f"/data/{state}/values/einwohner/statistischer-bezirk/2022.json",
        f"/data/{state}/values/einwohner/statistischer-bezirk/2023.json",
        f"/data/{state}/values/einwohner/statistischer-bezirk/2024.json",
    ]


def test_a_neighbouring_year_repaints_without_any_request(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    page.wait_for_load_state("networkidle")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.select_option("#year", "2024")
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2024')")
    assert "118.705" not in page.locator("#legend").inner_text()
    # The facility overlay asks for the new year's facilities file (its counts); the map
    # asks nothing.
    asked = [url for url in requests if "/data/" in url or "/api/v1/" in url]
    assert [url for url in asked if "/facilities/statistischer-bezirk/2024.json" not in url] == []


def test_the_page_makes_no_request_to_another_site(atlas, page):
    hosts = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    open_map(page, atlas.url + "/")
    assert hosts == {atlas.url.split("/")[2]}


def test_withheld_values_show_as_dots_with_their_own_legend_entry(atlas, page):
    open_map(page, atlas.url + "/?indicator=jugendarbeitslosigkeit&year=2023")
    rows = page.locator("#values-table tbody.areas tr")
    withheld = [
        rows.nth(i).locator("td").nth(2).inner_text()
        for i in range(rows.count())
        if rows.nth(i).locator("td").nth(3).inner_text() == "."
    ]
    assert "Kirchhellen-Nord-West" in withheld
    legend = " ".join(page.locator("#legend").inner_text().split())
    assert f"„.“ gesperrt (Geheimhaltung) ({len(withheld)})" in legend


def test_the_map_switches_to_stadtbezirke(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023&level=stadtbezirk")
    assert page.locator("#map").get_attribute("data-drawn") == "3"
    values = page.locator("#values-table tbody.areas td:nth-child(4)").all_inner_texts()
    assert sum(v.startswith("≈") for v in values) == 2  # Mitte and Süd are approximate


def test_provisional_values_carry_their_mark_in_table_legend_and_tooltip(atlas, page):
    open_map(page, atlas.url + "/?indicator=sgb-ii-quote&year=2024")
    cells = page.locator("#values-table tbody.areas td.value")
    texts = cells.all_inner_texts()
    assert texts and all(re.fullmatch(r"\d+,\d p|\.", t) for t in texts), texts
    assert cells.first.get_attribute("title") == "vorläufiger Wert"
    legend = page.locator("#legend").inner_text()
    assert "p vorläufiger Wert" in legend and re.search(r"Stadt: \d+,\d p", legend)
    page.locator("#values-table tbody.areas tr").first.hover()
    assert "vorläufiger Wert" in page.locator(".leaflet-tooltip").inner_text()
    open_map(page, atlas.url + "/?indicator=sgb-ii-quote&year=2023")
    assert " p" not in " ".join(
        page.locator("#values-table tbody.areas td.value").all_inner_texts()
    )


def test_a_missing_social_index_shows_its_symbol_and_reason(atlas, page):
    open_map(page, atlas.url + "/?indicator=sozialindex-status&year=2023")
    page.select_option("#year", "2024")
    page.wait_for_function(
        "document.querySelector('#values-table tbody.areas td.value').textContent === '...'"
    )
    title = page.locator("#values-table tbody.areas td.value").first.get_attribute("title")
    assert "Angabe fällt später an" in title and "kein Index" in title


def test_bezirk_mode_shows_only_the_districts_of_one_stadtbezirk(atlas, page):
    open_map(page, atlas.url + "/bezirk/3/?indicator=einwohner&year=2023")
    names = page.locator("#values-table tbody.areas td:nth-child(3)").all_inner_texts()
    assert sorted(names) == [
        "Kirchhellen-Mitte", "Kirchhellen-Nord-Ost", "Kirchhellen-Nord-West",
        "Kirchhellen-Süd/Grafenwald",
    ]  # fmt: skip
    assert page.locator("#map").get_attribute("data-drawn") == "4"
    assert "Stadtbezirk Kirchhellen" in page.locator("h1").inner_text()


def test_a_profile_shows_a_time_series_chart_with_its_table_on_demand(atlas, page):
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
    page.goto(atlas.url + "/gebiet/statistischer-bezirk/11/?year=2023")
    button = page.locator("button[aria-controls='series-kinderarmut']")
    button.click()
    page.wait_for_selector("#series-kinderarmut .js-plotly-plot")
    assert button.get_attribute("aria-expanded") == "true"
    rows = page.locator("#series-kinderarmut tbody tr")
    assert rows.count() == 13  # 2012–2024
    assert "54,3" in page.locator("#series-kinderarmut tbody").inner_text()
    # The population pyramid and the time series share one copy of Plotly.
    assert sum("plotly" in url for url in scripts) == 1


def test_the_classification_is_chosen_on_the_map_and_kept_in_the_url(atlas, page):
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    page.wait_for_load_state("networkidle")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.select_option("#classes", "3")
    page.wait_for_function("document.querySelectorAll('#legend li').length === 4")
    assert "classes=3" in page.url
    # The published file holds every classification: no request for another one.
    assert [url for url in requests if "/data/" in url or "/api/v1/" in url] == []


def test_play_steps_through_the_years_to_the_last(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2022")
    page.click("#play")
    assert page.locator("#play").get_attribute("aria-pressed") == "true"
    page.wait_for_function(
        "document.querySelector('#table-caption').textContent.includes('2024')", timeout=10000
    )
    page.wait_for_function(
        "document.querySelector('#play').getAttribute('aria-pressed') === 'false'"
    )
    assert "year=2024" in page.url


def test_play_on_the_last_year_starts_again_at_the_first(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2024")
    first = page.locator("#year option").first.get_attribute("value")
    page.click("#play")
    page.wait_for_function(
        f"document.querySelector('#table-caption').textContent.includes('{first}')",
        timeout=10000,
    )
    assert page.locator("#year").input_value() == first
    assert f"year={first}" in page.url
    page.click("#play")  # and it pauses again
    assert page.locator("#play").get_attribute("aria-pressed") == "false"


def test_a_level_with_many_areas_loads_the_boundaries_of_the_zoom_band(atlas, page, settings):
    settings.ATLAS_ZOOM_BANDS_FROM = 10  # Bottrop's 17 districts stand in for a large level
    boundaries = []
    page.on(
        "request",
        lambda r: (
            boundaries.append(r.url) if "/boundaries/statistischer-bezirk/" in r.url else None
        ),
    )
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    page.wait_for_load_state("networkidle")
    # The city fits the map at a zoom between 11 and 12: the band of zooms 11–12.
    assert [url.rsplit("/", 1)[1] for url in boundaries] == ["2023-z11.json"]
    assert page.locator("#map").get_attribute("data-band") == "11"
    with page.expect_response(re.compile(r"/boundaries/statistischer-bezirk/2023-z13\.json")):
        zoom(page, "in", 2)
    page.wait_for_function("document.querySelector('#map').dataset.band === '13'")
    assert page.locator("#map").get_attribute("data-drawn") == "17"
    # The coarser band's layers went with their canvas.
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1


def test_a_level_of_thousands_of_areas_loads_the_chunks_in_view(atlas, page, settings):
    # Bottrop's 17 districts stand in for thousands.
    settings.ATLAS_ZOOM_BANDS_FROM = settings.ATLAS_BOUNDARY_CHUNKS_FROM = 10
    boundaries = []
    page.on(
        "request",
        lambda r: (
            boundaries.append(r.url) if "/boundaries/statistischer-bezirk/" in r.url else None
        ),
    )
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    page.wait_for_load_state("networkidle")
    chunk = re.compile(r"/boundaries/statistischer-bezirk/2023-z11/(\d+)-(\d+)\.json$")
    assert boundaries and all(chunk.search(url) for url in boundaries), boundaries
    assert page.locator("#map").get_attribute("data-drawn") == "17"
    boundaries.clear()
    zoom(page, "in", 5)
    page.wait_for_function("document.querySelector('#map').dataset.band === '13'")
    page.wait_for_load_state("networkidle")
    finer = re.compile(r"/boundaries/statistischer-bezirk/2023-z13/(\d+)-(\d+)\.json$")
    assert boundaries and all(finer.search(url) for url in boundaries), boundaries
    tiles = {tuple(map(int, finer.search(url).groups())) for url in boundaries}
    # At zoom 16 the view is under a kilometre across: a chunk or two of zoom 12 (about 6 km
    # a side here), which hold the districts that meet them.
    assert len(tiles) <= 4
    # Panning north brings the chunks of the new view.
    boundaries.clear()
    box = page.locator("#map").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(20):  # 20 × 400 pixels at zoom 16: about 12 km, to the city's north end
        page.mouse.move(*middle)
        page.mouse.down()
        page.mouse.move(middle[0], middle[1] + 400, steps=4)
        page.mouse.up()
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    north = {tuple(map(int, finer.search(url).groups())) for url in boundaries}
    assert north, boundaries
    assert min(y for _, y in north) < min(y for _, y in tiles)


def test_zoomed_out_a_level_with_many_areas_draws_its_overview(atlas, page, settings):
    settings.ATLAS_ZOOM_BANDS_FROM = 10  # Bottrop's 17 districts stand in for a large level
    # Their overview, the 3 Stadtbezirke, is drawn up to zoom 8: the map may zoom out to 5.
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "MIN_ZOOM": 5}
    values = []
    page.on("request", lambda r: values.append(r.url) if "/values/" in r.url else None)
    open_map(page, atlas.url + "/?indicator=kinderarmut&year=2023")
    map_ = page.locator("#map")
    assert map_.get_attribute("data-drawn") == "17"
    assert map_.get_attribute("data-overview") is None
    zoom(page, "out", 3)  # from between 11 and 12 to below 9
    page.wait_for_function("document.querySelector('#map').dataset.overview === 'stadtbezirk'")
    assert map_.get_attribute("data-drawn") == "3"
    assert "Übersicht: 3 Stadtbezirke dargestellt" in page.locator("#map-status").inner_text()
    assert "Werte der Stadtbezirke" in page.locator("#legend").inner_text()
    assert any("/kinderarmut/stadtbezirk/2023.json" in url for url in values)
    # The table keeps the level's own rows; the legend counts the Stadtbezirke.
    assert page.locator("#values-table tbody.areas tr").count() == 17
    counts = page.locator("#legend li .count").all_inner_texts()
    assert sum(int(c.strip("()")) for c in counts) == 3
    page.select_option("#year", "2024")
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2024')")
    page.wait_for_function("document.querySelector('#map').dataset.drawn === '3'")
    assert any("/kinderarmut/stadtbezirk/2024.json" in url for url in values)
    zoom(page, "in", 3)
    page.wait_for_function("document.querySelector('#map').dataset.drawn === '17'")
    assert map_.get_attribute("data-overview") is None
    assert "Übersicht" not in page.locator("#legend").inner_text()


def test_a_level_with_many_areas_shows_its_table_a_page_at_a_time(atlas, page, settings):
    settings.ATLAS_TABLE_PAGE_ROWS = 5  # Bottrop's 17 districts stand in for a large level
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    rows = page.locator("#values-table tbody.areas tr")
    status = page.locator("#table-page-status")
    assert rows.count() == 5
    assert status.inner_text() == "Zeilen 1–5 von 17"
    assert page.locator("#table-previous").is_disabled()
    first_page = rows.evaluate_all("rows => rows.map(r => r.dataset.code)")

    page.click("#table-next")
    assert status.inner_text() == "Zeilen 6–10 von 17"
    second_page = rows.evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert len(second_page) == 5 and not set(second_page) & set(first_page)

    # A year change keeps the page.
    page.select_option("#year", "2013")
    page.wait_for_function("document.querySelector('#table-caption').textContent.includes('2013')")
    assert status.inner_text() == "Zeilen 6–10 von 17"
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.code)") == second_page

    page.click("#table-next")
    page.click("#table-next")
    assert status.inner_text() == "Zeilen 16–17 von 17"
    assert page.locator("#table-next").is_disabled()

    name = rows.nth(0).locator("td:nth-child(3)").inner_text()
    page.fill("#table-filter", name)
    assert rows.count() == 1
    assert status.inner_text() == "Zeilen 1–1 von 1"
    page.fill("#table-filter", "gibt es nicht")
    assert rows.count() == 0
    assert status.inner_text() == "Kein Gebiet passt (von 17)."


def test_a_city_table_is_not_paged(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    assert page.locator("#values-table tbody.areas tr").count() == 17
    assert page.locator("#table-pager").is_hidden()


def test_ranks_count_the_greater_values_and_ties_share_one(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    cells = page.locator("#values-table tbody.areas tr").evaluate_all(
        "rows => rows.map(r => [r.children[3].textContent, r.children[4].textContent])"
    )
    values = {i: float(v.replace(".", "").replace(",", ".")) for i, (v, r) in enumerate(cells)
              if r}  # fmt: skip
    for i, (_, rank) in enumerate(cells):
        if i in values:
            assert int(rank) == 1 + sum(other > values[i] for other in values.values())
    assert sorted(int(r) for _, r in cells if r)[0] == 1


def test_the_english_map_s_scripts_speak_english_with_english_numbers(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023&lang=en")
    assert page.locator("#map-status").inner_text() == "17 districts shown"
    assert "withheld (confidentiality)" in page.locator("#legend").inner_text()
    assert "118,705" in page.locator("#legend").inner_text()


def test_going_back_to_a_class_count_the_map_does_not_offer_keeps_the_one_shown(atlas, page):
    view = "/?indicator=kinderarmut&year=2023&classes="
    open_map(page, atlas.url + view + "4")
    for classes in ("9", "6"):
        page.evaluate("(search) => history.pushState(null, '', search)", view + classes)
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#legend .swatch[data-colour]').length === 4")
    assert page.locator("#classes").input_value() == "4"


def test_the_reference_is_in_sight_in_table_tooltip_and_legend(atlas, page):
    open_map(page, atlas.url + "/bezirk/2/?indicator=kinderarmut&year=2023")
    references = page.locator("#values-table tbody.reference tr")
    assert references.count() == 2
    assert references.nth(0).locator("th").inner_text() == "Süd"
    assert references.nth(1).locator("th").inner_text() == "Stadt"
    city = references.nth(1).locator("td.value").inner_text()
    assert re.fullmatch(r"\d+,\d", city), city
    assert page.locator("#values-table thead").inner_text().count("Rang in Süd") == 1
    legend = page.locator("#legend").inner_text()
    assert "5 Quantile: je etwa gleich viele Gebiete" in legend
    assert f"Stadt: {city}" in legend.replace("\n", " ") or city in legend
    page.locator("#values-table tbody.areas tr").first.hover()
    page.locator(".leaflet-tooltip").wait_for()
    assert f"Stadt: {city}" in page.locator(".leaflet-tooltip").inner_text()


def test_a_city_view_names_its_rank_plainly_and_explains_approximate_values(atlas, page):
    open_map(page, atlas.url + "/?indicator=sgb-ii-quote&level=stadtbezirk&year=2023")
    header = page.locator("#values-table thead").inner_text()
    assert "Rang" in header and "Rang in" not in header
    notes = page.locator("#table-notes")
    assert notes.is_visible() and "≈ angenähert: aus Teilen" in notes.inner_text()
    assert page.locator("#values-table tbody.reference tr").count() == 1


def test_a_view_travels_through_the_stadtbezirk_links_and_a_profile(atlas, page):
    open_map(page, atlas.url + "/?indicator=einwohner&year=2023")
    page.select_option("#year", "2020")
    page.wait_for_function("location.search.includes('year=2020')")
    page.click(".bezirk-switch a:text('Süd')")
    page.wait_for_selector("#map[data-drawn]")
    assert (
        "/bezirk/2/" in page.url and "indicator=einwohner" in page.url and "year=2020" in page.url
    )
    assert page.locator("#indicator").input_value() == "einwohner"
    page.locator("#values-table tbody.areas a").first.click()
    page.wait_for_selector("h1")
    assert "indicator=einwohner" in page.url and "year=2020" in page.url
    page.click("text=← zur Karte")
    page.wait_for_selector("#map[data-drawn]")
    assert page.locator("#indicator").input_value() == "einwohner"
    assert page.locator("#year").input_value() == "2020"
