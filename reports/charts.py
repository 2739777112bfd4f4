"""The report's charts, drawn for print by matplotlib: time series, comparison, ranking, scatter
and age pyramid, each as SVG (the web page and the PDF) and PNG (the Word file).

The inputs are plain data: labels, numbers or None, the unit, the language. A value that is
withheld or missing is None and leaves a gap (its symbol, "." or "–", is written where a bar
would stand); an approximate value gets a hollow marker or a hatched bar. Series differ in line
style and marker as well as in colour (Okabe–Ito), so that they stay apart in grey-scale print.

The SVG stands inline in a page (reports/inline_svg.py). The same input gives the same bytes.
"""

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import Formatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory, offset_copy

from indicators.presenters import shown
from reports.drawn import kept_drawing
from reports.inline_svg import inline_svg

# Read by the SVG and PNG writers from the global settings only. They are set once here and
# never changed, so charts drawn in parallel threads cannot see each other's settings; all
# else is passed to each figure and artist.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: searchable, selectable in the PDF
        "svg.hashsalt": "bottrop-sozialatlas",
        "svg.id": None,
        "font.family": ["DejaVu Sans"],
        "axes.unicode_minus": True,
        "text.parse_math": False,  # "$" in a name is a dollar sign, never mathtext
    }
)

PNG_DPI = 200
MM = 1 / 25.4  # inches
FONT_PT = 8
SMALL_PT = 7
TEXT = "#1a1a1a"
GRID = "#d9d9d9"
CITY = "#000000"
# Okabe–Ito colours with a line style and a marker each: apart in colour and in grey.
STYLES = (
    ("#0072b2", "-", "o"),
    ("#d55e00", (0, (6, 2)), "s"),
    ("#009e73", (0, (1, 1.5)), "^"),
    ("#cc79a7", (0, (6, 2, 1, 2)), "D"),
    ("#e69f00", (0, (3, 1.5)), "v"),
    ("#56b4e9", (0, (8, 2, 1, 2, 1, 2)), "P"),
)
CITY_STYLE = (CITY, (0, (4, 2)), "X")
BAR = "#0072b2"
BAR_MUTED = "#a6cbe3"  # the ranking's other areas: lighter, so the highlighted stand out
WOMEN = "#d55e00"
WOMEN_MUTED = "#f4c7a6"
APPROXIMATE_HATCH = "////"
# Behind a bar's value: the city's line is interrupted there rather than crossing the digits.
LABEL_BOX = {"facecolor": "#ffffff", "edgecolor": "none", "pad": 0.5}


@dataclass(frozen=True)
class Value:
    """A number as a chart shows it; None where it is withheld or missing (``symbol`` then
    stands in its place)."""

    number: float | None
    symbol: str = "–"
    approximate: bool = False
    low: float | None = None  # the 95 % interval, where there is one
    high: float | None = None


Number = Value | float | int | None


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Number]  # one per year
    reference: bool = False  # the city: black and dashed


@dataclass(frozen=True)
class Chart:
    svg: str
    png: bytes
    width_mm: float
    height_mm: float


