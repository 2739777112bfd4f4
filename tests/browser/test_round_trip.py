"""The statistician's yearly round trip, in German, as a user does it: sign in, export, correct
two values in a spreadsheet, upload, check the preview, save a draft, publish, see the map,
withdraw; and a public download uploaded again, which must not turn stored numbers into ".".

The correction takes the start page's shortest way, each interaction counted: the one-click
export, the file edited, the file chosen, "Prüfen", "Speichern und veröffentlichen …",
"Jetzt veröffentlichen" — six for someone who has not seen the atlas.
"""

import csv
import io

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from atlas.permissions import STATISTICIANS
from indicators.models import Observation, Release

pytestmark = pytest.mark.browser

PASSWORD = "Rundreise-2023!"
# A correction, from the start page to published, editing the file included.
MOST_INTERACTIONS = 6
NEWEST = "2024"  # the year the start page exports
CORRECTED = {"11": "Altstadt (11)", "12": "Innenstadt-Nordost (12)"}
VALUE_CELL = "td:nth-child(4)"  # the map table: choice, code, name, value, …


def german(number: int) -> str:
    """An integer as the German admin writes it: 12.345."""
    return f"{number:,}".replace(",", ".")


def sign_in(page, url: str) -> None:
    """Signs in through the admin's login form as a new member of the statistics group."""
    user = User.objects.create_user("statistik", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "de", "url": url}])
    page.goto(url + "/admin/login/")
    page.get_by_label("Benutzername").fill("statistik")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(url + "/admin/")


def upload(page, path, title: str) -> None:
    """Uploads a file under „Werte hochladen“ and asks for its preview."""
    page.get_by_role("link", name="Werte hochladen").first.click()
    page.get_by_label("Titel des Datenstands").fill(title)
    page.get_by_label("Datei (CSV oder XLSX)").set_input_files(path)
    page.get_by_role("button", name="Prüfen").click()
    page.wait_for_selector("#preview-changed")


def preview_counts(page) -> dict[str, int]:
    counts = ("changed", "lost-count", "new", "unchanged")
    return {name: int(page.inner_text(f"#preview-{name}").replace(".", "")) for name in counts}


def changes(page, table: str) -> list[list[str]]:
    """The rows of a table of changes, from the indicator on: indicator, area, year, old, new."""
    rows = page.locator(f"{table} tbody tr")
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()][-5:] for row in rows.all()
    ]


def save_draft(page) -> str:
    """Saves the checked upload as a draft; returns the address of the draft's page."""
    page.get_by_role("button", name="Nur als Entwurf speichern").click()
    page.wait_for_url("**/change/")
    return page.url


def open_publishing(page) -> None:
    """Opens the confirmation of publishing from the draft's page."""
    page.get_by_role("link", name="Veröffentlichen …").click()
    page.wait_for_selector("#effect-changed")


def open_einwohner_map(page, year: str = "2023") -> None:
    """Follows the link to the map of the changed Einwohner on the page after publishing or
    withdrawing."""
    page.locator("#release-maps").get_by_role("link", name=f"Einwohner {year}").click()
    page.wait_for_url(f"**/?indicator=einwohner&year={year}")


def map_values(page, codes) -> dict[str, str]:
    """The values the public map's table shows for the areas, once drawn."""
    page.wait_for_selector("#map[data-drawn]")
    rows = {code: page.locator(f"#values-table tbody tr[data-code='{code}']") for code in codes}
    return {code: row.locator(VALUE_CELL).inner_text() for code, row in rows.items()}


