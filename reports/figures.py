"""The fact sheet's two figures, drawn on the server as SVG so that they print and go into the
PDF without tiles or JavaScript: a map of the Stadtbezirk with its statistical districts, and
its age pyramid. Both read well in grey-scale print and carry their content as alt text.
"""

import datetime
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import AsSVG, Intersection, PointOnSurface
from django.utils.translation import gettext as _

from districts.models import District, Overlap
from indicators.models import Indicator
from indicators.pyramid import Pyramid, is_pyramid_part, pyramid
from indicators.selectors import profile_row, year_tables

DISTRICT_LEVEL = "statistischer-bezirk"
MAP_WIDTH_MM = 62
MAP_MARGIN = 0.04  # of the Bezirk's larger side, around it
LABEL_MM = 2.6  # the districts' codes, in print


@dataclass(frozen=True)
class MapPart:
    code: str
    name: str
    path: str  # SVG path data of the part inside the Bezirk (metres, y pointing down)
    x: int  # where its code is written: a point inside the part
    y: int
    whole: bool


@dataclass(frozen=True)
class BezirkMap:
    view_box: str
    width_mm: float
    height_mm: float
    outline: str  # the Bezirk's boundary
    parts: list[MapPart]
    font: int  # label size and line widths in the map's units (metres)
    line: int
    outline_line: int
    alt: str


def bezirk_map(*, bezirk: District, year: int, whole: float) -> BezirkMap | None:
    """The Bezirk and the parts of the statistical districts that lie in it (``whole``: the
    area share from which a district counts as wholly inside); None without boundaries."""
    # Intersections and SVG paths are made in PostGIS; coordinates rounded to whole metres,
    # so that neighbours' shared edges stay shared.
    rows = (
        Overlap.objects.filter(
            target=bezirk,
            source__level__slug=DISTRICT_LEVEL,
            source__in=District.objects.valid_on(datetime.date(year, 12, 31)),
        )
        .annotate(part=Intersection("source__boundary", "target__boundary"))
        .annotate(path=AsSVG("part", precision=0), label=PointOnSurface("part"))
        .values_list("source__code", "source__name", "path", "label", "area_share")
        .order_by("source__code")
    )
    parts = [
        MapPart(code, name, path, round(label.x), round(-label.y), share >= whole)
        for code, name, path, label, share in rows
        if path
    ]
    if not parts:
        return None
    outline = District.objects.filter(pk=bezirk.pk).values_list(
        AsSVG("boundary", precision=0), flat=True
    )[0]
    xmin, ymin, xmax, ymax = bezirk.boundary.extent
    margin = MAP_MARGIN * max(xmax - xmin, ymax - ymin)
    width, height = xmax - xmin + 2 * margin, ymax - ymin + 2 * margin
    per_mm = width / MAP_WIDTH_MM
    listed = "; ".join(
        f"{p.code} {p.name}" + ("" if p.whole else f" ({_('zum Teil')})") for p in parts
    )
    return BezirkMap(
        view_box=f"{xmin - margin:.0f} {-(ymax + margin):.0f} {width:.0f} {height:.0f}",
        width_mm=MAP_WIDTH_MM,
        height_mm=round(MAP_WIDTH_MM * height / width, 1),
        outline=outline,
        parts=parts,
        font=round(LABEL_MM * per_mm),
        line=round(0.25 * per_mm),
        outline_line=round(0.7 * per_mm),
        alt=_(
            "Karte des Stadtbezirks %(name)s mit seinen %(count)s statistischen Bezirken "
            "(Schlüssel und Name): %(parts)s."
        )
        % {"name": bezirk.name, "count": len(parts), "parts": listed},
    )


# The pyramid's drawing, in its own units: one bar per age group and sex.
ROW = 10
BAR = 8
LABEL_WIDTH = 34  # the age groups between the two halves
HALF = 120
TOP = 12
PYRAMID_WIDTH_MM = 92


