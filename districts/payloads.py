"""The bodies of the geography endpoints, from parameters: the API views and the published
data files (atlas/publicdata.py) both call these."""

import datetime

from .models import Level
from .params import DISTRICTS
from .selectors import boundaries_geojson


def level_dict(level: Level) -> dict:
    return {
        "slug": level.slug,
        "name": level.name,
        "name_de": level.name_de,
        "name_en": level.name_en,
        "rank": level.rank,
        "districts": level.district_count,
    }


def levels_payload() -> dict:
    """Every level with its number of current districts."""
    rows = Level.objects.with_current_counts()
    return {"levels": [level_dict(level) for level in rows]}


def districts_payload(
    *,
    level: Level,
    year: int | None = None,
    geometry: str = "simplified",
    zoom: int | None = None,
    chunk: tuple[int, int] | None = None,
) -> str:
    """The GeoJSON of /api/v1/districts: the level's districts valid on 31 Dec of ``year``
    (default: today), simplified for ``zoom`` and cut to the tile ``chunk`` (x, y) if given;
    raises BadParameter where the parameters break a rule of ``DISTRICTS``."""
    DISTRICTS.check(
        {
            "geometry": geometry,
            "zoom": zoom,
            "chunk": None if chunk is None else f"{chunk[0]},{chunk[1]}",
        }
    )
    return boundaries_geojson(
        level=level,
        day=datetime.date(year, 12, 31) if year else None,
        geometry=geometry,
        zoom=zoom,
        chunk=chunk,
    )
