"""Uploading the register and the housing pipeline in the admin: check, then import; errors
by file, row and column with nothing written; only for those who may start projection runs."""

from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from atlas.permissions import DEPARTMENTS, PLANNERS
from projections.models import (
    HousingImport,
    PlannedDwellings,
    RegisterBirths,
    RegisterCell,
    RegisterImport,
    RegisterMove,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop"
REGISTER_URL = "/admin/projections/projectionrun/register-hochladen/"
HOUSING_URL = "/admin/projections/projectionrun/wohnungen-hochladen/"
START_URL = "/admin/projections/projectionrun/starten/"


def fixture_rows(name: str, year: int, code: str, as_year: int) -> str:
    """The header and the demo register's rows of one year and district, moved to another
    year."""
    header, *lines = (FIXTURES / "register" / name).read_text().splitlines()
    picked = [f"{as_year},{line.split(',', 1)[1]}" for line in lines
              if line.startswith(f"{year},{code},")]  # fmt: skip
    return "\n".join([header, *picked]) + "\n"


def csv_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def user_in(group: str, name: str) -> User:
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def planner(client):
    """A test client logged in as a member of the Sozialplanung group, who may start runs."""
    client.force_login(user_in(PLANNERS, "plan"))
    return client


def confirm(client, url: str, page) -> object:
    form = {"confirm": "1"}
    for kind, token, name in page.context["pending"]:
        form.update({f"token-{kind}": token, f"filename-{kind}": name})
    return client.post(url, form)


def test_a_register_upload_is_checked_then_imported_with_its_audit_record(planner):
    cells = fixture_rows("population.csv", 2024, "11", 2025)
    births = fixture_rows("births.csv", 2024, "11", 2025)
    page = planner.post(REGISTER_URL, {"cells": csv_file("bevoelkerung.csv", cells),
                                       "births": csv_file("geburten.csv", births)})  # fmt: skip
    files = page.context["files"]
    assert [(f["name"], f["rows"], f["years"], f["replaced"]) for f in files] == [
        ("bevoelkerung.csv", 202, "2025", ""), ("geburten.csv", 70, "2025", ""),
    ]  # fmt: skip
    assert "Prüfung bestanden" in page.content.decode()
    assert not RegisterCell.objects.filter(year=2025).exists()  # nothing written yet
    done = confirm(planner, REGISTER_URL, page)
    assert done.status_code == 302 and done.url == START_URL
    assert RegisterCell.objects.filter(year=2025, district__code="11").count() == 202
    assert RegisterBirths.objects.filter(year=2025).count() == 70
    latest = RegisterImport.objects.first()
    assert latest.created_by.username == "plan"
    assert LogEntry.objects.filter(object_id=str(latest.pk), user__username="plan").exists()


def test_a_bad_register_file_is_refused_by_file_row_and_column_and_nothing_is_written(planner):
    cells = fixture_rows("population.csv", 2024, "11", 2025).replace(
        "2025,11,m,1,", "2025,11,m,zwei,"
    )
    births = fixture_rows("births.csv", 2024, "11", 2025)
    before = RegisterImport.objects.count()
    page = planner.post(REGISTER_URL, {"cells": csv_file("bevoelkerung.csv", cells),
                                       "births": csv_file("geburten.csv", births)})  # fmt: skip
    html = page.content.decode()
    assert "1 Fehler in „bevoelkerung.csv, geburten.csv“ – nichts wurde geschrieben" in html
    assert "<td>3</td><td>–</td><td>age</td><td>zwei</td><td>bevoelkerung.csv: " in html
    assert "files" not in page.context
    assert RegisterImport.objects.count() == before
    assert not RegisterBirths.objects.filter(year=2025).exists()


def test_the_check_shows_the_balance_warning(planner):
    def both_years(name: str) -> str:
        header, *lines = (FIXTURES / "register" / name).read_text().splitlines()
        return "\n".join([header, *(line for line in lines if line[:4] in ("2023", "2024"))])

    cells = both_years("population.csv").replace("\n2024,11,m,5,", "\n2024,11,m,5,9")
    page = planner.post(REGISTER_URL, {
        "cells": csv_file("population.csv", cells),
        "births": csv_file("births.csv", both_years("births.csv")),
        "within": csv_file("moves_within.csv", both_years("moves_within.csv")),
    })  # fmt: skip
    assert [f["replaced"] for f in page.context["files"]] == ["2023–2024"] * 3
    assert "1 Zellen (Gebiet × Geschlecht × Alter) gehen nicht auf" in page.context["warnings"][0]
    assert 'id="register-warnings"' in page.content.decode()


def test_an_upload_over_the_size_limit_is_refused_before_it_is_kept(planner, settings):
    settings.ATLAS_UPLOAD_MAX_BYTES = 10
    page = planner.post(REGISTER_URL, {"cells": csv_file("p.csv", "year,code\n2025,11\n")})
    assert "Die Datei ist zu groß." in page.content.decode()
    assert "pending" not in page.context


def test_at_least_one_register_file_is_asked_for(planner):
    page = planner.post(REGISTER_URL, {})
    assert "Bitte mindestens eine Datei wählen." in page.content.decode()


def test_users_who_may_not_start_runs_cannot_upload(client):
    client.force_login(user_in(DEPARTMENTS, "fach"))
    cells = fixture_rows("population.csv", 2024, "11", 2025)
    assert client.get(REGISTER_URL).status_code == 403
    assert client.get(HOUSING_URL).status_code == 403
    refused = client.post(REGISTER_URL, {"cells": csv_file("p.csv", cells)})
    assert refused.status_code == 403
    assert not RegisterCell.objects.filter(year=2025).exists()


def test_another_user_cannot_confirm_someone_elses_upload(planner, client):
    cells = fixture_rows("population.csv", 2024, "11", 2025)
    page = planner.post(REGISTER_URL, {"cells": csv_file("p.csv", cells)})
    client.force_login(user_in(PLANNERS, "andere"))
    assert confirm(client, REGISTER_URL, page).status_code == 403
    assert not RegisterCell.objects.filter(year=2025).exists()


def housing_text(shift: int) -> str:
    """The demo pipeline, its years moved on by ``shift``."""
    header, *lines = (FIXTURES / "housing" / "wohnungsbau-demo.csv").read_text().splitlines()
    moved = [f"{int(line[:4]) + shift}{line[4:]}" for line in lines]
    return "\n".join([header, *moved]) + "\n"


def test_a_housing_upload_is_checked_then_imported(planner):
    page = planner.post(HOUSING_URL, {"file": csv_file("wohnungen.csv", housing_text(15))})
    result = page.context["result"]
    assert (result.rows, result.dwellings, page.context["years"]) == (14, 870, "2040–2044")
    assert page.context["replaced"] == ""
    assert not PlannedDwellings.objects.filter(year=2040).exists()
    html = page.content.decode()
    assert 'name="confirm"' in html and f'<a href="{HOUSING_URL}">Abbrechen</a>' in html
    done = confirm(planner, HOUSING_URL, page)
    assert done.status_code == 302 and done.url == START_URL
    assert PlannedDwellings.objects.filter(year__gte=2040).count() == 14
    assert HousingImport.objects.first().created_by.username == "plan"


def test_a_bad_housing_file_is_refused_by_row_and_column_and_nothing_is_written(planner):
    text = housing_text(15).replace("2041;42;120", "2041;42;viele")
    before = HousingImport.objects.count()
    page = planner.post(HOUSING_URL, {"file": csv_file("wohnungen.csv", text)})
    html = page.content.decode()
    assert "<td>5</td><td>–</td><td>Wohnungen</td><td>viele</td><td>wohnungen.csv: " in html
    assert "result" not in page.context
    assert HousingImport.objects.count() == before
    assert not PlannedDwellings.objects.filter(year__gte=2040).exists()


def test_the_start_page_and_the_list_link_the_uploads(planner):
    for url in (START_URL, "/admin/projections/projectionrun/"):
        html = planner.get(url).content.decode()
        assert REGISTER_URL in html and HOUSING_URL in html, url
    assert "Registerdaten der Jahre 2012–2024" in planner.get(START_URL).content.decode()


def test_the_start_page_says_when_there_is_no_register_and_links_the_upload(planner):
    for model in (RegisterCell, RegisterBirths, RegisterMove):
        model.objects.all().delete()
    RegisterImport.objects.all().delete()
    html = planner.get(START_URL).content.decode()
    note = html[html.index('id="register-state"') :].split("</p>", 1)[0]
    assert "Es sind noch keine Registerdaten importiert" in note and REGISTER_URL in note


def test_a_spreadsheet_is_read_like_a_value_upload(planner):
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    for line in housing_text(15).splitlines():
        book.active.append([int(c) if c.isdigit() else c for c in line.split(";")])
    data = BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("wohnungen.xlsx", data.getvalue())
    page = planner.post(HOUSING_URL, {"file": upload})
    assert (page.context["result"].rows, page.context["result"].dwellings) == (14, 870)


def test_the_check_names_the_stored_years_an_import_replaces(planner):
    page = planner.post(HOUSING_URL, {"file": csv_file("wohnungen.csv", housing_text(2))})
    assert (page.context["years"], page.context["replaced"]) == ("2027–2031", "2027–2029")


def test_a_file_that_is_no_table_is_refused_with_its_name(planner):
    upload = SimpleUploadedFile("bevoelkerung.csv", b"\x00\x01\x02binary")
    page = planner.post(REGISTER_URL, {"cells": upload})
    html = page.content.decode()
    assert "keine Tabelle: weder CSV-Text noch XLSX" in html and "bevoelkerung.csv" in html
    assert "files" not in page.context
