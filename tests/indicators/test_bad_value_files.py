"""The catalogue of bad value files (tests/data/values/): each message, and no table changed."""

import re
import time
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import Workbook

from core.importing import ImportRejected
from indicators.services.import_values import import_values

from ..conftest import table_checksums

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent.parent / "data" / "values"

EXPECTED = {
    "leer.csv": [(None, "Datei", "die Datei ist leer")],
    "nur-kopf.csv": [(None, "Datei", "nur eine Kopfzeile, keine Datenzeilen")],
    "bild.csv": [(None, "Datei", "keine Tabelle: weder CSV-Text noch XLSX")],
    "kaputt.xlsx": [(None, "Datei", "XLSX nicht lesbar: File is not a zip file")],
    "kein-excel.xlsx": [(None, "Datei", "ZIP-Archiv, aber keine XLSX-Arbeitsmappe")],
    "formel.xlsx": [(2, "D2", "Formel ohne gespeichertes Ergebnis")],
    "ohne-wert.csv": [(1, "wert", "Pflichtspalte fehlt")],
    "fehler1.csv": [
        (2, "Gebiet", "unbekanntes Gebiet"),
        (3, "Indikator", "unbekannter Indikator; meinten Sie „einwohner“?"),
        (4, "Jahr", "kein Jahr zwischen 1950 und 2100"),
        (5, "Wert", "keine Zahl"),
        (6, "Wert", "Anzahl darf nicht negativ sein"),
    ],
    "fehler2.csv": [
        (2, "zaehler", "Zähler größer als Nenner"),
        (2, "wert", "passt nicht zu Zähler/Nenner"),
        (3, "wert", "passt nicht zu Zähler/Nenner (erwartet 25)"),
        (4, "wert", "passt nicht zu Zähler/Nenner (erwartet 25)"),
        (4, "gebiet", "doppelter Eintrag (auch in Zeile 3)"),
        (5, "zaehler", "Zahl neben dem Zeichen „.“"),
        (5, "nenner", "Zahl neben dem Zeichen „.“"),
        (6, "jahr", "kein Jahr zwischen 1950 und 2100"),
        (7, "indikator", "wird vom Atlas berechnet und nicht hochgeladen"),
        (8, "wert", "Anteil außerhalb von 0 bis 100"),
    ],
    "gemischt.csv": [(3, "Wert", "internationales Zahlenformat, aber Zeile 2")],
    "zu-viele.csv": [(2, "Zeile", "mehr Felder als Spalten im Kopf")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_is_rejected_with_its_messages_and_nothing_changes(name):
    before = table_checksums()
    with pytest.raises(ImportRejected) as info:
        import_values(path=FILES / name, title="kaputt")
    found = [(e.row, e.field, e.message) for e in info.value.errors]
    assert len(found) == len(EXPECTED[name])
    for (row, field, message), (want_row, want_field, want_start) in zip(
        found, EXPECTED[name], strict=True
    ):
        assert (row, field) == (want_row, want_field)
        assert message.startswith(want_start), message
    assert table_checksums() == before


def test_the_catalogue_covers_every_file():
    assert {p.name for p in FILES.iterdir() if p.name != "README.md"} == set(EXPECTED)


HOSTILE = FILES.parent / "hostile"


def test_an_xlsx_that_expands_to_billions_of_cells_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(ImportRejected) as info:
        import_values(path=HOSTILE / "aufgeblasen.xlsx", title="bombe")
    assert str(info.value.errors[0]) == (
        "Datei „aufgeblasen.xlsx“: Tabellenblatt laut Datei 1.048.576 Zeilen × 16.384 Spalten "
        "groß, erlaubt sind 5.000.000 Zellen"
    )
    assert time.monotonic() - started < 10


def test_the_cells_of_a_sheet_are_counted_while_it_is_read(settings, tmp_path):
    settings.ATLAS_UPLOAD_MAX_CELLS = 50
    book = Workbook()
    for row in range(20):
        book.active.append([f"z{row}", "einwohner", 2020, row])
    book.save(tmp_path / "ohne-dimension.xlsx")
    # Without the sheet's stated size, only counting finds out.
    with (
        zipfile.ZipFile(tmp_path / "ohne-dimension.xlsx") as source,
        zipfile.ZipFile(tmp_path / "lang.xlsx", "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, re.sub(rb"<dimension [^>]*>", b"", data))
    with pytest.raises(ImportRejected, match=r"zu viele Tabellenzellen \(mehr als 50\)"):
        import_values(path=tmp_path / "lang.xlsx", title="lang")


def test_the_cells_of_a_csv_file_are_counted_before_it_is_read(settings, tmp_path):
    settings.ATLAS_UPLOAD_MAX_CELLS = 50
    path = tmp_path / "breit.csv"
    path.write_text("gebiet;indikator;jahr;wert\n" + ";" * 60 + "\n")
    with pytest.raises(ImportRejected, match=r"„breit.csv“: zu viele Tabellenzellen"):
        import_values(path=path, title="breit")


def test_a_slow_file_is_checked_before_the_import_lock_is_taken():
    # Another import holds the lock; the expanding sheet is refused without waiting for it.
    from django.db import connections

    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('atlas.import_values'))")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        with pytest.raises(ImportRejected, match="Tabellenblatt laut Datei"):
            import_values(path=HOSTILE / "aufgeblasen.xlsx", title="bombe")
    finally:
        other.close()
