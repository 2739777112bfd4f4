"""Contrast of the map colours and of the style sheet's text, measured as WCAG 2.1 does."""

import re
from pathlib import Path

import pytest

from indicators.classify import SEQUENTIAL, palette
from indicators.models import CLASS_COUNTS
from tests.contrast import (
    GRAPHICS_MINIMUM,
    TEXT_MINIMUM,
    adjacent_contrasts,
    cased_line_visible,
    composite,
    contrast_ratio,
    parse_color,
    relative_luminance,
)

CSS = Path(__file__).resolve().parents[2] / "static" / "atlas" / "css" / "atlas.css"
# The map draws its fills at 85 % opacity over the map background; without a base map they
# could be opaque. Both must work.
FILL_OPACITIES = (0.85, 1.0)
# District boundaries: a dark core line on a wider white casing.
OUTLINE_CORE = "#333333"
OUTLINE_CASING = "#ffffff"
# Fills of the map that are not a class colour: no value, and the hatching of withheld values.
OTHER_FILLS = ("#ffffff", "#8c8c8c")


def parse_css(text: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Custom properties of ``:root`` and, per single selector, its declarations (last wins)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip()] = value.strip()
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    variables = {k: v for k, v in rules.get(":root", {}).items() if k.startswith("--")}
    return variables, rules


def css_color(selector: str, prop: str) -> str:
    variables, rules = parse_css(CSS.read_text(encoding="utf-8"))
    value = rules[selector][prop]
    value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)], value)
    # A shorthand (background, border, outline): its colour is the part that parses as one.
    for part in re.findall(r"rgba?\([^)]*\)|#[0-9a-fA-F]{3,6}\b", value):
        return part
    raise AssertionError(f"no colour in {selector} {{ {prop}: {value} }}")


def all_class_fills():
    for name in sorted(SEQUENTIAL):
        for k in CLASS_COUNTS:
            for opacity in FILL_OPACITIES:
                yield name, k, opacity, palette(name, k)


def map_background() -> str:
    return css_color("#map", "background")


# The measure itself


def test_black_on_white_is_21_to_1_and_a_colour_on_itself_1_to_1():
    assert contrast_ratio("#000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#00558c", "#00558c") == pytest.approx(1)
    assert contrast_ratio("#fff", "#000") == contrast_ratio("#000", "#fff")


def test_grey_777_just_misses_the_text_minimum_on_white():
    # The usual example: #777777 on white is 4.48:1, #767676 the lightest grey that passes.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") >= TEXT_MINIMUM


def test_relative_luminance_runs_from_black_to_white():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert relative_luminance("rgb(128, 128, 128)") == pytest.approx(0.2159, abs=1e-4)


def test_a_translucent_colour_is_measured_over_its_background():
    assert composite("rgba(255, 255, 255, 0.5)", "#000000") == "#808080"
    assert composite("#000000", "#ffffff", opacity=0.25) == "#bfbfbf"
    with pytest.raises(ValueError, match="composite"):
        relative_luminance("rgba(0, 0, 0, 0.5)")


@pytest.mark.parametrize("text", ["", "red", "#12345", "rgb(300, 0, 0)", "rgba(0,0,0,2)"])
def test_what_is_not_a_colour_is_refused(text):
    with pytest.raises(ValueError):
        parse_color(text)


# Map colours


def test_every_class_scale_runs_from_light_to_dark_by_at_least_3_to_1():
    for name, k, opacity, colors in all_class_fills():
        seen = [composite(c, map_background(), opacity) for c in colors]
        assert contrast_ratio(seen[0], seen[-1]) >= GRAPHICS_MINIMUM, (name, k, opacity)


def test_neighbouring_classes_never_look_equally_light():
    # Adjacent classes of five to seven cannot reach 3:1 (the values are therefore also given
    # as text in table, tooltip and legend), but no two may be of practically equal lightness.
    for name, k, opacity, colors in all_class_fills():
        seen = [composite(c, map_background(), opacity) for c in colors]
        assert min(adjacent_contrasts(seen)) >= 1.08, (name, k, opacity, seen)