@kept_drawing
def time_series(
    *,
    title: str,
    alt: str,
    unit: str,
    years: Sequence[int],
    series: Sequence[Series],
    decimals: int,
    language: str,
    band: bool = False,
    width_mm: float = 160,
    height_mm: float | None = None,
) -> Chart:
    """One line per area over the years; a gap where a value is None, a hollow marker where
    it is approximate, the 95 % interval as a band if ``band``."""
    height_mm = height_mm or round(width_mm * 0.6, 1)
    with translation.override(language):
        fig, ax = _figure(title, width_mm, height_mm)
        handles = []
        others = 0
        for line in series:
            if line.reference:
                colour, dashes, marker = CITY_STYLE
            else:
                colour, dashes, marker = STYLES[others % len(STYLES)]
                others += 1
            values = [_value(v) for v in line.values]
            ys = [math.nan if v.number is None else v.number for v in values]
            width = 2.0 if line.reference else 1.6
            drawn = ax.plot(
                years,
                ys,
                color=colour,
                linestyle=dashes,
                linewidth=width,
                marker=marker,
                markersize=4.5,
                markevery=[i for i, v in enumerate(values) if not v.approximate],
                label=line.label,
                gid=f"series-{len(handles) + 1}",
                zorder=3,
            )[0]
            rough = [(x, v.number) for x, v in zip(years, values, strict=True) if v.approximate]
            if rough:
                ax.plot(
                    [x for x, _y in rough],
                    [y for _x, y in rough],
                    linestyle="none",
                    marker=marker,
                    markersize=4.5,
                    markerfacecolor="#ffffff",
                    markeredgecolor=colour,
                    markeredgewidth=1.2,
                    gid=f"series-{len(handles) + 1}-approximate",
                    zorder=4,
                )
            if band:
                low = [math.nan if v.low is None else v.low for v in values]
                high = [math.nan if v.high is None else v.high for v in values]
                if any(not math.isnan(h) for h in high):
                    ax.fill_between(
                        years,
                        low,
                        high,
                        color=colour,
                        alpha=0.15,
                        linewidth=0,
                        gid=f"series-{len(handles) + 1}-band",
                        zorder=2,
                    )
            handles.append(drawn)
        extra = []
        if band:
            extra.append(Patch(facecolor="#000000", alpha=0.15, label=_("95-%-Konfidenzintervall")))
        if any(_value(v).approximate for line in series for v in line.values):
            extra.append(_hollow_handle())
        ax.set_xticks(list(years), [str(y) for y in years])
        ax.set_xlim(min(years) - 0.4, max(years) + 0.4)
        _value_axis(ax.yaxis, unit)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        _legend(fig, handles + extra)
        return render(fig, alt, width_mm, height_mm)


@kept_drawing
def comparison(
    *,
    title: str,
    alt: str,
    unit: str,
    labels: Sequence[str],
    values: Sequence[Number],
    reference_label: str,
    reference: Number,
    decimals: int,
    language: str,
    width_mm: float = 160,
    height_mm: float | None = None,
) -> Chart:
    """A bar per area in the given order, the city's value as a dashed line across."""
    height_mm = height_mm or round(width_mm * 0.55, 1)
    with translation.override(language):
        fig, ax = _figure(title, width_mm, height_mm)
        bars = [_value(v) for v in values]
        positions = range(len(bars))
        ax.bar(
            positions,
            [0 if v.number is None else v.number for v in bars],
            width=0.65,
            color=[BAR_MUTED if v.approximate else BAR for v in bars],
            hatch=[APPROXIMATE_HATCH if v.approximate else None for v in bars],
            edgecolor=BAR,
            linewidth=0.6,
            gid="bars",
            zorder=3,
        )
        _error_bars(ax, positions, bars, vertical=True)
        for x, v in zip(positions, bars, strict=True):
            # Above the bar and its interval.
            top = max(v.number or 0, v.high or 0) if _has_interval(v) else v.number or 0
            ax.text(
                x,
                top,
                _label(v, decimals),
                transform=_offset(ax, 0, 2 if (v.number or 0) >= 0 else -2),
                ha="center",
                va="bottom" if (v.number or 0) >= 0 else "top",
                fontsize=SMALL_PT,
                color=TEXT,
                bbox=LABEL_BOX,
            )
        handles = []
        city = _value(reference)
        if city.number is not None:
            handles.append(
                ax.axhline(
                    city.number,
                    color=CITY,
                    linestyle=CITY_STYLE[1],
                    linewidth=1.4,
                    label=f"{reference_label}: {_label(city, decimals)}",
                    gid="reference",
                    zorder=2.5,  # behind the bars: seen between them, never over a label
                )
            )
        if any(v.approximate for v in bars):
            handles.append(_hatched_handle())
        ax.set_xticks(list(positions), [_wrap(label) for label in labels])
        ax.tick_params(axis="x", length=0)
        ax.axhline(0, color=TEXT, linewidth=0.8, zorder=3)
        _value_axis(ax.yaxis, unit)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        _legend(fig, handles)
        return render(fig, alt, width_mm, height_mm)


