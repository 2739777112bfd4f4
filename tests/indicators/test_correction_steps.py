"""A statistician's correction in few steps: the start page exports the values public now, of
the newest year, as XLSX in one click and takes the corrected file back; the preview names the
release from what the file changes and saves it straight on to the page that publishes it;
the losses tick and four eyes stay."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import Observation, Release
from indicators.upload import suggested_title

pytestmark = pytest.mark.django_db

START = "/admin/"
EXPORT = "/admin/indicators/release/export/"
UPLOAD = "/admin/indicators/release/upload/"
NEWEST = 2024  # the demo data's newest year
CORRECTION = "gebiet;ebene;indikator;jahr;wert\n05512000;stadt;einwohner;2023;118800\n"


def newest_public_year() -> int:
    return max(Observation.objects.published().values_list("year", flat=True))


def check(client, text: str = CORRECTION, name: str = "werte-2023.csv", title: str = ""):
    """The start page's upload: the file alone (a title only where given)."""
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(UPLOAD, {"file": file, **({"title": title} if title else {})})


def save(client, page, *, action: str, **extra):
    context = page.context
    return client.post(UPLOAD, {
        "token": context["token"], "filename": context["filename"],
        "title": context["title_value"], "mapping": context["mapping_json"], "confirm": "1",
        action: "1", **extra,
    })  # fmt: skip


def test_the_demo_data_has_the_newest_year_this_file_assumes():
    assert newest_public_year() == NEWEST


def test_the_export_page_preselects_the_public_values_of_the_newest_year_as_xlsx(statistician):
    form = statistician.get(EXPORT).context["form"]
    assert form["year"].value() == [NEWEST]
    assert form["release"].value() is None  # the values public now
    assert form["format"].value() == "xlsx"
    html = statistician.get(EXPORT).content.decode()
    assert re.search(rf'value="{NEWEST}"[^>]*checked', html)


def test_an_export_of_a_chosen_release_keeps_all_its_years(statistician):
    demo = Release.objects.get(title="Demodaten Bottrop (synthetisch)")
    assert statistician.get(EXPORT, {"release": demo.pk}).context["form"]["year"].value() == []


