"""The report's charts: SVG that stands inline in a page, PNG for the Word file, numbers in the
reader's format, gaps where values are withheld, the same bytes for the same input."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from PIL import Image

from reports import charts
from reports.drawn import DRAWN

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
YEARS = [2019, 2020, 2021, 2022, 2023]


def series_chart(values, *, language="de", city=(21.0,) * 5, **kwargs):
    return charts.time_series(
        title="Kinderarmut",
        alt="Kinder in Bedarfsgemeinschaften 2019 bis 2023",
        unit="%",
        years=YEARS,
        series=[charts.Series("Stadtmitte", values), charts.Series("Stadt", city, True)],
        decimals=1,
        language=language,
        **kwargs,
    )


def comparison_chart(values, *, language="de"):
    return charts.comparison(
        title="Vergleich",
        alt="Einwohner je Bezirk",
        unit="Personen",
        labels=[f"Bezirk {i}" for i in range(len(values))],
        values=values,
        reference_label="Stadt",
        reference=sum(v for v in values if v) / len(values),
        decimals=1,
        language=language,
    )


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [t.text for t in parsed(svg).iter(f"{SVG}text")]


def group(root: ET.Element, gid: str) -> ET.Element:
    (found,) = [g for g in root.iter(f"{SVG}g") if g.get("id", "").endswith("-" + gid)]
    return found


def marker_xs(root: ET.Element, gid: str) -> list[float]:
    return [float(use.get("x")) for use in group(root, gid).iter(f"{SVG}use")]


def value_ticks(shown: list[str]) -> list[str]:
    """The numbers written on a time series' value axis (the years left out)."""
    return [t for t in shown if re.fullmatch(r"[\d.,]+", t) and t not in map(str, YEARS)]


def tick_x(root: ET.Element, label: str) -> float:
    (x,) = [float(t.get("x")) for t in root.iter(f"{SVG}text") if t.text == label]
    return x