@kept_drawing
def ranking(
    *,
    title: str,
    alt: str,
    unit: str,
    labels: Sequence[str],
    values: Sequence[Number],
    highlighted: Sequence[bool] = (),
    reference_label: str = "",
    reference: Number = None,
    decimals: int,
    language: str,
    width_mm: float = 160,
    height_mm: float | None = None,
) -> Chart:
    """The areas as horizontal bars from the highest value down, the ``highlighted`` (a
    Bezirk's districts) dark with bold names, the others light; areas without a value
    last, with their symbol and no rank."""
    highlighted = tuple(highlighted) or (False,) * len(labels)
    rows = [
        (label, _value(v), mark) for label, v, mark in zip(labels, values, highlighted, strict=True)
    ]
    # Ties by name, so that the same values always draw alike.
    ranked = sorted(
        (r for r in rows if r[1].number is not None), key=lambda r: (-r[1].number, r[0])
    )
    ranked += [r for r in rows if r[1].number is None]
    height_mm = height_mm or round(24 + 5.2 * len(ranked), 1)
    with translation.override(language):
        fig, ax = _figure(title, width_mm, height_mm)
        positions = range(len(ranked))
        numbers = [0 if v.number is None else v.number for _area, v, _mark in ranked]
        ax.barh(
            positions,
            numbers,
            height=0.7,
            color=[_shade(v, mark) for _area, v, mark in ranked],
            hatch=[APPROXIMATE_HATCH if v.approximate else None for _area, v, _mark in ranked],
            edgecolor=[BAR if mark else "#5b8fb5" for _area, _v, mark in ranked],
            linewidth=0.6,
            gid="bars",
            zorder=3,
        )
        for y, (_area, v, _mark) in zip(positions, ranked, strict=True):
            ax.text(
                0 if v.number is None else v.number,
                y,
                _label(v, decimals),
                transform=_offset(ax, 2 if (v.number or 0) >= 0 else -2, 0),
                ha="left" if (v.number or 0) >= 0 else "right",
                va="center",
                fontsize=SMALL_PT,
                color=TEXT,
                bbox=LABEL_BOX,
            )
        # The names as texts, not tick labels: a third less time with 17 areas and more.
        ax.set_yticks([])
        names = offset_copy(
            blended_transform_factory(ax.transAxes, ax.transData), fig, x=-3, units="points"
        )
        for y, (area, _v, mark) in zip(positions, ranked, strict=True):
            ax.text(
                0,
                y,
                area,
                transform=names,
                ha="right",
                va="center",
                fontsize=SMALL_PT,
                fontweight="bold" if mark else "normal",
                color=TEXT,
            )
        ax.invert_yaxis()
        ax.axvline(0, color=TEXT, linewidth=0.8, zorder=3)
        handles = []
        city = _value(reference)
        if city.number is not None:
            handles.append(
                ax.axvline(
                    city.number,
                    color=CITY,
                    linestyle=CITY_STYLE[1],
                    linewidth=1.4,
                    label=f"{reference_label}: {_label(city, decimals)}",
                    gid="reference",
                    zorder=2.5,
                )
            )
        if any(v.approximate for _area, v, _mark in ranked):
            handles.append(_hatched_handle())
        _value_axis(ax.xaxis, unit)
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.margins(x=0.12)
        _legend(fig, handles)
        return render(fig, alt, width_mm, height_mm)


@kept_drawing
def scatter(
    *,
    title: str,
    alt: str,
    x_label: str,
    y_label: str,
    labels: Sequence[str],
    x: Sequence[Number],
    y: Sequence[Number],
    reference_label: str = "",
    reference: tuple[Number, Number] = (None, None),
    language: str,
    width_mm: float = 160,
    height_mm: float | None = None,
) -> Chart:
    """Two indicators of the same areas, one point per area with its name; an area missing
    either value is left out, an approximate point is hollow, the city a black cross."""
    height_mm = height_mm or round(width_mm * 0.7, 1)
    with translation.override(language):
        fig, ax = _figure(title, width_mm, height_mm)
        points = [(label, _value(a), _value(b)) for label, a, b in zip(labels, x, y, strict=True)]
        points = [p for p in points if p[1].number is not None and p[2].number is not None]
        exact = [p for p in points if not (p[1].approximate or p[2].approximate)]
        rough = [p for p in points if p[1].approximate or p[2].approximate]
        colour, _dashes, marker = STYLES[0]
        for group, face, gid in ((exact, colour, "points"), (rough, "#ffffff", "approximate")):
            if group:
                ax.scatter(
                    [p[1].number for p in group],
                    [p[2].number for p in group],
                    s=22,
                    marker=marker,
                    facecolors=face,
                    edgecolors=colour,
                    linewidths=1.1,
                    gid=gid,
                    zorder=3,
                )
        for label, a, b in points:
            ax.text(
                a.number,
                b.number,
                label,
                transform=_offset(ax, 3, 3),
                fontsize=SMALL_PT - 0.5,
                color=TEXT,
            )
        handles = []
        city_x, city_y = _value(reference[0]), _value(reference[1])
        if city_x.number is not None and city_y.number is not None:
            handles.append(
                ax.scatter(
                    [city_x.number],
                    [city_y.number],
                    s=40,
                    marker="X",
                    color=CITY,
                    label=reference_label,
                    gid="reference",
                    zorder=4,
                )
            )
        if rough:
            handles.append(_hollow_handle(marker=marker, colour=colour))
        _value_axis(ax.xaxis, x_label)
        _value_axis(ax.yaxis, y_label)
        ax.grid(color=GRID, linewidth=0.6)
        ax.margins(0.08)
        _legend(fig, handles)
        return render(fig, alt, width_mm, height_mm)


