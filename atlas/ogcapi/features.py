"""Collections (one per level with current districts) and their features.

Geometries are the full-resolution boundaries transformed to WGS 84 by PostGIS; their GeoJSON
text is inserted into the response as it comes from the database. Values come from the read
path in ``indicators.selectors``, so a value withheld there is null here too.
"""

import dataclasses
import datetime
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import Polygon

from districts.models import WEB_SRID, District, Level
from indicators import marks
from indicators.models import Indicator
from indicators.selectors import AreaValue, districts_in_year, indicator_levels, year_tables

from .params import Bbox

# Seven decimals of a degree are about a centimetre: the boundaries keep their resolution.
PRECISION = 7
STATUS_SUFFIX = "_status"
APPROXIMATE_SUFFIX = "_approximate"


@dataclass(frozen=True)
class Collection:
    level: Level
    indicators: list[Indicator]
    bbox: tuple[float, float, float, float] | None
    is_demo: bool = False  # boundaries or values are synthetic

    @property
    def id(self) -> str:
        return self.level.slug

    @property
    def by_slug(self) -> dict[str, Indicator]:
        return {indicator.slug: indicator for indicator in self.indicators}


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    area_km2: float
    geometry: str | None  # GeoJSON text built by PostGIS
    values: dict[str, AreaValue | None]  # indicator slug → value in the chosen year
    # Indicators with a value for some district of the level in that year: the properties.
    # An indicator without any would be a column of nulls that clients cannot type.
    published: tuple[str, ...] = ()
    is_demo: bool = False  # the district's boundary is synthetic


@dataclass(frozen=True)
class Page:
    matched: int
    features: list[Feature]


def collections() -> list[Collection]:
    """Every level that has districts today, coarsest first."""
    levels = (
        Level.objects.with_current_counts().filter(district_count__gt=0).order_by("rank", "slug")
    )
    with_values = indicator_levels()
    indicators = list(Indicator.objects.select_related("theme"))
    return [_collection(level, indicators, with_values) for level in levels]


def collection(slug: str) -> Collection | None:
    level = Level.objects.with_current_counts().filter(slug=slug, district_count__gt=0).first()
    if level is None:
        return None
    indicators = list(Indicator.objects.select_related("theme"))
    return _collection(level, indicators, indicator_levels())


def _collection(level: Level, indicators: list[Indicator], with_values: dict) -> Collection:
    extent = (
        _current(level)
        .annotate(wgs=Transform("boundary", WEB_SRID))
        .aggregate(extent=Extent("wgs"))["extent"]
    )
    shown = [i for i in indicators if level.slug in with_values.get(i.id, [])]
    demo = any(i.is_demo for i in shown) or _current(level).filter(is_demo=True).exists()
    return Collection(level, shown, _outward(extent) if extent else None, demo)


def _outward(extent) -> tuple[float, float, float, float]:
    """The extent rounded to the coordinates' precision, never cutting off a boundary."""
    scale = 10**PRECISION
    # Rounded first so that float noise (51.49707299999999) does not move an edge.
    minx, miny, maxx, maxy = (round(value * scale, 3) for value in extent)
    return (
        math.floor(minx) / scale,
        math.floor(miny) / scale,
        math.ceil(maxx) / scale,
        math.ceil(maxy) / scale,
    )


def _current(level: Level):
    return District.objects.current().filter(level=level)


def features(
    *,
    collection: Collection,
    year: int | None,
    bbox: Bbox | None = None,
    keeps: Callable[[dict], bool] = lambda properties: True,
    limit: int,
    offset: int = 0,
    geometry: bool = True,
) -> Page:
    """One page of the collection's districts with the boundary valid in ``year``, ordered by
    code, with the year's values, of those whose properties ``keeps``; none for no year."""
    if year is None:
        return Page(0, [])
    districts = districts_in_year(level=collection.level, year=year)
    if bbox is not None:
        districts = districts.annotate(wgs=Transform("boundary", WEB_SRID)).filter(
            wgs__intersects=Polygon.from_bbox(bbox)
        )
    # Filters compare the values as they are written, so every district's values are read
    # (a level has at most some hundred districts); only the page gets its geometry.
    found = _features(collection, year, districts.order_by("code"), geometry=False)
    found = [f for f in found if keeps(properties(f, year, collection.by_slug))]
    page = found[offset : offset + limit]
    if geometry and page:
        page = _with_geometry(page, districts)
    return Page(len(found), page)


def feature(*, collection: Collection, code: str, year: int, geometry: bool = True):
    """The district of the collection with this code and the boundary valid in ``year``."""
    rows = districts_in_year(level=collection.level, year=year).filter(code=code)
    found = _features(collection, year, rows, geometry)
    return found[0] if found else None


def _with_geometry(page: list[Feature], districts) -> list[Feature]:
    rows = districts.filter(code__in=[f.code for f in page]).annotate(
        geojson=AsGeoJSON(Transform("boundary", WEB_SRID), precision=PRECISION)
    )
    geometries = dict(rows.values_list("code", "geojson"))
    return [dataclasses.replace(f, geometry=geometries[f.code]) for f in page]


def _features(collection: Collection, year: int, rows, geometry: bool) -> list[Feature]:
    if geometry:
        rows = rows.annotate(
            geojson=AsGeoJSON(Transform("boundary", WEB_SRID), precision=PRECISION)
        )
    rows = list(rows)
    if not rows:
        return []
    tables = year_tables(indicators=collection.indicators, years=[year])
    by_slug = {
        indicator.slug: {
            area.code: area for area in tables[(indicator.slug, year)].of_level(collection.id)
        }
        for indicator in collection.indicators
    }
    published = tuple(
        slug for slug, areas in by_slug.items() if any(a.has_value for a in areas.values())
    )
    return [
        Feature(
            code=row.code,
            name=row.name,
            area_km2=row.area_km2,
            geometry=row.geojson if geometry else None,
            values={slug: areas.get(row.code) for slug, areas in by_slug.items()},
            published=published,
            is_demo=row.is_demo,
        )
        for row in rows
    ]


def properties(feature: Feature, year: int, indicators: dict[str, Indicator]) -> dict:
    """Code, name, area, year, whether boundary or values are demo data and, per indicator
    with values that year, its value, status and whether it is approximate.

    Withheld values are null, their status "."; approximate values (rolled up through
    levels that do not nest) are rounded to the indicator's decimals.
    """
    result = {
        "code": feature.code,
        "name": feature.name,
        "area_km2": round(feature.area_km2, 3),
        "year": year,
        "is_demo": feature.is_demo or any(indicators[s].is_demo for s in feature.published),
    }
    for slug in feature.published:
        area = feature.values[slug]
        cell = area.cell if area is not None else None
        result[slug] = marks.numbers(area, indicators[slug]).value
        result[slug + STATUS_SUFFIX] = (cell.status or None) if cell is not None else None
        result[slug + APPROXIMATE_SUFFIX] = area is not None and area.approximate
    return result


class Raw(str):
    """JSON text that is inserted as it is (geometries from PostGIS)."""


def to_json(value) -> str:
    """json.dumps that leaves ``Raw`` parts untouched."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{to_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def temporal_interval(years: list[int]) -> list[str | None]:
    """Values refer to 31 December of their year."""
    if not years:
        return [None, None]
    return [
        f"{datetime.date(year, 12, 31).isoformat()}T00:00:00Z" for year in (years[0], years[-1])
    ]
