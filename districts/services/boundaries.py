"""Importing the boundaries of one level from a GeoJSON, GeoPackage or (zipped) Shapefile file,
read in the box of core.geodata."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import numberformat

from core.datastate import announce_change
from core.geodata import Geodata, read_geodata
from core.importing import ImportRejected, RowError
from districts.models import METRIC_SRID, WEB_SRID, District, Level

from .geometry import rebuild_overlaps, rebuild_web_geometries

# Overlaps and gaps smaller than this are rounding between sources, not something to fix.
MIN_REPORTED_M2 = 1.0
# How far (in degrees) a file may reach beyond its CRS's area of use: UTM zones are used
# beyond their nominal 6° (the west of NRW lies at 5.9° E, in zone 32), while coordinates read
# in the wrong CRS land thousands of kilometres away.
AREA_OF_USE_MARGIN = 3.0


@dataclass
class BoundaryImportResult:
    level: str
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Problems that do not stop the import: repaired geometries, overlaps, gaps.
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"Ebene {self.level}: {len(self.created)} neu, {len(self.replaced)} ersetzt, "
            f"{len(self.unchanged)} unverändert, {len(self.retired)} außer Kraft"
            + (" (Probelauf, nichts geschrieben)" if self.dry_run else "")
        )


def _reject(field_name: str, value: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(None, field_name, value, message)])


def _crs_name(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def _with_crs(frame: gpd.GeoDataFrame, srid: int | None) -> tuple[gpd.GeoDataFrame, str | None]:
    """The frame with its CRS (the file's own, else ``srid``), or a message why it has none."""
    if srid is None:
        if frame.crs is None:
            return frame, (
                "Koordinatenbezugssystem fehlt (beim Shapefile die .prj-Datei); "
                "EPSG-Code mit --srid angeben, z. B. 25832 für ETRS89 / UTM 32N"
            )
        return frame, None
    try:
        declared = pyproj.CRS.from_epsg(srid)
    except pyproj.exceptions.CRSError:
        return frame, f"--srid {srid} ist kein bekannter EPSG-Code"
    if frame.crs is None:
        return frame.set_crs(declared), None
    if frame.crs.to_epsg() != srid:
        # Overriding a stated CRS would silently move every district.
        return frame, (
            f"gibt {_crs_name(frame.crs)} an, --srid {srid} widerspricht; "
            "--srid weglassen oder die Datei prüfen"
        )
    return frame, None


def _outside_area_of_use(frame: gpd.GeoDataFrame) -> str | None:
    """A message if the file's extent lies far outside the area its CRS is made for: the sign
    of coordinates read in the wrong CRS (metres taken for degrees, or the reverse)."""
    area, bounds = frame.crs.area_of_use, frame.total_bounds
    if area is None or area.west > area.east or not np.isfinite(bounds).all():
        return None  # nothing to compare with (or an area across the date line)
    outline = gpd.GeoSeries([shapely.box(*bounds)], crs=frame.crs).to_crs(WEB_SRID)
    west, south, east, north = outline.total_bounds
    margin = AREA_OF_USE_MARGIN
    if (
        area.west - margin <= west
        and east <= area.east + margin
        and area.south - margin <= south
        and north <= area.north + margin
    ):
        return None
    x0, y0, x1, y1 = bounds
    return (
        f"Koordinaten von {x0:.10g} {y0:.10g} bis {x1:.10g} {y1:.10g} liegen nicht im "
        f"Geltungsbereich von {_crs_name(frame.crs)}, {area.west:g}° bis {area.east:g}° Ost "
        f"und {area.south:g}° bis {area.north:g}° Nord; stimmt das Koordinatenbezugssystem?"
    )


REPAIRED = "__repariert__"


def _frame(data: Geodata) -> gpd.GeoDataFrame:
    """The features as a frame; attributes keep their values as read (a code stays text).
    The column REPAIRED says why the box repaired an area (None where it was valid)."""
    columns = [name for name in data.columns if name != "geometry"]
    attributes = pd.DataFrame(
        [[row[data.columns.index(name)] for name in columns] for row in data.rows],
        columns=columns,
        dtype=object,
    )
    attributes[REPAIRED] = pd.Series(data.repairs, index=attributes.index, dtype=object)
    return gpd.GeoDataFrame(
        attributes, geometry=gpd.GeoSeries(data.geometries, dtype="geometry"), crs=data.crs
    )


def _read_features(
    path: Path, *, code_field: str, name_field: str, srid: int | None
) -> gpd.GeoDataFrame:
    """The file's features in METRIC_SRID. Raises ImportRejected for a file that is missing,
    unreadable or empty, lacks a column, or whose CRS is missing, contradicts ``srid`` or
    does not fit its coordinates."""
    frame = _frame(read_geodata(path=path))
    if frame.empty:
        raise _reject("Datei", path.name, "enthält keine Gebiete")
    errors = []
    present = [name for name in frame.columns if name != REPAIRED]
    for column in (code_field, name_field):
        if column not in present:
            errors.append(
                RowError(None, column, "", f"Spalte fehlt; vorhanden: {', '.join(present)}")
            )
    frame, problem = _with_crs(frame, srid)
    if problem:
        errors.append(RowError(None, "Datei", path.name, problem))
    if errors:
        raise ImportRejected(errors)
    if problem := _outside_area_of_use(frame):
        raise _reject("Datei", path.name, problem)
    return frame.to_crs(METRIC_SRID)


def _polygonal(geom) -> shapely.MultiPolygon | None:
    """The polygons in a geometry (collections flattened) as one MultiPolygon, or None."""
    parts = shapely.get_parts(shapely.get_parts(geom))
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polygons) if polygons else None


