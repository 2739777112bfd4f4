import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from shapely.geometry import box, mapping

from districts.models import District
from tests.auditlog import entries_of

pytestmark = pytest.mark.django_db

URL = "/admin/districts/district/upload/"


def geojson(features) -> SimpleUploadedFile:
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    return SimpleUploadedFile("bloecke.geojson", json.dumps(collection).encode())


def blocks():
    return [
        ({"code": "B1", "name": "Block 1"}, mapping(box(354000, 5711000, 355000, 5712000))),
        ({"code": "B2", "name": "Block 2"}, mapping(box(355000, 5711000, 356000, 5712000))),
    ]


def form(level, **extra):
    return {"level": level.pk, "valid_from": "01.01.2024", "code_field": "code",
            "name_field": "name", "srid": "", **extra}  # fmt: skip


def test_boundaries_are_checked_then_imported(statistician, level):
    check = statistician.post(URL, {**form(level), "file": geojson(blocks())})
    assert "2 neu" in check.content.decode()
    assert not District.objects.filter(level=level).exists()
    pending = {"token": check.context["token"], "filename": check.context["filename"]}
    confirm = statistician.post(URL, {**form(level), **pending, "confirm": "1"})
    assert confirm.status_code == 302
    assert sorted(District.objects.filter(level=level).values_list("code", flat=True)) == [
        "B1", "B2",
    ]  # fmt: skip


def test_a_broken_boundary_file_shows_its_errors(statistician, level):
    features = blocks()
    features[1] = ({"code": "B1", "name": "Doppelt"}, features[1][1])
    page = statistician.post(URL, {**form(level), "file": geojson(features)})
    html = page.content.decode()
    assert "nichts wurde geschrieben" in html and "Schlüssel doppelt" in html
    assert not District.objects.filter(level=level).exists()


def test_the_district_list_links_to_the_boundary_upload(statistician):
    assert URL in statistician.get("/admin/districts/district/").content.decode()


def test_a_boundary_import_is_in_the_audit_log(statistician, level):
    check = statistician.post(URL, {**form(level), "file": geojson(blocks())})
    pending = {"token": check.context["token"], "filename": check.context["filename"]}
    statistician.post(URL, {**form(level), **pending, "confirm": "1"})
    (entry,) = entries_of(level)
    assert entry.user.username == "stat" and "2 neu" in entry.change_message


HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"


@pytest.mark.parametrize(
    "name", ["vrt-hosts.geojson", "klammer-vrt.geojson", "pipeline.geojson", "mit-vrt.zip",
             "falsche-kennung.gpkg", "ohne-geometrie.geojson"],
)  # fmt: skip
def test_a_hostile_file_gets_its_message_not_a_server_error(statistician, level, name):
    upload = SimpleUploadedFile(name, (HOSTILE / name).read_bytes())
    response = statistician.post(URL, {**form(level), "file": upload})
    assert response.status_code == 200
    (error,) = response.context["errors"]
    assert error.value == name
    html = response.content.decode()
    assert "localhost" not in html
    assert "/tmp/" not in html and "/uploads/pending/" not in html


def test_a_long_non_ascii_file_name_is_no_server_error(statistician, level):
    name = "Grenzen der Stadtbezirke – endgültige Fassung für die Bezirksvertretung " * 4
    upload = SimpleUploadedFile(name + ".geojson", geojson(blocks()).read())
    response = statistician.post(URL, {**form(level), "file": upload})
    assert response.status_code == 200
    assert "2 neu" in response.content.decode()