def test_corrected_einwohner_go_from_export_through_the_map_and_back(atlas, page, tmp_path):
    sign_in(page, atlas.url)
    steps = []
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Öffentliche Werte {NEWEST} herunterladen (XLSX)").click()
    steps.append("export")
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)

    workbook = openpyxl.load_workbook(exported)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) for name in ("gebiet", "ebene", "indikator", "jahr")}
    old = {}
    for row in sheet.iter_rows(min_row=2):
        key = {name: row[index].value for name, index in column.items()}
        if (
            key["indikator"] == "einwohner"
            and key["ebene"] == "statistischer-bezirk"
            and str(key["gebiet"]) in CORRECTED
        ):
            assert str(key["jahr"]) == NEWEST
            cell = row[header.index("wert")]
            old[str(key["gebiet"])] = int(cell.value)
            cell.value = cell.value + 7
    assert set(old) == set(CORRECTED)
    workbook.save(exported)  # as Excel saves it, under the same name
    steps.append("edit")

    page.get_by_label("Korrigierte Datei (CSV oder XLSX)").set_input_files(exported)
    steps.append("file")
    page.get_by_role("button", name="Prüfen").click()
    steps.append("check")
    page.wait_for_selector("#preview-changed")
    expected = [
        ["einwohner", CORRECTED[code], NEWEST, german(old[code]), german(old[code] + 7)]
        for code in CORRECTED
    ]
    assert changes(page, "#preview-changes") == expected
    counts = preview_counts(page)
    assert counts["changed"] == 2
    assert counts["lost-count"] == 0
    assert counts["new"] == 0
    assert counts["unchanged"] == sheet.max_row - 1 - 2
    assert page.locator("#preview-lost").count() == 0
    title = f"Korrektur Einwohnerinnen und Einwohner {NEWEST}"
    assert page.get_by_label("Titel des Datenstands").input_value() == title

    page.get_by_role("button", name="Speichern und veröffentlichen …").click()
    steps.append("save")
    page.wait_for_selector("#effect-changed")
    assert changes(page, "#effect-changes") == expected
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    steps.append("publish")
    assert page.inner_text("#release-status") == "veröffentlicht"
    assert len(steps) <= MOST_INTERACTIONS, steps
    release_page = (
        f"{atlas.url}/admin/indicators/release/{Release.objects.get(title=title).pk}/change/"
    )
    open_einwohner_map(page, NEWEST)
    assert map_values(page, CORRECTED) == {code: german(old[code] + 7) for code in CORRECTED}

    page.goto(release_page)
    page.get_by_role("link", name="Zurückziehen …").click()
    page.wait_for_selector("#effect-restored")
    assert changes(page, "#effect-changes") == [
        ["einwohner", CORRECTED[code], NEWEST, german(old[code] + 7), german(old[code])]
        for code in CORRECTED
    ]
    columns = page.locator("#effect-changes thead th").all_text_contents()
    assert columns[-2:] == ["jetzt", "danach"]  # shown in capitals by the admin's style
    page.get_by_role("button", name="Jetzt zurückziehen").click()
    assert page.inner_text("#release-status") == "zurückgezogen"
    open_einwohner_map(page, NEWEST)
    assert map_values(page, CORRECTED) == {code: german(old[code]) for code in CORRECTED}


def withheld_in_published_releases() -> int:
    return Observation.objects.filter(
        release__status=Release.Status.PUBLISHED, status=Observation.Status.SECRET
    ).count()


def stored(row: dict) -> tuple:
    """The stored value, numerator, denominator and status public for a row of a download."""
    return (
        Observation.objects.filter(
            release__status=Release.Status.PUBLISHED,
            indicator__slug=row["indikator"],
            district__level__slug=row["ebene"],
            district__code=row["gebiet"],
            year=int(row["jahr"]),
        )
        .order_by("-release__published_at")
        .values_list("value", "numerator", "denominator", "status")
        .first()
    )


def test_a_public_download_uploaded_again_keeps_the_numbers_behind_its_dots(atlas, page, tmp_path):
    withheld = withheld_in_published_releases()
    sign_in(page, atlas.url)
    page.goto(atlas.url + "/daten/")
    release_row = page.locator("tr", has_text="Demodaten Bottrop (synthetisch)")
    with page.expect_download() as download:
        release_row.get_by_role("link", name="CSV (deutsch)").click()
    raw = download.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text), delimiter=";")
    column = {name: index for index, name in enumerate(header)}
    as_dict = [dict(zip(header, row, strict=True)) for row in rows]

    dotted = next(row for row in as_dict if row["status"] == ".")
    behind_the_dot = stored(dotted)
    assert behind_the_dot[0] is not None  # a number withheld from the public, not a symbol
    edited = next(
        index
        for index, row in enumerate(as_dict)
        if (row["indikator"], row["gebiet"], row["jahr"]) == ("haushalte", "21", "2023")
    )
    before = int(rows[edited][column["wert"]])
    rows[edited][column["wert"]] = str(before + 1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    edited_file = tmp_path / "datenstand-korrigiert.csv"
    edited_file.write_bytes(buffer.getvalue().encode("utf-8-sig"))

    page.goto(atlas.url + "/admin/")
    upload(page, edited_file, "Korrektur Haushalte 2023")
    assert page.locator("#preview-public").is_visible()
    counts = preview_counts(page)
    assert counts["lost-count"] == 0
    assert page.locator("#preview-lost").count() == 0
    assert counts["changed"] == 1
    assert counts["new"] == 0
    assert changes(page, "#preview-changes") == [
        ["haushalte", "Fuhlenbrock-Heide (21)", "2023", german(before), german(before + 1)]
    ]
    save_draft(page)
    open_publishing(page)
    assert page.inner_text("#effect-changed") == "1"
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    assert page.inner_text("#release-status") == "veröffentlicht"

    assert withheld_in_published_releases() == withheld
    assert stored(dotted) == behind_the_dot
    assert stored(as_dict[edited])[0] == before + 1
