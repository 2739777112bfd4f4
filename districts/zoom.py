"""Zoom bands: which web geometry suits which map zoom (Web Mercator, 256-pixel tiles).

A level's boundaries are simplified once per band, as one coverage, with a tolerance of about
one screen pixel at the band's finest zoom: a map at any zoom of the band draws them about as
the full web geometry would. The finest band is the web geometry itself.
"""

import math
from dataclasses import dataclass

# Zooms that tile servers and Leaflet accept.
MAX_ZOOM = 22
# Metres per pixel at zoom 0 on the equator: the Earth's circumference in Web Mercator
# (WGS 84 semi-major axis) over one 256-pixel tile.
EQUATOR_M_PER_PIXEL = 2 * math.pi * 6_378_137 / 256
# Visvalingam–Whyatt (coverage_simplify) moves lines by about the tolerance: one pixel at the
# band's finest zoom keeps a simplified edge within about one pixel of the web geometry's on
# average and two at most, less at the band's coarser zoom. A choropleth reads the same; NRW's
# 396 municipalities at zoom 8 come to under 100 KB gzipped.
TOLERANCE_PIXELS = 1.0
# Decimals of degrees of the coarser bands: 1e-5° is about 1 m, a twelfth of a pixel at zoom 12.
COARSE_GRID = 1e-5


@dataclass(frozen=True)
class Band:
    """Zooms ``min_zoom`` to ``max_zoom`` (None: every finer zoom) share one geometry."""

    min_zoom: int
    max_zoom: int | None

    @property
    def finest(self) -> bool:
        return self.max_zoom is None

    def as_dict(self) -> dict:
        return {"min": self.min_zoom, "max": self.max_zoom}


# Two zooms a band: each band's tolerance is a quarter of the next coarser one's. Zoom 6 shows
# a country the size of Germany, zoom 8 a Land like NRW, zoom 11 a city like Bottrop.
BANDS = (Band(0, 6), Band(7, 8), Band(9, 10), Band(11, 12), Band(13, None))
COARSE_BANDS = tuple(band for band in BANDS if not band.finest)


def band_for(zoom: int) -> Band:
    """The band whose geometry a map at ``zoom`` should draw."""
    return next(b for b in BANDS if b.min_zoom <= zoom and (b.finest or zoom <= b.max_zoom))


def pixel_size_m(zoom: int, latitude: float) -> float:
    """Ground metres one screen pixel covers at ``zoom`` and ``latitude`` (degrees)."""
    return EQUATOR_M_PER_PIXEL * math.cos(math.radians(latitude)) / 2**zoom


def tolerance_m(band: Band, *, latitude: float, finest_m: float) -> float:
    """The simplification tolerance of ``band`` for a level at ``latitude``; never finer than
    the web geometry's ``finest_m``."""
    if band.finest:
        return finest_m
    return max(finest_m, TOLERANCE_PIXELS * pixel_size_m(band.max_zoom, latitude))


# Below this many pixels across, an area is a speck: a map of thousands of them reads as noise,
# and filling them holds up every repaint. Up to the zoom where a level's areas reach it, the
# map draws a coarser level instead (its overview, districts.selectors.overview_of).
OVERVIEW_PIXELS = 8.0


def overview_max_zoom(*, mean_area_m2: float, latitude: float) -> int | None:
    """The finest zoom at which areas of ``mean_area_m2`` are under OVERVIEW_PIXELS across;
    None when they are wider even at zoom 0."""
    side = math.sqrt(mean_area_m2)
    coarse = [z for z in range(MAX_ZOOM + 1) if side / pixel_size_m(z, latitude) < OVERVIEW_PIXELS]
    return max(coarse) if coarse else None


# A level of thousands of areas is loaded a piece at a time where the map shows only part of
# it: the areas that meet one Web Mercator tile CHUNK_ZOOMS_UP zooms coarser than the band
# (512 pixels a side at the band's coarsest zoom), so a map of 1280 × 800 needs 6 to 12 and
# loads about twice the area it shows.
CHUNK_ZOOMS_UP = 1


def chunk_zoom(band: Band) -> int:
    """The zoom of the tiles that cut ``band``'s geometry into chunks."""
    return max(0, band.min_zoom - CHUNK_ZOOMS_UP)