def test_a_dark_line_on_a_white_casing_shows_on_every_fill():
    fills = [map_background(), *OTHER_FILLS]
    for _name, _k, opacity, colors in all_class_fills():
        fills += [composite(c, map_background(), opacity) for c in colors]
    visible = [cased_line_visible(f, core=OUTLINE_CORE, casing=OUTLINE_CASING) for f in fills]
    assert all(visible), [f for f, shown in zip(fills, visible, strict=True) if not shown]


def test_a_single_dark_outline_vanishes_on_the_darkest_classes():
    # Why the casing is needed: the dark line alone is lost on the dark end of every scale.
    lost = {
        name
        for name, k, opacity, colors in all_class_fills()
        if contrast_ratio(OUTLINE_CORE, composite(colors[-1], map_background(), opacity))
        < GRAPHICS_MINIMUM
    }
    assert lost == set(SEQUENTIAL)


def test_no_single_line_colour_reaches_3_to_1_on_both_ends_of_most_scales():
    # A line of luminance L has 3:1 to both ends of a scale only if
    # 3 (L_dark + 0.05) ≤ L + 0.05 ≤ (L_light + 0.05) / 3.
    def single_line_possible(colors):
        lums = [relative_luminance(composite(c, map_background(), 0.85)) for c in colors]
        return 3 * (min(lums) + 0.05) <= (max(lums) + 0.05) / 3

    possible = {name for name in SEQUENTIAL if single_line_possible(palette(name, 7))}
    assert len(possible) <= len(SEQUENTIAL) // 4, possible


# Style sheet

TEXT_PAIRS = [
    # (text: selector, property), (background: selector, property)
    ((":root", "color"), ("#white", "")),
    ((".site-title", "color"), (".site-header", "background")),
    ((".language-switch a", "color"), (".site-header", "background")),
    (
        ('.language-switch a[aria-current="true"]', "color"),
        ('.language-switch a[aria-current="true"]', "background"),
    ),
    ((".demo-badge", "color"), (".demo-badge", "background")),
    ((".indicator-info .meta", "color"), ("#white", "")),
    ((".legend .count", "color"), ("#white", "")),
    ((".values-table caption", "color"), ("#white", "")),
    ((".site-footer", "color"), ("#white", "")),
    ((".profile .muted", "color"), ("#white", "")),
    ((".indicator-info .notes", "color"), ("#white", "")),
]


def resolve(selector: str, prop: str) -> str:
    return "#ffffff" if selector == "#white" else css_color(selector, prop)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS, ids=lambda pair: pair[0])
def test_text_colours_have_4_5_to_1_against_their_background(text, background):
    ratio = contrast_ratio(resolve(*text), resolve(*background))
    assert ratio >= TEXT_MINIMUM, f"{text} on {background}: {ratio:.2f}:1"


def test_the_map_status_is_readable_over_the_map():
    behind = composite(css_color(".map-status", "background"), map_background())
    assert contrast_ratio(css_color(":root", "color"), behind) >= TEXT_MINIMUM


@pytest.mark.parametrize("selector", [".verdict-better::before", ".verdict-worse::before"])
def test_the_verdict_dots_have_3_to_1_against_white(selector):
    assert contrast_ratio(css_color(selector, "background"), "#ffffff") >= GRAPHICS_MINIMUM


def test_legend_swatches_have_a_border_that_shows_on_white():
    assert contrast_ratio(css_color(".swatch", "border"), "#ffffff") >= GRAPHICS_MINIMUM


@pytest.mark.parametrize(
    "background", [("#white", ""), (".site-header", "background"), ("#map", "background")]
)
def test_the_focus_ring_shows_on_every_background(background):
    # The ring is two colours (outline and shadow); one of them must stand out.
    ring = [css_color(":focus-visible", "outline"), css_color(":focus-visible", "box-shadow")]
    behind = resolve(*background)
    assert max(contrast_ratio(c, behind) for c in ring) >= GRAPHICS_MINIMUM
    assert contrast_ratio(*ring) >= GRAPHICS_MINIMUM
