import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from indicators.models import Observation, Release
from indicators.services.export import as_csv, as_xlsx, export_rows
from indicators.services.import_values import import_values
from indicators.services.releases import publish_release
from tests.auditlog import entries_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_release():
    return Release.objects.get(title="Demodaten Bottrop (synthetisch)")


@pytest.mark.slow
@pytest.mark.parametrize(("render", "suffix"), [(as_csv, "csv"), (as_xlsx, "xlsx")])
def test_an_exported_release_imports_again_without_changes(demo_release, tmp_path, render, suffix):
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(render(export_rows(release=demo_release)))
    result = import_values(path=path, title="Rückimport", dry_run=True)
    count = demo_release.observations.count()
    assert result.rows == count
    assert (result.preview.new, len(result.preview.changed), result.preview.unchanged) == (
        0, 0, count,
    )  # fmt: skip


def test_the_xlsx_export_keeps_numbers_as_numbers(demo_release):
    # Read-only: only the two rows looked at are parsed, not all of the demo release's.
    content = as_xlsx(export_rows(release=demo_release))
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert isinstance(first["wert"], float | int)


@pytest.fixture
def draft(tmp_path, statisticians):
    path = tmp_path / "w.csv"
    path.write_text("gebiet,ebene,indikator,jahr,wert\n05512000,stadt,einwohner,2023,118800\n")
    return import_values(path=path, title="Entwurf", user=statisticians[0]).release


def test_with_four_eyes_the_uploader_cannot_publish_alone(draft, statisticians, settings):
    settings.ATLAS_FOUR_EYES = True
    anna, ben = statisticians
    with pytest.raises(PermissionDenied, match="Vier-Augen"):
        publish_release(release=draft, user=anna)
    publish_release(release=draft, user=ben)
    assert Release.objects.get(pk=draft.pk).published_by == ben


def test_upload_and_publication_are_in_the_audit_log(draft, statisticians):
    publish_release(release=draft, user=statisticians[1])
    entries = entries_of(draft)
    messages = [(e.user.username, e.change_message) for e in entries]
    assert messages[0][0] == "anna" and "1 Werte aus w.csv" in messages[0][1]
    assert messages[1] == ("ben", "veröffentlicht")


def test_an_observation_shows_every_version_in_the_admin(admin_client, draft):
    observation = Observation.objects.get(release=draft)
    page = admin_client.get(f"/admin/indicators/observation/{observation.pk}/change/")
    html = page.content.decode()
    assert "Demodaten Bottrop (synthetisch)" in html and "Entwurf" in html
    assert "118.800" in html and "118.705" in html


def test_the_admin_exports_a_release(admin_client, demo_release):
    response = admin_client.post(
        "/admin/indicators/release/",
        {"action": "export", "_selected_action": [demo_release.pk]},
        follow=True,
    )
    assert response.context["form"]["release"].value() == str(demo_release.pk)
    response = admin_client.get(
        "/admin/indicators/release/export/", {"release": demo_release.pk, "format": "csv"}
    )
    assert response["Content-Disposition"].endswith('.csv"')
    assert response.content.decode("utf-8-sig").startswith("gebiet;ebene;indikator")


def test_a_department_uploads_only_for_its_themes(tmp_path):
    from atlas.permissions import DEPARTMENTS
    from core.importing import ImportRejected
    from indicators.models import Theme, ThemeAccess

    department = Group.objects.get(name=DEPARTMENTS)
    ThemeAccess.objects.create(group=department, theme=Theme.objects.get(slug="pflege"))
    user = User.objects.create_user("pflegeamt", is_staff=True)
    user.groups.add(department)
    path = tmp_path / "w.csv"
    path.write_text(
        "gebiet,ebene,indikator,jahr,wert\n"
        "05512000,stadt,pflegebeduerftige,2023,5000\n"
        "05512000,stadt,einwohner,2023,118800\n"
    )
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="Pflege", user=user)
    [error] = info.value.errors
    assert (error.row, error.value) == (3, "einwohner")
    assert "Bevölkerung" in error.message
