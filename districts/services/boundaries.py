"""Importing the boundaries of one level from any file GDAL reads (GeoJSON, GeoPackage, …)."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from atlas.importing import ImportRejected, RowError
from districts.models import METRIC_SRID, District, Level

from .geometry import rebuild_overlaps, rebuild_web_geometries


@dataclass
class BoundaryImportResult:
    level: str
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        return (
            f"Ebene {self.level}: {len(self.created)} neu, {len(self.replaced)} ersetzt, "
            f"{len(self.unchanged)} unverändert, {len(self.retired)} außer Kraft"
            + (" (Probelauf, nichts geschrieben)" if self.dry_run else "")
        )


def _read_features(path: Path, *, code_field: str, name_field: str) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise ImportRejected([RowError(None, "Datei", str(path), f"nicht lesbar: {exc}")]) from exc
    errors = []
    for column in (code_field, name_field):
        if column not in frame.columns:
            errors.append(
                RowError(None, column, "", f"Spalte fehlt; vorhanden: {', '.join(frame.columns)}")
            )
    if frame.crs is None:
        errors.append(RowError(None, "crs", "", "Koordinatenbezugssystem fehlt"))
    if errors:
        raise ImportRejected(errors)
    return frame.to_crs(METRIC_SRID)


def _validate(frame: gpd.GeoDataFrame, *, code_field: str, name_field: str) -> list[RowError]:
    errors = []
    seen: dict[str, int] = {}
    for index, (code, name, geom) in enumerate(
        zip(frame[code_field], frame[name_field], frame.geometry, strict=True)
    ):
        row = index + 2  # the header counts as row 1, as in a spreadsheet
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
        if geom is None or geom.is_empty:
            errors.append(RowError(row, "geometry", "", "Geometrie fehlt"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            errors.append(RowError(row, "geometry", geom.geom_type, "keine Fläche"))
        elif not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            errors.append(RowError(row, "geometry", "", f"ungültige Geometrie: {reason}"))
    return errors


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
) -> BoundaryImportResult:
    """Make the file's features the level's districts from ``valid_from`` on.

    A district whose geometry or name changed gets a new version (the old one ends the day
    before); one missing from the file is retired; nothing is deleted. Raises ImportRejected,
    with every problem by row and field, before anything is written.
    """
    frame = _read_features(path, code_field=code_field, name_field=name_field)
    errors = _validate(frame, code_field=code_field, name_field=name_field)
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
    result = BoundaryImportResult(level=level.slug, dry_run=dry_run)
    current = {d.code: d for d in District.objects.valid_on(valid_from).filter(level=level)}
    codes = {str(code).strip() for code in frame[code_field]}
    same_day = sorted(
        c for c, d in current.items() if d.valid_from == valid_from and c not in codes
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
    for code, name, geom in zip(frame[code_field], frame[name_field], frame.geometry, strict=True):
        code, name = str(code).strip(), str(name).strip()
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
            and existing.boundary.equals_exact(boundary, tolerance=0.01)
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