@kept_drawing
def pyramid(
    *,
    title: str,
    alt: str,
    unit: str,
    age_groups: Sequence[str],
    men: Sequence[Number],
    women: Sequence[Number],
    reference_label: str,
    city_men: Sequence[Number] = (),
    city_women: Sequence[Number] = (),
    language: str,
    width_mm: float = 120,
    height_mm: float | None = None,
) -> Chart:
    """Shares by age group (youngest first in the input, drawn at the bottom), men to the
    left, women to the right, the city's shares as dashed outlines."""
    height_mm = height_mm or round(28 + 5 * len(age_groups), 1)
    with translation.override(language):
        fig, ax = _figure(title, width_mm, height_mm)
        positions = range(len(age_groups))
        for side, values, colour, muted, gid in (
            (-1, men, BAR, BAR_MUTED, "men"),
            (1, women, WOMEN, WOMEN_MUTED, "women"),
        ):
            bars = [_value(v) for v in values]
            ax.barh(
                positions,
                [side * (v.number or 0) for v in bars],
                height=0.8,
                color=[muted if v.approximate else colour for v in bars],
                hatch=[APPROXIMATE_HATCH if v.approximate else None for v in bars],
                edgecolor=colour,
                linewidth=0.5,
                gid=gid,
                zorder=2,
            )
            for y, v in zip(positions, bars, strict=True):
                if v.number is None:
                    ax.text(
                        0,
                        y,
                        v.symbol,
                        transform=_offset(ax, side * 3, 0),
                        ha="left" if side > 0 else "right",
                        va="center",
                        fontsize=SMALL_PT,
                        color=TEXT,
                    )
        for side, values, gid in ((-1, city_men, "city-men"), (1, city_women, "city-women")):
            if values:
                ax.barh(
                    positions,
                    [side * (_value(v).number or 0) for v in values],
                    height=0.8,
                    fill=False,
                    edgecolor=CITY,
                    linestyle=(0, (3, 1.5)),
                    linewidth=0.8,
                    gid=gid,
                    zorder=3,
                )
        ax.set_yticks(list(positions), list(age_groups))
        ax.tick_params(axis="y", length=0)
        ax.axvline(0, color=TEXT, linewidth=0.8, zorder=4)
        reach = max(
            (abs(_value(v).number or 0) for v in (*men, *women, *city_men, *city_women)),
            default=1,
        )
        ax.set_xlim(-reach * 1.12, reach * 1.12)
        _value_axis(ax.xaxis, unit, absolute=True)
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        for x, text in ((0.25, _("Männer")), (0.75, _("Frauen"))):
            ax.text(
                x,
                1.01,
                text,
                transform=ax.transAxes,
                ha="center",
                va="bottom",
                fontsize=FONT_PT,
                fontweight="bold",
            )
        handles = []
        if city_men or city_women:
            handles.append(
                Patch(
                    fill=False,
                    edgecolor=CITY,
                    linestyle=(0, (3, 1.5)),
                    linewidth=0.8,
                    label=reference_label,
                )
            )
        if any(_value(v).approximate for v in (*men, *women)):
            handles.append(_hatched_handle())
        _legend(fig, handles)
        return render(fig, alt, width_mm, height_mm)


# -- drawing -----------------------------------------------------------------------------


class GermanOrEnglishNumbers(Formatter):
    """Tick labels in the active language's number format (1.234,5 or 1,234.5), with as many
    decimals as the ticks need and a real minus sign; ``absolute`` drops the sign (the
    pyramid's men)."""

    def __init__(self, *, absolute: bool = False):
        self.absolute = absolute
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        self.decimals = tick_decimals(locs)

    def __call__(self, x, pos=None):
        return number_text(abs(x) if self.absolute else x, self.decimals)


