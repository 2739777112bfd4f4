from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from atlas.permissions import STATISTICIANS
from indicators.models import Observation, Release

pytestmark = pytest.mark.django_db

URL = "/admin/indicators/release/upload/"


def upload(client, text: str, name="werte.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(URL, {"title": "Korrektur", "file": file})


def test_the_release_list_links_to_the_upload(statistician):
    assert URL in statistician.get("/admin/indicators/release/").content.decode()


def test_an_upload_with_errors_shows_them_by_row_and_column_and_writes_nothing(statistician):
    before = Observation.objects.count()
    page = upload(statistician, "gebiet,ebene,indikator,jahr,wert\n99,stadt,einwohner,2023,5\n")
    html = page.content.decode()
    assert "1 Fehler in „werte.csv“" in html
    assert "<td>2</td><td>–</td><td>gebiet</td><td>99</td><td>unbekanntes Gebiet" in html
    assert Observation.objects.count() == before


def test_an_upload_is_previewed_then_confirmed_as_a_draft(statistician):
    text = (
        "gebiet,ebene,indikator,jahr,wert\n"
        "05512000,stadt,einwohner,2023,118800\n"  # changed
        "05512000,stadt,einwohner,2022,117912\n"  # unchanged
    )
    page = upload(statistician, text)
    html = page.content.decode()
    assert '<strong id="preview-changed">1</strong>' in html
    assert '<strong id="preview-unchanged">1</strong>' in html
    assert "<td>118.705</td><td>118.800</td>" in html
    assert not Release.objects.filter(title="Korrektur").exists()  # nothing written yet
    token = page.context["token"]
    confirm = statistician.post(
        URL, {"token": token, "filename": "werte.csv", "title": "Korrektur", "confirm": "1",
              "mapping": "{}"}
    )  # fmt: skip
    release = Release.objects.get(title="Korrektur")
    assert confirm.status_code == 302
    assert (release.status, release.observations.count()) == ("draft", 2)


def test_a_lost_number_is_shown_first_and_saved_only_when_ticked(statistician):
    text = (
        "gebiet;ebene;indikator;jahr;wert\n"
        "11;statistischer-bezirk;einwohner;2023;.\n"  # a number would be lost
        "05512000;stadt;einwohner;2023;118800\n"  # changed
    )
    page = upload(statistician, text)
    html = page.content.decode()
    assert html.index('id="preview-lost"') < html.index('id="preview-changes"')
    assert "Altstadt (11)" in html[html.index('id="preview-lost"') : html.index("preview-counts")]
    assert 'name="accept_losses"' in html and "required" in html
    pending = {"token": page.context["token"], "filename": "werte.csv", "title": "Korrektur",
               "confirm": "1", "mapping": "{}"}  # fmt: skip
    refused = statistician.post(URL, pending)
    assert "ausdrücklicher Bestätigung" in refused.content.decode()
    assert not Release.objects.filter(title="Korrektur").exists()
    page = upload(statistician, text)  # the refused file was taken away: upload it again
    pending["token"] = page.context["token"]
    statistician.post(URL, {**pending, "accept_losses": "1"})
    release = Release.objects.get(title="Korrektur")
    assert release.observations.get(district__code="11").status == "."


def test_visitors_without_the_permission_cannot_upload(client):
    user = User.objects.create_user("gast", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_the_guide_explains_layouts_and_offers_example_files(statistician, tmp_path):
    page = statistician.get("/admin/indicators/release/anleitung/")
    html = page.content.decode()
    assert "Was die Meldungen bedeuten" in html
    assert "beispiel-langformat.csv" in html and "beispiel-breitformat.csv" in html


@pytest.mark.parametrize("name", ["beispiel-langformat.csv", "beispiel-breitformat.csv"])
def test_the_example_files_import_cleanly(name):
    from django.conf import settings

    from indicators.services.import_values import import_values

    path = settings.BASE_DIR / "static" / "atlas" / "examples" / name
    assert import_values(path=path, title="Beispiel", dry_run=True).rows >= 2


def test_unknown_columns_are_mapped_once_and_remembered_per_source(statistician):
    from indicators.models import ColumnMapping

    text = "Bezirk;SGB II-Quote 2023\n11;30,5\n12;21,0\n"
    file = SimpleUploadedFile("jobcenter.csv", text.encode(), content_type="text/csv")
    page = statistician.post(URL, {"title": "Jobcenter 2023", "source": "Jobcenter", "file": file})
    assert page.context["columns"] == ["Bezirk", "SGB II-Quote 2023"]
    mapped = statistician.post(URL, {
        "token": page.context["token"], "filename": "jobcenter.csv", "title": "Jobcenter 2023",
        "source": "Jobcenter", "mapping": "{}", "map": "1",
        "columns": '["Bezirk", "SGB II-Quote 2023"]',
        "target-0": "area", "target-1": "indicator:sgb-ii-quote", "year-1": "2023",
    })  # fmt: skip
    result = mapped.context["result"]
    # The rates come without their numerators and denominators, which are stored: a loss.
    assert (result.rows, len(result.preview.lost), result.preview.changed_count) == (2, 2, 0)
    statistician.post(URL, {
        "token": page.context["token"], "filename": "jobcenter.csv", "title": "Jobcenter 2023",
        "source": "Jobcenter", "mapping": mapped.context["mapping_json"], "confirm": "1",
        "accept_losses": "1",
    })  # fmt: skip
    release = Release.objects.get(title="Jobcenter 2023")
    assert sorted(release.observations.values_list("district__code", "value")) == [
        ("11", 30.5), ("12", 21.0),
    ]  # fmt: skip
    assert ColumnMapping.objects.get(source="Jobcenter").mapping["SGB II-Quote 2023"] == (
        "indicator:sgb-ii-quote:2023"
    )
    again = SimpleUploadedFile("jobcenter.csv", text.encode(), content_type="text/csv")
    second = statistician.post(URL, {"title": "Nochmal", "source": "Jobcenter", "file": again})
    assert "result" in second.context and "columns" not in second.context


def test_another_user_cannot_confirm_someone_elses_upload(statistician, client):
    page = upload(
        statistician, "gebiet,ebene,indikator,jahr,wert\n05512000,stadt,einwohner,2023,1\n"
    )
    other = User.objects.create_user("andere", is_staff=True)
    other.groups.add(Group.objects.get(name=STATISTICIANS))
    client.force_login(other)
    response = client.post(URL, {"token": page.context["token"], "filename": "werte.csv",
                                 "title": "fremd", "confirm": "1", "mapping": "{}"})  # fmt: skip
    assert response.status_code == 403
    assert not Release.objects.filter(title="fremd").exists()


def test_an_expanding_xlsx_is_refused_with_its_message_not_a_server_error(statistician):
    content = Path(__file__).resolve().parent.parent / "data" / "hostile" / "aufgeblasen.xlsx"
    file = SimpleUploadedFile("aufgeblasen.xlsx", content.read_bytes())
    response = statistician.post(URL, {"title": "Bombe", "file": file})
    assert response.status_code == 200
    (error,) = response.context["errors"]
    assert "Tabellenblatt laut Datei 1.048.576 Zeilen" in error.message


def test_a_long_non_ascii_file_name_is_no_server_error(statistician):
    name = "Bevölkerung nach Stadtbezirken – endgültige Fassung für den Sozialbericht " * 4
    text = "gebiet,ebene,indikator,jahr,wert\n05512000,stadt,einwohner,2023,118800\n"
    response = upload(statistician, text, name=name + ".csv")
    assert response.status_code == 200
    assert '<strong id="preview-changed">1</strong>' in response.content.decode()
