"""A report's map, drawn on the server: the areas of one level in their classes' colours, the
withheld and missing ones hatched, the Bezirk's outline on top. One matplotlib figure gives
the SVG for the web page and the PDF and the PNG for the Word file, so they show the same."""

from dataclasses import dataclass

import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from .charts import MM, Chart, render
from .drawn import kept_drawing

NO_VALUE = "#ffffff"
LEGEND_MM = 48
MAX_HEIGHT_MM = 120
MIN_HEIGHT_MM = 60
SIMPLIFY_M = 8  # far below what the print shows (0.1 mm is about 10 m at this scale)
EDGE = "#4d4d4d"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    shape: shapely.MultiPolygon | shapely.Polygon  # metric (EPSG:25832)
    colour: str | None  # None: withheld or missing: hatched


@dataclass(frozen=True)
class LegendEntry:
    colour: str | None
    label: str


def _path(shape) -> MplPath:
    vertices, codes = [], []
    polygons = getattr(shape, "geoms", [shape])
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            points = list(ring.coords)
            vertices += points
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(vertices, codes)


@kept_drawing
def area_map(
    *,
    areas: list[Area],
    legend: list[LegendEntry],
    legend_title: str,
    outline=None,
    alt: str,
    width_mm: float = 150,
) -> Chart:
    """The choropleth; ``outline`` (a shape) is drawn over it, e.g. the Stadtbezirk."""
    shapes = [a.shape for a in areas] + ([outline] if outline is not None else [])
    xmin, ymin, xmax, ymax = shapely.GeometryCollection(shapes).bounds
    aspect = (ymax - ymin) / max(xmax - xmin, 1)
    # The map as large as the page allows, its height kept to a part of the page.
    map_mm = min(width_mm - LEGEND_MM, MAX_HEIGHT_MM / aspect)
    height_mm = max(map_mm * aspect, MIN_HEIGHT_MM)
    width_mm = map_mm + LEGEND_MM
    figure = Figure(figsize=(width_mm * MM, height_mm * MM))
    axes = figure.add_subplot()
    share = map_mm / width_mm
    axes.set_position((0, 0, share, 1))
    # Simplified together, so that neighbours keep their shared borders.
    simple = shapely.coverage_simplify([a.shape for a in areas], tolerance=SIMPLIFY_M)
    for area, shape in zip(areas, simple, strict=True):
        axes.add_patch(
            PathPatch(
                _path(shape),
                facecolor=area.colour or NO_VALUE,
                hatch=None if area.colour else "////",
                edgecolor=EDGE,
                linewidth=0.5,
            )
        )
    if outline is not None:
        axes.add_patch(PathPatch(_path(outline), fill=False, edgecolor="#000000", linewidth=1.6))
    axes.set_xlim(xmin, xmax)
    axes.set_ylim(ymin, ymax)
    axes.set_aspect("equal")
    axes.set_axis_off()
    handles = [
        Patch(
            facecolor=entry.colour or NO_VALUE,
            hatch=None if entry.colour else "////",
            edgecolor=EDGE,
            linewidth=0.5,
            label=entry.label,
        )
        for entry in legend
    ]
    figure.legend(
        handles=handles,
        title=legend_title,
        loc="center left",
        bbox_to_anchor=(share + 0.02, 0.5),
        frameon=False,
        fontsize=8,
        title_fontsize=8.5,
        alignment="left",
    )
    return render(figure, alt, width_mm, height_mm)