def test_the_svg_is_an_image_named_by_its_alt_text():
    root = parsed(series_chart([20.1, 21.3, 22.0, 22.5, 23.0]).svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Kinder in Bedarfsgemeinschaften 2019 bis 2023"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Kinder in Bedarfsgemeinschaften 2019 bis 2023"
    assert (root.get("width"), root.get("height")) == ("160mm", "96mm")


def test_the_alt_text_is_escaped():
    chart = charts.comparison(
        title="",
        alt='Anteil "alt" <50 & mehr',
        unit="%",
        labels=["A", "B"],
        values=[1, 2],
        reference_label="Stadt",
        reference=None,
        decimals=0,
        language="de",
    )

    root = parsed(chart.svg)

    assert root.get("aria-label") == 'Anteil "alt" <50 & mehr'
    assert root[0].text == 'Anteil "alt" <50 & mehr'


def test_backslashes_and_dollar_signs_in_names_are_text():
    name = r"Gebiet \q $\frac$ 5 $"
    chart = charts.time_series(
        title="Kinderarmut",
        alt=f"Zeitreihe: {name}",
        unit="%",
        years=YEARS,
        series=[charts.Series(name, [20.1, 21.3, 22.0, 22.5, 23.0])],
        decimals=1,
        language="de",
    )

    root = parsed(chart.svg)

    assert root.get("aria-label") == f"Zeitreihe: {name}"
    assert name in texts(chart.svg)


def test_the_svg_uses_no_css_and_refers_to_nothing_outside_itself():
    svg = series_chart([20.1, None, 22.0, charts.Value(22.5, approximate=True), 23.0]).svg
    root = parsed(svg)

    assert "<!DOCTYPE" not in svg and "<?xml" not in svg
    assert not list(root.iter(f"{SVG}style"))
    assert not [e for e in root.iter() if "style" in e.attrib]
    links = [e.get(XLINK) or e.get("href") for e in root.iter()]
    assert all(link.startswith("#") for link in links if link)
    clips = [e.get("clip-path") for e in root.iter() if e.get("clip-path")]
    assert clips and all(c.startswith("url(#") for c in clips)


def test_every_reference_in_the_svg_finds_its_id():
    root = parsed(series_chart([20.1, None, 22.0, 22.5, 23.0], band=True).svg)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    targets = {e.get(XLINK)[1:] for e in root.iter() if e.get(XLINK)}
    targets |= {
        re.fullmatch(r"url\(#(.+)\)", e.get("clip-path"))[1]
        for e in root.iter()
        if e.get("clip-path")
    }

    assert len(ids) == len(set(ids))
    assert targets and targets <= set(ids)


def test_two_charts_on_one_page_share_no_id():
    one = parsed(series_chart([20.1, 21.3, 22.0, 22.5, 23.0]).svg)
    other = parsed(series_chart([20.1, 21.3, 22.0, 22.5, 24.0]).svg)

    def ids(root):
        return {e.get("id") for e in root.iter() if e.get("id")}

    assert ids(one) and ids(other)
    assert not ids(one) & ids(other)


def test_german_ticks_have_decimal_commas_and_thousands_points():
    small = texts(series_chart([0.2, 0.4, 0.5, 0.9, 1.3], city=[0.6] * 5).svg)
    large = texts(comparison_chart([1200.5, 2650.25, 900.0]).svg)

    ticks = value_ticks(small)
    assert len(ticks) >= 3 and all(re.fullmatch(r"\d,\d+", t) for t in ticks)
    assert {"1.000", "1.500", "2.650,3"} <= set(large)


def test_english_ticks_have_decimal_points_and_thousands_commas():
    small = texts(series_chart([0.2, 0.4, 0.5, 0.9, 1.3], language="en", city=[0.6] * 5).svg)
    large = texts(comparison_chart([1200.5, 2650.25, 900.0], language="en").svg)

    ticks = value_ticks(small)
    assert len(ticks) >= 3 and all(re.fullmatch(r"\d\.\d+", t) for t in ticks)
    assert {"1,000", "1,500", "2,650.3"} <= set(large)


def test_negative_ticks_carry_a_minus_sign():
    shown = texts(comparison_chart([-1.5, 2.0, -0.5]).svg)

    assert {"−1", "−1,5", "−0,5"} <= set(shown)
    assert not [t for t in shown if t.startswith("-")]


def test_ticks_get_the_decimals_their_steps_need():
    assert charts.tick_decimals([0, 5, 10]) == 0
    assert charts.tick_decimals([0, 2.5, 5]) == 1
    assert charts.tick_decimals([0.0, 0.25, 0.5]) == 2


def test_a_number_that_rounds_to_zero_shows_no_sign():
    with translation.override("de"):
        assert charts.number_text(-0.04, 1) == "0,0"
        assert charts.number_text(-1234.56, 1) == "−1.234,6"


def test_a_withheld_value_leaves_a_gap_in_its_line():
    root = parsed(series_chart([20.1, 21.3, None, 22.5, 23.0]).svg)
    xs = marker_xs(root, "series-1")
    line = group(root, "series-1").find(f"{SVG}path")

    assert len(xs) == 4
    assert all(abs(x - tick_x(root, "2021")) > 1 for x in xs)
    years = [2019, 2020, 2022, 2023]
    assert all(abs(x - tick_x(root, str(y))) < 0.01 for x, y in zip(xs, years, strict=True))
    assert line.get("d").count("M") == 2  # two pieces, not one line across the gap


def test_a_line_without_gaps_is_one_piece():
    root = parsed(series_chart([20.1, 21.3, 21.8, 22.5, 23.0]).svg)

    assert len(marker_xs(root, "series-1")) == 5
    assert group(root, "series-1").find(f"{SVG}path").get("d").count("M") == 1


def test_an_approximate_point_is_drawn_hollow_and_explained():
    chart = series_chart([20.1, 21.3, charts.Value(22.0, approximate=True), 22.5, 23.0])
    root = parsed(chart.svg)
    (hollow,) = group(root, "series-1-approximate").iter(f"{SVG}use")

    assert abs(float(hollow.get("x")) - tick_x(root, "2021")) < 0.01
    assert hollow.get("fill") == "#ffffff"
    assert len(marker_xs(root, "series-1")) == 4
    assert "ungefährer Wert" in texts(chart.svg)


def test_the_interval_band_is_drawn_only_when_asked():
    values = [charts.Value(20 + i, low=19 + i, high=21 + i) for i in range(5)]
    root = parsed(series_chart(values, band=True).svg)

    assert group(root, "series-1-band").find(f".//{SVG}path") is not None
    assert "95-%-Konfidenzintervall" in texts(series_chart(values, band=True).svg)
    assert "95-%-Konfidenzintervall" not in texts(series_chart(values).svg)


def test_series_differ_in_line_style_and_marker_not_only_in_colour():
    chart = charts.time_series(
        title="",
        alt="drei Bezirke",
        unit="%",
        years=YEARS,
        series=[charts.Series(name, [1, 2, 3, 4, 5]) for name in ("A", "B", "C")],
        decimals=0,
        language="de",
    )
    root = parsed(chart.svg)
    paths = [group(root, f"series-{i}").find(f"{SVG}path") for i in (1, 2, 3)]
    markers = [group(root, f"series-{i}").find(f".//{SVG}use").get(XLINK) for i in (1, 2, 3)]

    assert len({p.get("stroke-dasharray") for p in paths}) == 3
    assert len(set(markers)) == 3


def test_the_same_input_gives_the_same_bytes():
    values = [20.1, None, charts.Value(22.0, approximate=True, low=20, high=24), 22.5, 23.0]

    first = series_chart(values, band=True)
    DRAWN.clear()  # drawn again, not the kept drawing
    second = series_chart(values, band=True)

    assert first.svg == second.svg
    assert first.png == second.png


def test_the_png_is_drawn_at_200_dpi_for_the_width_in_mm():
    chart = series_chart([20.1, 21.3, 22.0, 22.5, 23.0])
    image = Image.open(io.BytesIO(chart.png))

    assert image.format == "PNG"
    width, height = image.size
    assert abs(width - 160 / 25.4 * 200) < 1 and abs(height - 96 / 25.4 * 200) < 1
    assert [round(d) for d in image.info["dpi"]] == [200, 200]


def test_the_comparison_writes_a_symbol_for_a_withheld_bar_and_the_city_line():
    chart = charts.comparison(
        title="",
        alt="Vergleich",
        unit="%",
        labels=["Eigen", "Boy", "Welheim"],
        values=[12.5, charts.Value(None, symbol="."), charts.Value(8.25, approximate=True)],
        reference_label="Stadt",
        reference=10.0,
        decimals=1,
        language="de",
    )
    shown = texts(chart.svg)

    assert {"12,5", ".", "≈ 8,3", "Stadt: 10,0"} <= set(shown)
    assert group(parsed(chart.svg), "reference") is not None


def test_the_ranking_sorts_from_the_top_and_sets_the_bezirk_in_bold():
    chart = charts.ranking(
        title="",
        alt="Rangfolge",
        unit="%",
        labels=["Eigen", "Boy", "Welheim", "Batenbrock"],
        values=[5.0, 20.0, None, 12.5],
        highlighted=[False, True, True, False],
        reference_label="Stadt",
        reference=11.0,
        decimals=1,
        language="de",
    )
    root = parsed(chart.svg)
    names = {
        t.text: t
        for t in root.iter(f"{SVG}text")
        if t.text in ("Eigen", "Boy", "Welheim", "Batenbrock")
    }

    def y(name):
        return float(names[name].get("y") or names[name].get("transform").split()[-1][:-1])

    assert sorted(names, key=y) == ["Boy", "Batenbrock", "Eigen", "Welheim"]
    assert names["Boy"].get("font-weight") in ("bold", "700")
    assert names["Welheim"].get("font-weight") in ("bold", "700")
    assert names["Eigen"].get("font-weight") is None
    assert "–" in texts(chart.svg)  # Welheim: no bar, its symbol


def test_the_scatter_names_each_area_and_leaves_out_areas_missing_a_value():
    chart = charts.scatter(
        title="",
        alt="SGB II und Ältere",
        x_label="SGB-II-Quote (%)",
        y_label="Ältere (%)",
        labels=["Eigen", "Boy", "Welheim"],
        x=[10.5, 20.0, None],
        y=[25.0, 18.5, 30.0],
        reference_label="Stadt",
        reference=(15.0, 22.0),
        language="de",
    )
    shown = texts(chart.svg)

    assert {"Eigen", "Boy", "SGB-II-Quote (%)", "Ältere (%)", "Stadt"} <= set(shown)
    assert "Welheim" not in shown


@pytest.mark.parametrize("language,men,women", [("de", "Männer", "Frauen"), ("en", "Men", "Women")])
def test_the_pyramid_has_men_left_women_right_and_no_negative_shares(language, men, women):
    chart = charts.pyramid(
        title="",
        alt="Altersaufbau",
        unit="%",
        age_groups=["0–17", "18–64", "65+"],
        men=[9.0, 30.0, None],
        women=[8.5, 29.0, 12.0],
        reference_label="Stadt",
        city_men=[9.5, 31.0, 9.0],
        city_women=[9.0, 28.5, 13.0],
        language=language,
    )
    root = parsed(chart.svg)
    shown = texts(chart.svg)

    assert tick_x(root, men) < tick_x(root, "0") < tick_x(root, women)
    assert not [t for t in shown if t.startswith(("−", "-"))]
    assert shown.count("20") == 2  # a tick on both halves, without a sign
    assert "–" in shown  # the men 65+: no bar
