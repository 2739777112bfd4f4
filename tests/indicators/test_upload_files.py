"""Files as statisticians bring them: XLSX, wide layout, encodings, and broken or hostile files."""

import zipfile

import pytest
from openpyxl import Workbook

from core.importing import ImportRejected
from indicators.models import Observation
from indicators.services.import_values import import_values

from ..conftest import table_checksums


def xlsx(tmp_path, rows, name="werte.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.title = "Werte"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def message(path) -> str:
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="t")
    return str(info.value)


def test_an_xlsx_sheet_is_imported_with_its_numbers(small_catalogue, tmp_path):
    path = xlsx(tmp_path, [["Gebiet", "Indikator", "Jahr", "Wert", "Zähler", "Nenner"],
                           ["A", "anteil-test", 2020, 12.5, 1, 8]])  # fmt: skip
    result = import_values(path=path, title="xlsx")
    assert result.description == "XLSX, Blatt „Werte“"
    assert Observation.objects.get(release=result.release).value == 12.5


def test_a_formula_without_a_stored_result_is_named_by_its_cell(small_catalogue, tmp_path):
    path = xlsx(tmp_path, [["gebiet", "indikator", "jahr", "wert"],
                           ["A", "anzahl-test", 2020, "=2+3"]])  # fmt: skip
    before = table_checksums()
    text = message(path)
    assert "D2" in text and "Formel ohne gespeichertes Ergebnis" in text
    assert table_checksums() == before


def test_the_wide_layout_has_one_column_per_indicator(small_catalogue, tmp_path):
    path = tmp_path / "breit.csv"
    path.write_text("gebiet;jahr;anzahl-test;anteil-test\nA;2021;12;\nB;2021;7;25\n")
    result = import_values(path=path, title="breit")
    values = dict(
        Observation.objects.filter(release=result.release).values_list("district__code", "value")
    )
    assert result.rows == 3
    assert values["A"] == 12


def test_an_unknown_indicator_column_in_the_wide_layout_is_named(small_catalogue, tmp_path):
    path = tmp_path / "breit.csv"
    path.write_text("gebiet;jahr;anzahl-tst\nA;2021;12\n")
    assert "anzahl-tst" in message(path) and "meinten Sie „anzahl-test“" in message(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "die Datei ist leer"),
        (b"gebiet,indikator,jahr,wert\n", "nur eine Kopfzeile"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "keine Tabelle"),
        (b"PK\x03\x04garbage", "XLSX nicht lesbar"),
    ],
)
def test_broken_files_get_a_clear_message_and_change_nothing(
    small_catalogue, tmp_path, content, expected
):
    path = tmp_path / "kaputt.csv"
    path.write_bytes(content)
    before = table_checksums()
    assert expected in message(path)
    assert table_checksums() == before


def test_a_zip_that_is_no_workbook_is_rejected(small_catalogue, tmp_path):
    path = tmp_path / "archiv.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hallo")
    assert "keine XLSX-Arbeitsmappe" in message(path)


def test_a_decompression_bomb_is_rejected_before_it_is_unpacked(small_catalogue, tmp_path):
    path = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (210 * 1024 * 1024))
    assert "ZIP-Bombe" in message(path)


def test_an_xml_entity_attack_is_not_expanded(small_catalogue, tmp_path):
    path = xlsx(tmp_path, [["gebiet", "indikator", "jahr", "wert"], ["A", "anzahl-test", 2020, 1]])
    evil = tmp_path / "boese.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(evil, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                # A "billion laughs" entity declaration in front of the root element.
                declaration = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                start = data.index(b"<workbook")
                data = data[:start] + declaration + data[start:]
            target.writestr(item, data)
    assert "XLSX nicht lesbar" in message(evil)


def test_a_file_over_the_size_limit_is_rejected(small_catalogue, tmp_path, settings):
    settings.ATLAS_UPLOAD_MAX_BYTES = 100
    path = tmp_path / "gross.csv"
    path.write_text("gebiet,indikator,jahr,wert\n" + "A,anzahl-test,2020,1\n" * 10)
    assert "zu groß" in message(path)


def test_windows_1252_and_tabs_are_read(small_catalogue, tmp_path):
    path = tmp_path / "excel.txt"
    path.write_bytes("Gebiet\tIndikator\tJahr\tWert\tHinweis\nA\tanzahl-test\t2020\t5\tGrößer\n"
                     .encode("cp1252"))  # fmt: skip
    result = import_values(path=path, title="t")
    assert result.description == "CSV, Windows-1252, Trennzeichen Tabulator"
    assert Observation.objects.get(release=result.release).note == "Größer"


def test_the_preview_counts_new_changed_and_unchanged_values(small_catalogue, tmp_path):
    first = tmp_path / "erst.csv"
    first.write_text("gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\nB,anzahl-test,2020,7\n")
    import_values(path=first, title="2020", publish=True)
    second = tmp_path / "zweit.csv"
    second.write_text(
        "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\nB,anzahl-test,2020,9\n"
        "A,anzahl-test,2021,6\n"
    )
    result = import_values(path=second, title="2021", dry_run=True)
    assert (result.preview.new, result.preview.unchanged) == (1, 1)
    [change] = result.preview.changed
    assert (change.row, change.area, change.old, change.new) == (3, "B", "7", "9")


def test_a_large_jump_against_the_previous_year_is_a_warning(small_catalogue, tmp_path):
    first = tmp_path / "erst.csv"
    first.write_text("gebiet,indikator,jahr,wert\nA,anzahl-test,2020,100\n")
    import_values(path=first, title="2020", publish=True)
    second = tmp_path / "zweit.csv"
    second.write_text("gebiet,indikator,jahr,wert\nA,anzahl-test,2021,180\n")
    result = import_values(path=second, title="2021")
    assert result.release is not None  # a warning does not block
    assert result.warnings == [
        "Zeile 2: anzahl-test in Altstadt (A) ändert sich gegenüber 2020 um 80 % (100 → 180)"
    ]


def test_the_source_file_is_kept_with_its_checksum(
    small_catalogue, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "werte.csv"
    path.write_text("gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\n")
    with django_capture_on_commit_callbacks(execute=True):
        release = import_values(path=path, title="t").release
    assert release.source_file.read() == path.read_bytes()


def test_numbers_typed_as_german_text_in_excel_are_read_as_german(small_catalogue, tmp_path):
    path = xlsx(tmp_path, [["gebiet", "indikator", "jahr", "wert"],
                           ["A", "anzahl-test", 2020, "1.234"],
                           ["B", "anzahl-test", 2020, 7],
                           ["A", "anteil-test", 2021, "12,5"]])  # fmt: skip
    result = import_values(path=path, title="t")
    values = sorted(
        Observation.objects.filter(release=result.release).values_list("value", flat=True)
    )
    assert values == [7, 12.5, 1234]
    assert result.number_format.startswith("deutsch")
