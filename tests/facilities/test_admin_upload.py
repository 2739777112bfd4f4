from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from facilities.models import Facility, FacilityUpload

pytestmark = pytest.mark.django_db

GOOD = b"typ,name,lon,lat,plaetze\nkita,Kita Admin,6.9234,51.52471,40\n"


def check(client, content: bytes, name: str = "angebote.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/admin/facilities/facility/upload/", {"file": upload, "srid": 25832})


def test_the_upload_previews_before_anything_is_written(statistician):
    response = check(statistician, GOOD)
    assert response.status_code == 200
    assert response.context["result"].added == ["Kita Admin"]
    assert not Facility.objects.filter(name="Kita Admin").exists()


def test_confirming_writes_the_facilities_and_their_history(statistician):
    preview = check(statistician, GOOD).context
    response = statistician.post(
        "/admin/facilities/facility/upload/",
        {"token": preview["token"], "filename": preview["filename"], "srid": 25832},
    )
    assert response.status_code == 302
    facility = Facility.objects.get(name="Kita Admin")
    upload = FacilityUpload.objects.get(source_filename="angebote.csv")
    assert (upload.added, upload.created_by.username) == (1, "stat")
    history = statistician.get(f"/admin/facilities/facility/{facility.pk}/history/")
    assert "angebote.csv" in history.content.decode()


def test_errors_are_listed_by_row(statistician):
    response = check(statistician, b"typ,name,lon,lat\nkita,Ohne Lage,,\n")
    (error,) = response.context["errors"]
    assert (error.row, error.field) == (2, "Koordinaten")
    assert "Zeile" in response.content.decode()


def test_the_upload_needs_the_permission(client, django_user_model):
    user = django_user_model.objects.create_user("gast", is_staff=True)
    client.force_login(user)
    assert check(client, GOOD).status_code == 403


HOSTILE = Path(__file__).resolve().parent.parent / "data" / "hostile"


@pytest.mark.parametrize(
    "name", ["vrt-hosts.geojson", "klammer-vrt.geojson", "vsicurl.geojson", "pipeline.geojson",
             "falsche-kennung.gpkg", "ohne-geometrie.geojson"],
)  # fmt: skip
def test_a_hostile_geodata_file_gets_its_message_not_a_server_error(statistician, name):
    response = check(statistician, (HOSTILE / name).read_bytes(), name)
    assert response.status_code == 200
    assert response.context["errors"]
    html = response.content.decode()
    assert "localhost" not in html
    assert "/tmp/" not in html and "/uploads/pending/" not in html


def test_a_long_non_ascii_file_name_is_no_server_error(statistician):
    name = "Kindertagesstätten und Familienzentren – Übersicht für die Sozialplanung " * 4
    response = check(statistician, GOOD, name + ".csv")
    assert response.status_code == 200
    assert response.context["result"].added == ["Kita Admin"]
