"""One matplotlib figure, two files: SVG for the web page and the PDF, PNG for the Word file.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot), so requests drawing at the same
time share no state; the SVG is byte-for-byte the same for the same input (fixed hash salt, no
date), so a kept report does not change by being drawn again.
"""

import io
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import matplotlib

matplotlib.use("Agg")
# Text as outlines: the PDF and every browser show the same letters without the font.
matplotlib.rcParams.update(
    {"svg.hashsalt": "atlas", "svg.fonttype": "path", "font.family": "DejaVu Sans"}
)

from matplotlib.figure import Figure  # noqa: E402

MM = 1 / 25.4
PNG_DPI = 200


@dataclass(frozen=True)
class Drawing:
    svg: str
    png: bytes
    width_mm: float
    height_mm: float


def canvas(*, width_mm: float, height_mm: float):
    figure = Figure(figsize=(width_mm * MM, height_mm * MM))
    axes = figure.add_subplot()
    return figure, axes


def drawing(figure: Figure, *, alt: str, width_mm: float) -> Drawing:
    height = figure.get_size_inches()[1]
    svg_file = io.StringIO()
    figure.savefig(svg_file, format="svg", metadata={"Date": None})
    png_file = io.BytesIO()
    figure.savefig(png_file, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return Drawing(
        svg=_accessible(svg_file.getvalue(), alt),
        png=png_file.getvalue(),
        width_mm=width_mm,
        height_mm=round(height / MM, 1),
    )


STYLE = re.compile(r'style="([^"]*)"')
STYLE_SHEET = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)


def _as_attributes(match: re.Match) -> str:
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return " ".join(f"{name.strip()}={quoteattr(value.strip())}" for name, value in pairs)


def presentational(svg: str) -> str:
    """Styles as SVG presentation attributes: the site's Content-Security-Policy allows no
    inline styles, and a figure drawn with them would be black on the page."""
    return STYLE.sub(_as_attributes, STYLE_SHEET.sub("", svg))


def _accessible(svg: str, alt: str) -> str:
    """Inline SVG as one image with its text alternative: no XML prolog or DOCTYPE, which
    HTML does not allow inside a page, and role="img" with a title."""
    start = svg.index("<svg")
    svg = presentational(svg[start:])
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label={quoteattr(alt)} ', svg, count=1)
    head_end = svg.index(">") + 1
    return svg[:head_end] + f"<title>{escape(alt)}</title>" + svg[head_end:]
