"""Hostile geodata files: refused with a clear message, nothing read from the server's files,
no request sent, and the worker still alive."""

import datetime
import json
import os

import pytest

from core.importing import ImportRejected
from districts.services.boundaries import import_boundaries
from facilities.services.import_facilities import import_facilities

from .conftest import assert_harmless

DAY = datetime.date(2020, 1, 1)
REFUSED = [
    ("vrt-hosts.geojson", "Inhalt passt nicht zur Endung .geojson"),
    ("klammer-vrt.geojson", "kein gültiges JSON"),
    ("vsicurl.geojson", "Inhalt passt nicht zur Endung .geojson"),
    ("pipeline.geojson", "kein GeoJSON"),
    ("pipeline.gdalg.json", "kein GeoJSON"),
    ("crs-link.geojson", "werden nicht abgerufen"),
    ("crs-url.geojson", "nennt keinen EPSG-Code"),
    ("ohne-geometrie.geojson", "enthält keine Geometrien"),
    ("falsche-kennung.gpkg", "ohne GeoPackage-Kennung"),
    ("mit-vrt.zip", "andere Dateien als das Shapefile (grenzen.vrt)"),
    ("pfad-nach-oben.zip", "unzulässige Pfade: ../grenzen"),
]


@pytest.mark.parametrize(("name", "problem"), REFUSED)
def test_a_hostile_boundary_file_is_refused_without_reading_or_fetching(
    level, hostile, server, name, problem
):
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=hostile(name), level=level, valid_from=DAY)
    message = str(info.value)
    assert problem in message
    assert f"„{name}“" in message
    assert_harmless(message)
    assert server[1] == []


@pytest.mark.parametrize(("name", "problem"), [r for r in REFUSED if not r[0].endswith(".zip")])
def test_a_hostile_facility_file_is_refused_without_reading_or_fetching(
    db, hostile, server, name, problem
):
    with pytest.raises(ImportRejected) as info:
        import_facilities(path=hostile(name), dry_run=True)
    message = str(info.value)
    assert problem in message
    assert_harmless(message)
    assert server[1] == []


def test_a_crs_named_by_its_epsg_code_is_still_read(level, tmp_path):
    path = tmp_path / "grenzen.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
        '"EPSG:25832"}}, "features": [{"type": "Feature", "properties": {"code": "E1", '
        '"name": "Eins"}, "geometry": {"type": "Polygon", "coordinates": [[[354000, 5711000], '
        "[355000, 5711000], [355000, 5712000], [354000, 5712000], [354000, 5711000]]]}}]}"
    )
    assert import_boundaries(path=path, level=level, valid_from=DAY).created == ["E1"]


def test_a_missing_file_is_named_without_its_folder(level, tmp_path):
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=tmp_path / "fehlt.geojson", level=level, valid_from=DAY)
    assert str(info.value).endswith("Datei „fehlt.geojson“: nicht gefunden")
    assert_harmless(str(info.value))


def test_the_worker_survives_every_hostile_file(level, hostile):
    pid = os.getpid()
    for name, _problem in REFUSED:
        with pytest.raises(ImportRejected):
            import_boundaries(path=hostile(name), level=level, valid_from=DAY)
    assert os.getpid() == pid


def zigzag(vertices: int) -> list[list[float]]:
    """A ring that crosses itself at every vertex: cheap to send, dear to repair."""
    ring = [
        [7.01 if i % 2 == 0 else 7.058, 51.55 + (i // 2) * 1e-6 + (i % 2) * 3e-7 * ((i // 2) % 3)]
        for i in range(vertices)
    ]
    return [*ring, ring[0]]


def test_an_area_too_dear_to_repair_costs_the_box_not_the_worker(level, tmp_path, settings):
    settings.ATLAS_UPLOAD_CPU_SECONDS = 1
    path = tmp_path / "zacken.geojson"
    feature = {"type": "Feature", "properties": {"code": "Z", "name": "Zacken"},
               "geometry": {"type": "Polygon", "coordinates": [zigzag(20_000)]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(ImportRejected) as info:
        import_boundaries(path=path, level=level, valid_from=DAY, dry_run=True)
    assert "zu aufwendig zu lesen (Rechenzeitlimit von 1 s)" in str(info.value)


def test_an_area_repaired_in_the_box_is_imported_with_a_warning(level, tmp_path):
    path = tmp_path / "schleife.geojson"
    bowtie = [[7.0, 51.5], [7.01, 51.51], [7.01, 51.5], [7.0, 51.51], [7.0, 51.5]]
    feature = {"type": "Feature", "properties": {"code": "S", "name": "Schleife"},
               "geometry": {"type": "Polygon", "coordinates": [bowtie]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = import_boundaries(path=path, level=level, valid_from=DAY, dry_run=True)
    assert result.created == ["S"]
    assert any("ungültige Geometrie repariert (Self-intersection" in w for w in result.warnings)