def test_the_start_page_exports_the_newest_public_year_in_one_click(statistician):
    html = statistician.get(START).content.decode()
    link = re.search(r'<a href="([^"]+)" id="start-export">([^<]+)</a>', html)
    assert link is not None
    assert link.group(2) == f"Öffentliche Werte {NEWEST} herunterladen (XLSX)"
    response = statistician.get(link.group(1).replace("&amp;", "&"))
    assert response["Content-Disposition"].startswith(f'attachment; filename="werte-{NEWEST}-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    years = {row[header.index("jahr")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert years == {NEWEST}


def test_the_start_page_takes_the_corrected_file_without_a_title(statistician):
    html = statistician.get(START).content.decode()
    form = html[html.index('class="start-upload"') - 200 : html.index('id="start-tasks"')]
    assert f'action="{UPLOAD}"' in form and 'enctype="multipart/form-data"' in form
    assert 'type="file" name="file" id="start-file" required' in form
    page = check(statistician)
    assert page.status_code == 200 and page.context["result"].preview.changed_count == 1


def test_a_release_without_a_title_is_named_by_what_its_file_changes(statistician):
    page = check(statistician)
    assert page.context["title_value"] == "Korrektur Einwohnerinnen und Einwohner 2023"
    assert 'id="release-title" value="Korrektur Einwohnerinnen und Einwohner 2023"' in (
        page.content.decode()
    )


def test_a_given_title_is_kept_and_the_suggested_one_can_be_changed(statistician):
    page = check(statistician, title="Meine Korrektur")
    assert page.context["title_value"] == "Meine Korrektur"
    save(statistician, page, action="publish", title="Anders genannt")
    assert Release.objects.filter(title="Anders genannt", status="draft").exists()


@pytest.mark.parametrize(
    ("changed", "added", "years", "title"),
    [
        (["einwohner"], [], [2023], "Korrektur Einwohnerinnen und Einwohner 2023"),
        ([], ["einwohner"], [2025], "Neue Werte Einwohnerinnen und Einwohner 2025"),
        (
            ["a", "b", "c"],
            [],
            [2021, 2022, 2024],
            "Korrektur 3 Indikatoren 2021–2022, 2024 (f.csv)",
        ),
        ([], [], [2023], "Werte 2023 (f.csv)"),
    ],
)
def test_a_suggested_title_says_what_the_file_does_to_which_indicators_and_years(
    changed, added, years, title
):
    from indicators.services.import_values import ValueImportResult
    from indicators.services.value_import.preview import Change, NewValues, Preview

    preview = Preview(
        changed=[
            Change(2, slug, "11", year, "1", "2")
            for slug, year in zip(changed, years, strict=False)
        ],
        added=[NewValues(slug, year, 17) for slug, year in zip(added, years, strict=False)],
    )
    result = ValueImportResult(None, 1, "", preview=preview, years=years)
    assert suggested_title("f.csv", result) == title


def test_saving_goes_straight_on_to_the_page_that_publishes(statistician):
    page = check(statistician)
    assert "Speichern und veröffentlichen …" in page.content.decode()
    answer = save(statistician, page, action="publish")
    release = Release.objects.get(title="Korrektur Einwohnerinnen und Einwohner 2023")
    assert release.status == Release.Status.DRAFT
    assert answer.status_code == 302
    assert answer["Location"] == f"/admin/indicators/release/{release.pk}/veroeffentlichen/"
    confirmation = statistician.get(answer["Location"])
    assert "Jetzt veröffentlichen" in confirmation.content.decode()
    statistician.post(answer["Location"])
    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED


def test_a_draft_alone_can_still_be_saved(statistician):
    answer = save(statistician, check(statistician), action="draft")
    release = Release.objects.get(title="Korrektur Einwohnerinnen und Einwohner 2023")
    assert answer["Location"] == f"/admin/indicators/release/{release.pk}/change/"


def test_numbers_lost_are_still_saved_only_when_ticked(statistician):
    text = "gebiet;ebene;indikator;jahr;wert\n11;statistischer-bezirk;einwohner;2023;.\n"
    drafts = Release.objects.filter(status="draft").count()
    page = check(statistician, text)
    assert 'name="accept_losses" id="accept-losses" value="1" required' in page.content.decode()
    refused = save(statistician, page, action="publish")
    assert "ausdrücklicher Bestätigung" in refused.content.decode()
    assert Release.objects.filter(status="draft").count() == drafts
    page = check(statistician, text)
    answer = save(statistician, page, action="publish", accept_losses="1")
    assert answer.status_code == 302 and answer["Location"].endswith("/veroeffentlichen/")


def test_under_four_eyes_saving_submits_the_draft_for_a_second_person(
    client, statisticians, settings
):
    settings.ATLAS_FOUR_EYES = True
    anna, ben = statisticians
    client.force_login(anna)
    page = check(client)
    html = page.content.decode()
    assert "Speichern und zur Veröffentlichung vorlegen" in html
    assert "Nur als Entwurf speichern" not in html
    answer = save(client, page, action="publish")
    release = Release.objects.get(title="Korrektur Einwohnerinnen und Einwohner 2023")
    waiting = client.get(answer["Location"])
    assert waiting.context["blocked"] and 'id="publish-waiting"' in waiting.content.decode()
    assert "Jetzt veröffentlichen" not in waiting.content.decode()
    client.post(answer["Location"])  # the uploader cannot publish it after all
    assert Release.objects.get(pk=release.pk).status == Release.Status.DRAFT
    client.force_login(ben)
    start = client.get(START).content.decode()
    assert f'href="/admin/indicators/release/{release.pk}/veroeffentlichen/"' in start
    client.post(answer["Location"])
    assert Release.objects.get(pk=release.pk).status == Release.Status.PUBLISHED
