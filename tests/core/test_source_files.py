"""An upload's source file in the admin: served to those who may see the upload, and where
the file is gone, a clear message on the upload's page instead of a 404."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile

from atlas.permissions import DEPARTMENTS
from facilities.models import FacilityUpload
from indicators.models import Release

pytestmark = pytest.mark.django_db

CONTENT = b"gebiet;indikator;jahr;wert\n11;wohnungslose;2025;2\n"


@pytest.fixture
def release_with_file():
    release = Release.objects.create(title="Werte 2025", source_filename="werte_2025.csv")
    release.source_file.save("werte_2025.csv", ContentFile(CONTENT))
    return release


@pytest.fixture
def release_without_its_file():
    """A release whose file is no longer in the storage (e.g. a database restored alone)."""
    return Release.objects.create(
        title="Werte 2024",
        source_filename="werte_2024.csv",
        source_file="releases/2024/werte_2024.csv",
    )


def change_page(release) -> str:
    return f"/admin/indicators/release/{release.pk}/change/"


def source_link(release) -> str:
    return f"/admin/indicators/release/{release.pk}/quelldatei/"


def test_the_change_page_links_the_source_file_through_the_admin(statistician, release_with_file):
    html = statistician.get(change_page(release_with_file)).content.decode()
    assert f'<a href="{source_link(release_with_file)}">werte_2025.csv</a>' in html
    assert "/media/" not in html  # uploaded files are never served as they lie
    assert 'type="file"' not in html  # shown, not replaceable


def test_the_source_file_downloads_under_its_original_name(statistician, release_with_file):
    response = statistician.get(source_link(release_with_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Disposition"] == 'attachment; filename="werte_2025.csv"'
    assert "no-cache" in response["Cache-Control"]


def test_the_change_page_says_when_the_file_is_missing(statistician, release_without_its_file):
    html = statistician.get(change_page(release_without_its_file)).content.decode()
    assert "werte_2024.csv <strong>(fehlt im Dateispeicher)</strong>" in html
    assert source_link(release_without_its_file) not in html


def test_a_missing_file_is_explained_on_the_release_page_not_a_404(
    statistician, release_without_its_file
):
    response = statistician.get(source_link(release_without_its_file))
    assert response.status_code == 302
    assert response["Location"] == change_page(release_without_its_file)
    page = statistician.get(response["Location"])
    assert page.status_code == 200
    message = " ".join(str(m) for m in page.context["messages"])
    assert "Die Quelldatei „werte_2024.csv“ fehlt im Dateispeicher" in message
    assert "releases/2024/werte_2024.csv" in message
    assert "aus einer Sicherung wiederherstellen" in message


def test_the_message_is_in_english_for_an_english_admin(statistician, release_without_its_file):
    response = statistician.get(
        source_link(release_without_its_file), headers={"Accept-Language": "en"}, follow=True
    )
    message = " ".join(str(m) for m in response.context["messages"])
    assert "The source file “werte_2024.csv” is missing from the file store" in message


def test_a_release_without_a_file_says_so(statistician):
    release = Release.objects.create(title="Ohne Datei")
    response = statistician.get(source_link(release), follow=True)
    assert response.redirect_chain[-1][0] == change_page(release)
    message = " ".join(str(m) for m in response.context["messages"])
    assert "keine Quelldatei gespeichert" in message


def test_a_department_gets_no_file_of_a_release_it_may_not_see(client, release_with_file):
    user = User.objects.create_user("pflegeamt", is_staff=True)
    user.groups.add(Group.objects.get(name=DEPARTMENTS))
    client.force_login(user)
    response = client.get(source_link(release_with_file), follow=True)
    assert response.redirect_chain[-1][0] == "/admin/indicators/release/"
    assert CONTENT not in response.content


def test_the_facility_upload_serves_its_source_file_too(statistician):
    upload = FacilityUpload.objects.create(source_filename="angebote.csv", sha256="0" * 64)
    upload.source_file.save("angebote.csv", ContentFile(b"typ,name\nkita,Kita Test\n"))
    link = f"/admin/facilities/facilityupload/{upload.pk}/quelldatei/"
    html = statistician.get(f"/admin/facilities/facilityupload/{upload.pk}/change/")
    assert f'<a href="{link}">angebote.csv</a>' in html.content.decode()
    response = statistician.get(link)
    assert b"".join(response.streaming_content) == b"typ,name\nkita,Kita Test\n"
