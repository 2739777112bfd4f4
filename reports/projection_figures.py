"""The projection's figures for pages and print, drawn by matplotlib as inline SVG: the map of
the probability of a Kita shortfall by statistical district, and a small fan chart (observed
years, then the projection's median dashed with its 50, 80 and 95 % intervals).

Both say what they show in their alt text and in words on the figure ("Vorausberechnung"),
and read in grey-scale print: the map's classes step in lightness, districts without known
places are hatched; the fan's bands step in lightness, the median is dashed.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from django.utils import translation
from django.utils.translation import gettext as _
from matplotlib.patches import Patch

from districts.models import District
from indicators.classify import palette
from indicators.presenters import shown

from .charts import (
    GRID,
    SMALL_PT,
    TEXT,
    Chart,
    _figure,
    _legend,
    _value_axis,
    render,
)
from .drawn import kept_drawing
from .maps import Area, LegendEntry, area_map

DISTRICT_LEVEL = "statistischer-bezirk"
# Upper limits of the probability classes (the last class runs to 100 %).
SHORTFALL_BREAKS = (0.1, 0.25, 0.5, 0.75, 0.9)
SHORTFALL_PALETTE = "OrRd"


def shortfall_class(probability: float) -> int:
    """The class of a probability: 0 below 10 %, … 5 from 90 %."""
    return sum(probability >= limit for limit in SHORTFALL_BREAKS)


def _percent(value: float) -> str:
    return f"{shown(value * 100, 0)} %"


def shortfall_legend() -> list[LegendEntry]:
    colours = palette(SHORTFALL_PALETTE, len(SHORTFALL_BREAKS) + 1)
    limits = (0.0, *SHORTFALL_BREAKS, 1.0)
    entries = [LegendEntry(colours[0], _("unter %(high)s") % {"high": _percent(limits[1])})]
    for i in range(1, len(limits) - 2):
        entries.append(
            LegendEntry(
                colours[i],
                _("%(low)s bis unter %(high)s")
                % {"low": _percent(limits[i]), "high": _percent(limits[i + 1])},
            )
        )
    entries.append(LegendEntry(colours[-1], _("%(low)s und mehr") % {"low": _percent(limits[-2])}))
    entries.append(LegendEntry(None, _("Plätze nicht bekannt")))
    return entries


def shortfall_map(*, probabilities: dict[str, float | None], year: int, alt: str) -> Chart:
    """The statistical districts valid at the end of ``year`` coloured by the probability of a
    Kita shortfall (code → probability, None where the places are unknown: hatched)."""
    colours = palette(SHORTFALL_PALETTE, len(SHORTFALL_BREAKS) + 1)
    districts = District.objects.valid_on(datetime.date(year, 12, 31)).filter(
        level__slug=DISTRICT_LEVEL, code__in=list(probabilities)
    )
    areas = []
    for district in districts.order_by("code"):
        probability = probabilities[district.code]
        colour = None if probability is None else colours[shortfall_class(probability)]
        shape = shapely.from_wkb(bytes(district.boundary.wkb))
        areas.append(Area(district.code, district.name, shape, colour))
    return area_map(
        areas=areas,
        legend=shortfall_legend(),
        legend_title=_("Wahrscheinlichkeit\neines Mangels"),
        alt=alt,
        width_mm=110,
    )


@dataclass(frozen=True)
class Fan:
    """A fan's numbers: the observed years and values (None: not shown), then the projected
    years with their quantiles in the order q025, q10, q25, median, q75, q90, q975."""

    label: str
    observed_years: Sequence[int]
    observed: Sequence[float | None]
    projected_years: Sequence[int]
    quantiles: Sequence[Sequence[float]]


FAN_COLOUR = "#0072b2"
# Bands from the widest (lightest) to the narrowest, by their quantile positions.
FAN_BANDS = ((95, 0, 6, 0.14), (80, 1, 5, 0.26), (50, 2, 4, 0.42))


@kept_drawing
def fan_chart(
    *, fan: Fan, title: str, alt: str, unit: str, language: str, width_mm: float = 120
) -> Chart:
    """One area's observed line continued by its projection's fan, "Vorausberechnung" written
    over the projected years beside a thin line where they start."""
    height_mm = round(width_mm * 0.55, 1)
    with translation.override(language):
        fig, ax = _figure(title, width_mm, height_mm)
        observed = [(y, v) for y, v in zip(fan.observed_years, fan.observed, strict=True)]
        shown_points = [(y, v) for y, v in observed if v is not None]
        ax.plot(
            [y for y, _v in observed],
            [math.nan if v is None else v for _y, v in observed],
            color=FAN_COLOUR,
            linewidth=1.6,
            marker="o",
            markersize=3,
            label=fan.label,
            gid="observed",
            zorder=3,
        )
        start = shown_points[-1:] if shown_points else []
        years = [y for y, _v in start] + list(fan.projected_years)
        handles = [ax.lines[0]]
        for level, low, high, alpha in FAN_BANDS:
            lows = [v for _y, v in start] + [q[low] for q in fan.quantiles]
            highs = [v for _y, v in start] + [q[high] for q in fan.quantiles]
            ax.fill_between(
                years, lows, highs, color=FAN_COLOUR, alpha=alpha, linewidth=0,
                gid=f"band-{level}", zorder=2,
            )  # fmt: skip
            handles.append(
                Patch(
                    facecolor=FAN_COLOUR,
                    alpha=alpha,
                    label=_("%(level)s-%%-Intervall") % {"level": level},
                )
            )
        medians = [v for _y, v in start] + [q[3] for q in fan.quantiles]
        handles.append(
            ax.plot(
                years, medians, color=FAN_COLOUR, linewidth=1.6, linestyle=(0, (5, 2.5)),
                label=_("Median"), gid="median", zorder=3,
            )[0]
        )  # fmt: skip
        if fan.projected_years:
            edge = fan.projected_years[0] - 0.5
            ax.axvline(edge, color="#737373", linewidth=0.6, linestyle=(0, (1, 1.5)), zorder=1)
            ax.text(
                edge + 0.2, 1.0, _("Vorausberechnung"), transform=ax.get_xaxis_transform(),
                ha="left", va="bottom", fontsize=SMALL_PT, color=TEXT,
            )  # fmt: skip
        every = list(fan.observed_years) + list(fan.projected_years)
        step = 2 if len(every) <= 20 else 4
        ticks = [y for y in every if (y - every[-1]) % step == 0]
        ax.set_xticks(ticks, [str(y) for y in ticks])
        ax.set_xlim(min(every) - 0.4, max(every) + 0.4)
        _value_axis(ax.yaxis, unit)
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        _legend(fig, handles)
        return render(fig, alt, width_mm, height_mm)
