"""The parameters of the geography endpoints, each declared once (core/params.py), and the
lookups that turn a slug or code into what it names (404 if nothing)."""

from core.http import lookup
from core.params import FIRST_YEAR, LAST_YEAR, Param, Query, Rule

from .models import District, Level
from .selectors import GEOMETRIES
from .zoom import MAX_ZOOM, band_for, chunk_zoom


def parse_level(slug: str) -> Level:
    """``level``: the slug of a level (404 if there is none)."""
    return lookup(Level, "level", slug, slug=slug)


def parse_within(code: str | None) -> District | None:
    """``within``: the code of a current Stadtbezirk whose districts alone are wanted."""
    if not code:
        return None
    return lookup(
        District, "within", code, level__slug="stadtbezirk", code=code, valid_to__isnull=True
    )


LEVEL = Param(
    "level", "level slug, e.g. statistischer-bezirk", required=True, example="statistischer-bezirk"
)
WITHIN = Param("within", "code of a Stadtbezirk: only the districts its map view shows")
YEAR = Param(
    "year",
    "boundaries valid on 31 Dec of this year (default: today)",
    type="integer",
    minimum=FIRST_YEAR,
    maximum=LAST_YEAR,
    example=2023,
)


def _chunk_beyond(values) -> str:
    """``chunk=x,y`` is a tile at the chunk zoom of ``zoom``'s band (districts.zoom)."""
    if values["chunk"] is None or values["zoom"] is None:
        return ""
    z = chunk_zoom(band_for(values["zoom"]))
    if all(int(part) < 2**z for part in values["chunk"].split(",")):
        return ""
    return f"0–{2**z - 1}"


DISTRICTS = Query(
    params=(
        LEVEL,
        YEAR,
        Param(
            "geometry",
            "simplified: the web geometry, simplified as a coverage so neighbours keep their "
            "shared edges (default); full: the boundary as stored",
            enum=tuple(GEOMETRIES),
        ),
        Param(
            "zoom",
            "the map's zoom (Web Mercator, 256-pixel tiles): the simplified geometry of that "
            "zoom's band, coarser for smaller zooms; the response's 'zoom' says which zooms it "
            "suits. Without it, the web geometry for every zoom.",
            type="integer",
            minimum=0,
            maximum=MAX_ZOOM,
        ),
        Param(
            "chunk",
            "x,y of a Web Mercator tile one zoom coarser than the zoom's band (zoom 0 for the "
            "coarsest band): only the districts whose web geometry meets that tile, whole. The "
            "map loads a level of thousands of districts so, a part of the view at a time.",
            pattern=r"^[0-9]+,[0-9]+$",
        ),
    ),
    rules=(
        Rule(
            "zoom",
            "„zoom“ gilt nur für „geometry=simplified“ / "
            "'zoom' applies to 'geometry=simplified' only",
            lambda v: v["zoom"] is not None and v["geometry"] not in (None, "simplified"),
        ),
        Rule(
            "chunk",
            "„chunk“ gilt nur mit „zoom“ / 'chunk' applies with 'zoom' only",
            lambda v: v["chunk"] is not None and v["zoom"] is None,
        ),
        Rule(
            "chunk",
            "„chunk“: x und y kleiner als 2^z der Kachelebene des Zoombands / "
            "'chunk': x and y below 2^z of the zoom band's chunk zoom",
            _chunk_beyond,
        ),
    ),
)


def _tile_coordinate(name: str, description: str) -> Param:
    return Param(
        name, description, type="integer", minimum=0, maximum=2**MAX_ZOOM - 1, location="path"
    )


TILE = Query(
    params=(
        Param(
            "level",
            "level slug, e.g. statistischer-bezirk",
            required=True,
            location="path",
            example="statistischer-bezirk",
        ),
        Param(
            "z",
            f"zoom, 0 to {MAX_ZOOM}",
            type="integer",
            minimum=0,
            maximum=MAX_ZOOM,
            location="path",
            example=12,
        ),
        _tile_coordinate("x", "column from the west"),
        _tile_coordinate("y", "row from the north"),
        YEAR,
    ),
    rules=tuple(
        Rule(
            name,
            f"„{name}“ muss kleiner als 2^z sein / '{name}' must be below 2^z",
            lambda v, name=name: (
                v[name] is not None and v["z"] is not None and v[name] >= 2 ** v["z"]
            ),
        )
        for name in ("x", "y")
    ),
)