@dataclass(frozen=True)
class Bar:
    x: float
    width: float


@dataclass(frozen=True)
class PyramidBar:
    y: int
    label: str  # the age group
    men: Bar | None  # None: withheld or missing, a gap
    women: Bar | None
    city_men: Bar | None  # the city's share, drawn as an outline
    city_women: Bar | None
    men_text: str  # the shares as shown, at the outer end of the longer bar
    women_text: str
    men_text_x: float
    women_text_x: float


@dataclass(frozen=True)
class PyramidChart:
    width: int
    height: int
    width_mm: float
    height_mm: float
    centre: float
    bars: list[PyramidBar]
    alt: str
    withheld: bool


def age_pyramid(*, bezirk: District, year: int) -> PyramidChart | None:
    """The Bezirk's age pyramid in ``year`` from the atlas's population bands (the profile's
    pyramid), or None where the atlas has no bands or no value for it."""
    bands = [i for i in Indicator.objects.exclude(age_group="") if is_pyramid_part(i)]
    if not bands:
        return None
    tables = year_tables(indicators=bands, years=[year])
    ages = pyramid([profile_row(table=tables[(i.slug, year)], district=bezirk) for i in bands])
    return pyramid_chart(ages, name=bezirk.name, year=year) if ages else None


def pyramid_chart(ages: Pyramid, *, name: str, year: int) -> PyramidChart:
    """Bars for the shares of each sex and age group, the city's shares as outlines."""
    chart = ages.chart
    shares = [v for key in ("men", "women", "cityMen", "cityWomen") for v in chart[key] if v]
    scale = (HALF - 24) / max(shares, default=1)  # room for the labels at the bars' ends
    centre = HALF + LABEL_WIDTH / 2
    left, right = centre - LABEL_WIDTH / 2, centre + LABEL_WIDTH / 2

    def men(share):
        return (
            None if share is None else Bar(round(left - share * scale, 1), round(share * scale, 1))
        )

    def women(share):
        return None if share is None else Bar(right, round(share * scale, 1))

    bars = []
    # The oldest group on top, as pyramids are read.
    for i, k in enumerate(reversed(range(len(ages.rows)))):
        row = ages.rows[k]
        own_m, own_w = chart["men"][k], chart["women"][k]
        city_m, city_w = chart["cityMen"][k], chart["cityWomen"][k]
        reach_m = max(own_m or 0, city_m or 0) * scale
        reach_w = max(own_w or 0, city_w or 0) * scale
        bars.append(
            PyramidBar(
                y=TOP + i * ROW,
                label=row.age_group,
                men=men(own_m),
                women=women(own_w),
                city_men=men(city_m),
                city_women=women(city_w),
                men_text=row.men_share,
                women_text=row.women_share,
                men_text_x=round(left - reach_m - 2, 1),
                women_text_x=round(right + reach_w + 2, 1),
            )
        )
    numbers = "; ".join(
        _(
            "%(group)s: Männer %(men)s %%, Frauen %(women)s %% "
            "(Stadt %(city_men)s %%, %(city_women)s %%)"
        )
        % {
            "group": r.age_group,
            "men": r.men_share,
            "women": r.women_share,
            "city_men": r.city_men_share,
            "city_women": r.city_women_share,
        }
        for r in ages.rows
    )
    alt = _(
        "Altersaufbau %(name)s %(year)s: Anteile an der Bevölkerung nach Altersgruppe, Männer "
        "links, Frauen rechts, die Stadt als Umriss. %(numbers)s."
    ) % {"name": name, "year": year, "numbers": numbers}
    width, height = int(2 * HALF + LABEL_WIDTH), TOP + len(bars) * ROW + 2
    return PyramidChart(
        width=width,
        height=height,
        width_mm=PYRAMID_WIDTH_MM,
        height_mm=round(PYRAMID_WIDTH_MM * height / width, 1),
        centre=centre,
        bars=bars,
        alt=alt,
        withheld=ages.withheld,
    )