def _validate(
    frame: gpd.GeoDataFrame, *, code_field: str, name_field: str
) -> tuple[list, list[RowError], list[str]]:
    """Check codes, names and geometries row by row.

    Returns the geometries, invalid ones repaired with make_valid (a repair is a warning: the
    shape is kept, only its self-intersections are resolved), the errors and the warnings.
    """
    geometries, errors, warnings = [], [], []
    seen: dict[str, int] = {}
    for index, (code, name, geom, repair) in enumerate(
        zip(frame[code_field], frame[name_field], frame.geometry, frame[REPAIRED], strict=True)
    ):
        row = index + 2  # the header counts as row 1, as in a spreadsheet
        repair = repair if isinstance(repair, str) else None
        code = "" if code is None else str(code).strip()
        if not code:
            errors.append(RowError(row, code_field, "", "Schlüssel fehlt"))
        elif code in seen:
            errors.append(
                RowError(row, code_field, code, f"Schlüssel doppelt (auch in Zeile {seen[code]})")
            )
        else:
            seen[code] = row
        if name is None or not str(name).strip():
            errors.append(RowError(row, name_field, "", "Name fehlt"))
        if repair and (geom is None or geom.is_empty):
            errors.append(RowError(row, "geometry", "", f"ungültig, ohne Fläche: {repair}"))
        elif geom is None or geom.is_empty:
            errors.append(RowError(row, "geometry", "", "Geometrie fehlt"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            errors.append(RowError(row, "geometry", geom.geom_type, "keine Fläche"))
        elif repair:
            warnings.append(
                f"Zeile {row} (Schlüssel {code}): ungültige Geometrie repariert ({repair})"
            )
        elif not geom.is_valid:  # made invalid by the change of CRS
            reason = shapely.is_valid_reason(geom)
            geom = _polygonal(shapely.make_valid(geom))
            if geom is None:
                errors.append(RowError(row, "geometry", "", f"ungültig, ohne Fläche: {reason}"))
            else:
                warnings.append(
                    f"Zeile {row} (Schlüssel {code}): ungültige Geometrie repariert ({reason})"
                )
        geometries.append(geom)
    return geometries, errors, warnings


def _m2(area: float) -> str:
    return numberformat.format(
        area, ",", decimal_pos=1, grouping=3, thousand_sep=".", force_grouping=True
    )


def _overlaps_and_gaps(codes: list[str], geometries: list) -> list[str]:
    """Warnings for districts that overlap one another and for holes between them, each above
    MIN_REPORTED_M2 (geometries in METRIC_SRID)."""
    geometries = np.asarray(geometries, dtype=object)
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    areas = shapely.area(shapely.intersection(geometries[left], geometries[right]))
    warnings = [
        f"{codes[i]} und {codes[j]} überschneiden sich auf {_m2(area)} m²"
        for i, j, area in sorted(zip(left, right, areas, strict=True))
        if area > MIN_REPORTED_M2
    ]
    # A hole in the union is land that no district of the level covers.
    for polygon in shapely.get_parts(shapely.union_all(geometries)):
        for ring in polygon.interiors:
            hole = shapely.Polygon(ring)
            if hole.area > MIN_REPORTED_M2:
                neighbours = tree.query(hole, predicate="intersects")
                around = ", ".join(sorted(codes[i] for i in neighbours))
                warnings.append(f"Lücke von {_m2(hole.area)} m² zwischen den Gebieten {around}")
    return warnings


def _multipolygon(geom) -> GEOSGeometry:
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=METRIC_SRID)


@transaction.atomic
def import_boundaries(
    *,
    path: Path,
    level: Level,
    valid_from: datetime.date,
    code_field: str = "code",
    name_field: str = "name",
    is_demo: bool = False,
    dry_run: bool = False,
    srid: int | None = None,
) -> BoundaryImportResult:
    """Make the file's features the level's districts from ``valid_from`` on.

    A district whose geometry or name changed gets a new version (the old one ends the day
    before); one missing from the file is retired; nothing is deleted. Raises ImportRejected,
    with every problem by row and field, before anything is written. ``srid`` gives the CRS
    of a file that states none. Repaired geometries, overlaps and gaps between the file's
    districts do not stop the import; they are listed in the result's ``warnings``.
    """
    path = Path(path)
    frame = _read_features(path, code_field=code_field, name_field=name_field, srid=srid)
    geometries, errors, warnings = _validate(frame, code_field=code_field, name_field=name_field)
    if errors:
        raise ImportRejected(errors)

    later = District.objects.filter(level=level, valid_from__gt=valid_from).order_by("valid_from")
    if later.exists():
        raise ImportRejected(
            [
                RowError(
                    None,
                    "valid_from",
                    valid_from.isoformat(),
                    f"die Ebene hat schon Grenzen ab {later.first().valid_from:%d.%m.%Y}; "
                    "neue Grenzen müssen später beginnen",
                )
            ]
        )
    current = {d.code: d for d in District.objects.valid_on(valid_from).filter(level=level)}
    codes = [str(code).strip() for code in frame[code_field]]
    listed = set(codes)
    same_day = sorted(
        c for c, d in current.items() if d.valid_from == valid_from and c not in listed
    )
    if same_day:
        # Such a district would have to end on the day it begins; it needs a correction of
        # its own, not a silent deletion.
        raise ImportRejected(
            [
                RowError(None, code_field, code, f"fehlt in der Datei, gilt aber ab {valid_from}")
                for code in same_day
            ]
        )
    warnings += _overlaps_and_gaps(codes, geometries)
    result = BoundaryImportResult(level=level.slug, dry_run=dry_run, warnings=warnings)
    for code, name, geom in zip(codes, frame[name_field], geometries, strict=True):
        name = str(name).strip()
        boundary = _multipolygon(geom)
        existing = current.pop(code, None)
        if existing is None:
            result.created.append(code)
            if not dry_run:
                District.objects.create(
                    level=level,
                    code=code,
                    name=name,
                    boundary=boundary,
                    valid_from=valid_from,
                    is_demo=is_demo,
                )
        elif (
            existing.name == name
            and existing.is_demo == is_demo
            # The same shape, whatever the vertex order or start point of its rings.
            and existing.boundary.sym_difference(boundary).area <= MIN_REPORTED_M2
        ):
            result.unchanged.append(code)
        else:
            result.replaced.append(code)
            if not dry_run:
                _replace(
                    existing, name=name, boundary=boundary, valid_from=valid_from, is_demo=is_demo
                )
    for code, district in current.items():
        result.retired.append(code)
        if not dry_run:
            _retire(district, valid_from=valid_from)

    if not dry_run and (result.created or result.replaced or result.retired):
        rebuild_web_geometries(level=level, day=valid_from)
        rebuild_overlaps(level=level)
        # New boundaries are a new state of everything the map shows.
        announce_change(sender=District, wholesale=True)
    return result


def _replace(
    district: District, *, name: str, boundary: GEOSGeometry, valid_from, is_demo: bool
) -> None:
    if district.valid_from == valid_from:
        # The same version delivered again with corrections: nothing public referred to the
        # old shape under another date, so it is updated in place.
        district.name, district.boundary, district.is_demo = name, boundary, is_demo
        district.save()
        return
    _retire(district, valid_from=valid_from)
    District.objects.create(
        level=district.level,
        code=district.code,
        name=name,
        boundary=boundary,
        valid_from=valid_from,
        is_demo=is_demo,
    )


def _retire(district: District, *, valid_from) -> None:
    district.valid_to = valid_from
    district.save(update_fields=["valid_to"])