def tick_decimals(locs: Sequence[float]) -> int:
    """The fewest decimals that write every tick exactly (0.25 steps: 2)."""
    for decimals in range(4):
        if all(abs(round(loc, decimals) - loc) < 1e-9 * max(1.0, abs(loc)) for loc in locs):
            return decimals
    return 4


def number_text(number: float, decimals: int) -> str:
    text = shown(number, decimals)
    if text.startswith("-"):
        # −0 rounds to 0 and shows no sign; the others get the minus sign of typesetting.
        text = "−" + text[1:] if text.strip("-0,.") else text[1:]
    return text


def _figure(title: str, width_mm: float, height_mm: float):
    fig = Figure(figsize=(width_mm * MM, height_mm * MM), layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=2 * MM, h_pad=2 * MM, wspace=0, hspace=0)
    ax = fig.add_subplot()
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=FONT_PT + 1, fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#737373")
    ax.tick_params(labelsize=SMALL_PT, colors=TEXT, width=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _offset(ax, dx: float, dy: float):
    """The data's position moved by (dx, dy) points: labels beside bars and points."""
    return offset_copy(ax.transData, ax.figure, x=dx, y=dy, units="points")


def _value_axis(axis, unit: str, *, absolute: bool = False) -> None:
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(GermanOrEnglishNumbers(absolute=absolute))
    axis.set_label_text(unit, fontsize=SMALL_PT, color=TEXT)


def _legend(fig, handles) -> None:
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(3, len(handles)),
            fontsize=SMALL_PT,
            frameon=False,
            handlelength=3,
        )


def _hollow_handle(*, marker: str = "o", colour: str = "#000000") -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=4.5,
        markerfacecolor="#ffffff",
        markeredgecolor=colour,
        label=_("ungefährer Wert"),
    )


def _hatched_handle() -> Patch:
    return Patch(
        facecolor=BAR_MUTED, edgecolor=BAR, hatch=APPROXIMATE_HATCH, label=_("ungefährer Wert")
    )


def _error_bars(ax, positions, values: list[Value], *, vertical: bool) -> None:
    known = [(p, v) for p, v in zip(positions, values, strict=True) if _has_interval(v)]
    if not known:
        return
    centres = [v.number for _p, v in known]
    spread = [
        [v.number - v.low for _p, v in known],
        [v.high - v.number for _p, v in known],
    ]
    ax.errorbar(
        [p for p, _v in known],
        centres,
        yerr=spread if vertical else None,
        xerr=None if vertical else spread,
        fmt="none",
        ecolor="#4d4d4d",
        elinewidth=0.8,
        capsize=2,
        gid="intervals",
        zorder=4,
    )


def _has_interval(v: Value) -> bool:
    return v.number is not None and v.low is not None and v.high is not None


def _value(v: Number) -> Value:
    return v if isinstance(v, Value) else Value(None if v is None else float(v))


def _label(v: Value, decimals: int) -> str:
    if v.number is None:
        return v.symbol
    return ("≈ " if v.approximate else "") + number_text(v.number, decimals)


def _shade(v: Value, highlighted: bool) -> str:
    if v.approximate:
        return "#ffffff"
    return BAR if highlighted else BAR_MUTED


def _wrap(label: str, width: int = 14) -> str:
    """Long area names on more lines below their bar, broken at spaces and hyphens."""
    return textwrap.fill(label, width=width, break_long_words=False)


# -- output ------------------------------------------------------------------------------


def render(fig: Figure, alt: str, width_mm: float, height_mm: float) -> Chart:
    """The figure as inline SVG and as PNG (the maps of reports/maps.py come here too)."""
    # The layout is found once, from the texts' sizes alone, and both drawings keep it (in
    # fractions of the figure, whatever the resolution): a third less time than letting each
    # savefig lay out the figure again in a drawing of its own.
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine("none")
    png = io.BytesIO()
    fig.savefig(
        png,
        format="png",
        dpi=PNG_DPI,
        metadata={"Software": None},
        pil_kwargs={"compress_level": 1},  # a third of the time, files a third larger
    )
    # Nothing that changes between runs: no date, no software version.
    svg = io.StringIO()
    fig.savefig(
        svg,
        format="svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    return Chart(
        svg=inline_svg(svg.getvalue(), alt=alt, width_mm=width_mm, height_mm=height_mm),
        png=png.getvalue(),
        width_mm=width_mm,
        height_mm=height_mm,
    )
