"""Reports: the demo reports as pages and PDF, numbers from the read path at the pinned state,
a later release announced and not taken over, drafts private, publishing under four eyes, the
editor's checks and its live preview."""

import datetime
import os
import re
import subprocess
from pathlib import Path

import docx
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from atlas.permissions import PLANNERS
from core import changes
from core.models import PendingChange
from districts.models import District, Level
from indicators.models import Indicator, Release
from indicators.presenters import shown
from indicators.selectors import level_values
from indicators.services.import_values import import_values
from indicators.services.releases import withdraw_release
from reports import blocks
from reports.build import ChapterDraft, build, figures
from reports.models import Block, Chapter, Report
from reports.services.reports import request_status, set_status
from reports.text import html

pytestmark = pytest.mark.django_db

SOCIAL = "sozialbericht-2024-demo"
SUED = "bezirksbericht-sued-2024-demo"


def text_of_pdf(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout


def test_the_demo_reports_are_listed_and_linked_from_every_page(client):
    start = client.get("/").content.decode()
    assert 'href="/berichte/"' in start
    listing = client.get("/berichte/").content.decode()
    assert f'href="/berichte/{SOCIAL}/"' in listing
    assert f'href="/berichte/{SUED}/"' in listing


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_report_page_states_the_read_paths_numbers(client, language):
    indicator = Indicator.objects.get(slug="kinderarmut")
    level = Level.objects.get(slug="statistischer-bezirk")
    release = Report.objects.get(slug=SOCIAL).release
    values = level_values(indicator=indicator, level=level, year=2024, as_of=release.published_at)
    altstadt = next(a for a in values.areas if a.name == "Altstadt")
    from django.utils import translation

    with translation.override(language):
        expected = shown(altstadt.cell.value, indicator.decimals)

    page = client.get(f"/berichte/{SOCIAL}/", {"lang": language}).content.decode()

    assert f'<th scope="row">Altstadt</th><td class="num">{expected}' in page
    assert ("Demo data" if language == "en" else "Demodaten") in page
    assert 'role="img"' in page and "<title>" in page  # the maps carry their text


def test_the_bezirk_report_shows_only_its_areas_and_the_bezirk_and_city_rows(client):
    sued = District.objects.get(level__slug="stadtbezirk", code="2")
    report = Report.objects.get(slug=SUED)
    document = build(report, language="de")
    table = next(b for c in document.chapters for b in c.blocks if getattr(b, "reference_rows", 0))
    names = [row[0] for row in table.rows]
    assert names[-2:] == [f"Stadtbezirk {sued.name}", "Stadt (gesamt)"]
    inside = {
        a.name
        for a in level_values(
            indicator=Indicator.objects.get(slug="kinderarmut"),
            level=Level.objects.get(slug="statistischer-bezirk"),
            year=2024,
            within=sued,
        ).areas
    }
    assert set(names[:-2]) == inside
    assert "Kirchhellen-Mitte" not in names


def test_the_pdf_is_tagged_with_contents_and_page_numbers(client, tmp_path):
    response = client.get(f"/berichte/{SUED}/bericht.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    info = pdf_info(response.content, tmp_path)
    assert "Tagged:          yes" in info
    text = text_of_pdf(response.content, tmp_path)
    assert "Bezirksbericht Süd 2024" in text
    assert "Inhalt" in text
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert re.search(rf"\b{pages} ?/ ?{pages}\b", text)  # page numbers in the footer
    assert "Demodaten" in text
    assert "127.0.0.1" not in text.split("Adresse")[0]  # no site address in the running text


def test_a_draft_is_not_public_but_the_admin_previews_it(client, admin_client):
    report = Report.objects.create(slug="entwurf", title="Entwurf", author="Sozialplanung")
    Chapter.objects.create(report=report, heading="Eins", text="Noch **nicht** öffentlich.")

    assert client.get("/berichte/entwurf/").status_code == 404
    assert client.get("/berichte/entwurf/bericht.pdf").status_code == 404
    assert "entwurf" not in client.get("/berichte/").content.decode()
    preview = admin_client.get(f"/admin/reports/report/{report.pk}/vorschau/")
    assert preview.status_code == 200
    assert "Noch <strong>nicht</strong> öffentlich." in preview.content.decode()


def test_a_report_keeps_its_numbers_after_a_newer_release_and_says_so(client, tmp_path):
    report = Report.objects.get(slug=SOCIAL)
    pinned = build(report, language="de")
    altstadt = District.objects.get(level__slug="statistischer-bezirk", name="Altstadt")
    csv = tmp_path / "korrektur.csv"
    csv.write_text(
        "level,code,indicator,year,value,numerator,denominator,status\n"
        f"statistischer-bezirk,{altstadt.code},kinderarmut,2024,,120,400,normal\n",
        encoding="utf-8",
    )
    import_values(path=csv, title="Korrektur 2024", publish=True)

    again = build(report, language="de")
    now = build(report, language="de", current=True)
    assert figures(again) == figures(pinned)
    assert figures(now) != figures(pinned)
    page = client.get(f"/berichte/{SOCIAL}/").content.decode()
    assert "Seit dem Datenstand dieses Berichts wurden Zahlen geändert" in page
    assert f"/berichte/{SOCIAL}/?stand=aktuell" in page
    current = client.get(f"/berichte/{SOCIAL}/", {"stand": "aktuell"}).content.decode()
    assert '<th scope="row">Altstadt</th><td class="num">30,0' in current
    assert '<th scope="row">Altstadt</th><td class="num">30,0' not in page


def test_an_unknown_stand_is_refused_by_name(client):
    response = client.get(f"/berichte/{SOCIAL}/", {"stand": "gestern"})
    assert response.status_code == 400
    assert "stand" in response.content.decode()


def test_markdown_is_sanitised():
    rendered = html("<script>alert(1)</script> [x](javascript:alert(1)) **fett**")
    assert "<script" not in rendered
    assert "javascript:" not in rendered.replace("[x](javascript:alert(1))", "")
    assert "<strong>fett</strong>" in rendered


@pytest.mark.parametrize(
    ("kind", "given", "field"),
    [
        ("map", {}, "indicator"),
        ("map", {"indicator": "gibt-es-nicht"}, "indicator"),
        ("map", {"indicator": "kinderarmut", "classes": 9}, "classes"),
        ("table", {"indicators": "kinderarmut"}, "indicators"),
        ("chart", {"indicator": "kinderarmut", "chart": "scatter"}, "y"),
        ("map", {"indicator": "kinderarmut", "colour": "rot"}, "settings"),
        ("findings", {"finding": "horoskop"}, "finding"),
        ("chart", {"indicator": "kinderarmut", "areas": ["11", "99"]}, "areas"),
    ],
)
def test_block_settings_are_checked_field_by_field(kind, given, field):
    with pytest.raises(ValidationError) as error:
        blocks.check(kind, given)
    assert field in error.value.message_dict


@pytest.fixture
def planners(db):
    group = Group.objects.get(name=PLANNERS)
    users = [User.objects.create_user(name, is_staff=True) for name in ("clara", "dirk")]
    for user in users:
        user.groups.add(group)
    return users


def test_under_four_eyes_a_report_is_published_by_a_second_person(settings, planners, client):
    settings.ATLAS_FOUR_EYES = True
    clara, dirk = planners
    report = Report.objects.create(slug="neu", title="Neu", author="Sozialplanung")
    Chapter.objects.create(report=report, heading="Eins")

    with pytest.raises(PermissionDenied):
        set_status(report=report, status=Report.Status.PUBLISHED, user=clara)
    change = request_status(report=report, status=Report.Status.PUBLISHED, user=clara)
    assert client.get("/berichte/neu/").status_code == 404
    with pytest.raises(PermissionDenied):
        changes.approve(change=change, user=clara)
    newest = Release.objects.filter(status=Release.Status.PUBLISHED).latest("published_at")

    changes.approve(change=change, user=dirk)

    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert report.release == newest  # pinned to the newest release when approved
    assert client.get("/berichte/neu/").status_code == 200
    assert PendingChange.objects.get(pk=change.pk).status == PendingChange.Status.APPROVED


def test_a_published_report_cannot_be_edited_in_the_admin(planners):
    clara = planners[0]
    client = Client()
    client.force_login(clara)
    report = Report.objects.get(slug=SOCIAL)
    chapter = report.chapters.first()

    response = client.post(f"/admin/reports/chapter/{chapter.pk}/change/", {"heading": "Geändert"})

    assert response.status_code in (302, 403) or "Geändert" not in response.content.decode()
    chapter.refresh_from_db()
    assert chapter.heading != "Geändert"


def _chapter_form(report: Report, heading: str) -> dict:
    return {
        "report": report.pk,
        "position": 0,
        "heading": heading,
        "text": "",
        "blocks-TOTAL_FORMS": 0,
        "blocks-INITIAL_FORMS": 0,
        "blocks-MIN_NUM_FORMS": 0,
        "blocks-MAX_NUM_FORMS": 1000,
    }


def test_no_chapter_is_added_to_or_moved_into_a_published_report(planners):
    client = Client()
    client.force_login(planners[0])
    published = Report.objects.get(slug=SOCIAL)
    draft = Report.objects.create(slug="entwurf", title="Entwurf", author="Sozialplanung")
    chapter = Chapter.objects.create(report=draft, heading="Verschoben")

    client.post("/admin/reports/chapter/add/", _chapter_form(published, "Angefügt"))
    client.post(f"/admin/reports/chapter/{chapter.pk}/change/", _chapter_form(published, "V"))

    headings = list(published.chapters.values_list("heading", flat=True))
    assert "Angefügt" not in headings and "V" not in headings
    chapter.refresh_from_db()
    assert chapter.report == draft


def test_a_report_changed_after_it_was_submitted_is_not_published(settings, planners):
    settings.ATLAS_FOUR_EYES = True
    clara, dirk = planners
    report = Report.objects.create(slug="neu", title="Neu", author="Sozialplanung")
    chapter = Chapter.objects.create(report=report, heading="Geprüft")
    change = request_status(report=report, status=Report.Status.PUBLISHED, user=clara)
    chapter.heading = "Nach der Vorlage geändert"
    chapter.save()

    with pytest.raises(changes.Stale):
        changes.approve(change=change, user=dirk)

    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


def test_the_publish_button_has_a_form_of_its_own_outside_the_change_form(planners):
    client = Client()
    client.force_login(planners[0])
    report = Report.objects.create(slug="entwurf", title="Entwurf", author="Sozialplanung")

    page = client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()

    # A browser drops a <form> opened inside another; the button's form="…" would find nothing.
    depth, nested = 0, []
    for tag in re.finditer(r"<form\b[^>]*>|</form>", page):
        if tag[0] == "</form>":
            depth -= 1
            continue
        if depth:
            nested.append(tag[0])
        depth += 1
    assert 'id="report-status-publish"' in page
    assert 'form="report-status-publish"' in page
    assert nested == []


def test_the_live_preview_shows_the_unsaved_form(planners):
    clara = planners[0]
    client = Client()
    client.force_login(clara)
    report = Report.objects.create(slug="vorschau", title="Vorschau", author="Sozialplanung")
    chapter = Chapter.objects.create(report=report, heading="Alt", text="Alter Text")
    Block.objects.create(chapter=chapter, kind="table", settings={"indicators": ["einwohner"]})
    form = {
        "report": report.pk,
        "position": 1,
        "heading": "Neu",
        "text": "Neuer *Text*",
        "blocks-TOTAL_FORMS": 1,
        "blocks-INITIAL_FORMS": 0,
        "blocks-MIN_NUM_FORMS": 0,
        "blocks-MAX_NUM_FORMS": 1000,
        "blocks-0-position": 1,
        "blocks-0-kind": "key_figures",
        "blocks-0-indicators": ["anteil-65-plus"],
    }

    response = client.post(f"/admin/reports/chapter/{chapter.pk}/vorschau/", form)

    body = response.content.decode()
    assert "Neuer <em>Text</em>" in body
    assert "Anteil der Personen ab 65 Jahren" in body
    chapter.refresh_from_db()
    assert chapter.text == "Alter Text"  # nothing saved

    form["blocks-0-kind"] = "map"
    form["blocks-0-classes"] = 9
    response = client.post(f"/admin/reports/chapter/{chapter.pk}/vorschau/", form)
    assert "Baustein 1" in response.content.decode()


def test_a_chapter_built_from_a_draft_reads_the_pinned_state():
    report = Report.objects.get(slug=SOCIAL)
    draft = ChapterDraft("K", "", "", "", [("key_figures", {"indicators": ["einwohner"]})])
    document = build(report, language="de", chapters=[draft])
    (figure,) = document.chapters[0].blocks[0].items
    city = level_values(
        indicator=Indicator.objects.get(slug="einwohner"),
        level=Level.objects.get(slug="statistischer-bezirk"),
        year=2024,
        as_of=report.release.published_at,
    ).city
    assert figure.value == f"{shown(city.cell.value, 0)}\u00a0Personen"
    assert f"(Veröffentlichung „{report.release.title}“)" in document.state
    assert report.release.published_at.date() <= datetime.date.today()


@pytest.mark.external
def test_the_word_file_of_the_demo_report_reads_back_and_opens_in_libreoffice(client, tmp_path):
    response = client.get(f"/berichte/{SUED}/bericht.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{SUED}.docx"'
    source = tmp_path / "bericht.docx"
    source.write_bytes(response.content)

    word = docx.Document(str(source))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    chapters = Report.objects.get(slug=SUED).chapters.values_list("heading", flat=True)
    assert [h.split(". ", 1)[-1] for h in headings] == list(chapters)
    assert any(row.cells[0].text == "Stadt (gesamt)" for table in word.tables for row in table.rows)
    assert len(word.inline_shapes) >= 3  # map, ranking, pyramid
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    text = text_of_pdf((tmp_path / "bericht.pdf").read_bytes(), tmp_path)
    assert "Bezirksbericht Süd 2024 (Demodaten)" in text
    assert "Kinderarmut" in text


def test_a_report_on_a_withdrawn_release_says_so(client, tmp_path):
    altstadt = District.objects.get(level__slug="statistischer-bezirk", name="Altstadt")
    csv = tmp_path / "korrektur.csv"
    csv.write_text(
        "level,code,indicator,year,value,numerator,denominator,status\n"
        f"statistischer-bezirk,{altstadt.code},kinderarmut,2024,,120,400,normal\n",
        encoding="utf-8",
    )
    import_values(path=csv, title="Korrektur 2024", publish=True)
    correction = Release.objects.get(title="Korrektur 2024")
    report = Report.objects.create(slug="auf-korrektur", title="K", author="S", release=correction)
    chapter = Chapter.objects.create(report=report, heading="Eins")
    Block.objects.create(chapter=chapter, kind="table", settings={"indicators": ["kinderarmut"]})
    set_status(report=report, status=Report.Status.PUBLISHED)
    before = client.get("/berichte/auf-korrektur/").content.decode()
    assert '<th scope="row">Altstadt</th><td class="num">30,0' in before

    withdraw_release(release=correction)

    after = client.get("/berichte/auf-korrektur/").content.decode()
    assert "wurde zurückgezogen" in after
    assert "Korrektur 2024“, am " in after
    assert '<th scope="row">Altstadt</th><td class="num">30,0' not in after
