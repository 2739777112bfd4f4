"""Colour contrast as WCAG 2.1 measures it, for the tests of the map colours and the style sheet:
relative luminance, contrast ratio, translucent fills.

Text needs 4.5:1 against its background (success criterion 1.4.3), lines and other graphics
that carry meaning need 3:1 against what they touch (1.4.11).
"""

import itertools
import re

TEXT_MINIMUM = 4.5
GRAPHICS_MINIMUM = 3.0

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")


def parse_color(color: str) -> tuple[tuple[int, int, int], float]:
    """``#rgb``, ``#rrggbb``, ``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as ((r, g, b), alpha)."""
    text = color.strip()
    if match := _HEX.fullmatch(text):
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        rgb = tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
        return rgb, 1.0
    if match := _RGB.fullmatch(text):
        rgb = tuple(int(match.group(i)) for i in (1, 2, 3))
        alpha = float(match.group(4)) if match.group(4) is not None else 1.0
        if max(rgb) > 255 or not 0 <= alpha <= 1:
            raise ValueError(f"colour out of range: {color!r}")
        return rgb, alpha
    raise ValueError(f"not a colour: {color!r}")


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def composite(color: str, background: str, opacity: float = 1.0) -> str:
    """The opaque colour seen where ``color`` (times ``opacity``) lies over ``background``.

    Browsers and the canvas blend in sRGB values, not in linear light, so this does too.
    """
    rgb, alpha = parse_color(color)
    under, under_alpha = parse_color(background)
    if under_alpha < 1:
        raise ValueError(f"the background must be opaque: {background!r}")
    a = alpha * opacity
    return to_hex(tuple(round(a * c + (1 - a) * u) for c, u in zip(rgb, under, strict=True)))


def relative_luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of an opaque colour: 0 for black, 1 for white."""
    rgb, alpha = parse_color(color)
    if alpha < 1:
        raise ValueError(f"composite a translucent colour first: {color!r}")

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter colour: from 1 (same) to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def adjacent_contrasts(colors: list[str]) -> list[float]:
    """Contrast ratio of each colour of a scale with the next one."""
    return [contrast_ratio(a, b) for a, b in itertools.pairwise(colors)]


def cased_line_visible(fill: str, *, core: str, casing: str) -> bool:
    """Whether a line of ``core`` colour drawn on a wider ``casing`` line stands out on ``fill``.

    The core always touches the casing; the pair is seen wherever either of them has 3:1
    against the fill (and the core 3:1 against the casing).
    """
    return contrast_ratio(core, casing) >= GRAPHICS_MINIMUM and (
        contrast_ratio(core, fill) >= GRAPHICS_MINIMUM
        or contrast_ratio(casing, fill) >= GRAPHICS_MINIMUM
    )
