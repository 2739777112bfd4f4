"""The catalogue of bad value files (tests/data/values/): each message, and no table changed."""

from pathlib import Path

import pytest

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
