"""Names and orientation on the map without a base map (static/atlas/js/map/labels.js)."""

import pytest

pytestmark = pytest.mark.browser

NAMES = ".leaflet-labels-pane .area-label:not(.neighbour-label)"
NEIGHBOURS = ".leaflet-labels-pane .neighbour-label"
SETTLED = "!document.querySelector('#map').classList.contains('leaflet-zoom-anim')"


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_selector(NEIGHBOURS)
    return page


def boxes(page, selector: str) -> list[dict]:
    return [element.bounding_box() for element in page.locator(selector).all()]


def overlapping(boxes: list[dict]) -> list[tuple[dict, dict]]:
    def meet(a, b):
        return (
            a["x"] < b["x"] + b["width"]
            and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"]
            and b["y"] < a["y"] + a["height"]
        )

    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if meet(a, b)]


def inside(box: dict, frame: dict) -> bool:
    return (
        frame["x"] <= box["x"] + box["width"] / 2 <= frame["x"] + frame["width"]
        and frame["y"] <= box["y"] + box["height"] / 2 <= frame["y"] + frame["height"]
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_area_names_stand_on_the_map_and_never_overlap(atlas, browser, width):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="de-DE", bypass_csp=True
    )
    page = open_map(context.new_page(), atlas.url + "/")
    page.locator("#map").scroll_into_view_if_needed()
    names = page.locator(NAMES).all_inner_texts()
    # Most of the 17 districts are named, the large northern ones always; the rest have
    # names only further in.
    assert len(names) >= 10, names
    assert any(name.startswith("Kirchhellen") for name in names)
    every = boxes(page, ".leaflet-labels-pane .area-label")
    assert overlapping(every) == []
    frame = page.locator("#map").bounding_box()
    assert all(inside(box, frame) for box in every)
    size = page.locator(NAMES).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 12
    context.close()


def test_zooming_in_names_every_district_of_the_dense_south(atlas, page):
    open_map(page, atlas.url + "/")
    label = page.locator(".leaflet-labels-pane .area-label", has_text="Altstadt").bounding_box()
    # The wheel zooms in around the pointer, here Altstadt, one level (60 pixels a level).
    page.mouse.move(label["x"] + label["width"] / 2, label["y"] + label["height"] / 2)
    page.mouse.wheel(0, -60)
    page.wait_for_timeout(700)
    page.wait_for_function(SETTLED)
    page.wait_for_timeout(300)
    names = " ".join(page.locator(NAMES).all_inner_texts()).replace("\n", "")
    for name in ("Altstadt", "Innenstadt-Nordost", "Innenstadt-Südwest", "Batenbrock-Süd"):
        assert name in names, (name, names)
    assert overlapping(boxes(page, ".leaflet-labels-pane .area-label")) == []


def test_names_and_neighbours_can_be_switched_off_and_stay_off(atlas, page):
    open_map(page, atlas.url + "/")
    assert page.locator(NEIGHBOURS).count() >= 5
    assert "Gladbeck" in page.locator(NEIGHBOURS).all_inner_texts()
    assert "Land NRW" in page.locator(".leaflet-control-attribution").inner_text()
    page.get_by_label("Gebietsnamen").uncheck()
    page.get_by_label("Nachbargemeinden").uncheck()
    assert page.locator(".leaflet-labels-pane .area-label").count() == 0
    assert page.locator("#map").get_attribute("data-labels") == "0"
    # The choice is kept for the next view.
    page.goto(atlas.url + "/?indicator=einwohner")
    page.wait_for_selector("#map[data-drawn]")
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-labels-pane .area-label").count() == 0
    assert not page.get_by_label("Gebietsnamen").is_checked()
    page.get_by_label("Gebietsnamen").check()
    page.wait_for_selector(NAMES)


def test_a_bezirk_view_names_only_its_own_districts(atlas, page):
    open_map(page, atlas.url + "/bezirk/3/")
    names = " ".join(page.locator(NAMES).all_inner_texts()).replace("\n", "")
    assert "Kirchhellen-Mitte" in names
    for outside in ("Altstadt", "Boy", "Eigen", "Welheim"):
        assert outside not in names
