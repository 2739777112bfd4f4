import pytest

from atlas.importing import ImportRejected
from indicators.models import Indicator, Observation, Release
from indicators.services.import_values import import_values


@pytest.fixture
def setup(make_district, make_indicator):
    make_district("A", name="Altstadt")
    make_district("B", x=1000, name="Boy")
    make_indicator("anteil-test", is_proportion=True, decimals=1)
    make_indicator("anzahl-test", kind=Indicator.Kind.COUNT, factor=1, decimals=0)


def write(tmp_path, text: str, encoding="utf-8"):
    path = tmp_path / "werte.csv"
    path.write_bytes(text.encode(encoding))
    return path


def rejected(path) -> list[tuple]:
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="t")
    return [(e.row, e.field, e.message) for e in info.value.errors]


def test_a_valid_file_becomes_one_draft_release(setup, tmp_path):
    path = write(
        tmp_path,
        "ebene,gebiet,indikator,jahr,wert,zaehler,nenner\n"
        "testebene,A,anteil-test,2020,25.0,1,4\n"
        "testebene,B,anzahl-test,2020,12,,\n",
    )
    result = import_values(path=path, title="Test 2020")
    assert result.rows == 2
    release = Release.objects.get(title="Test 2020")
    assert release.status == Release.Status.DRAFT
    assert len(release.sha256) == 64
    assert release.observations.count() == 2


def test_german_files_use_semicolons_and_decimal_commas(setup, tmp_path):
    path = write(
        tmp_path,
        "Gebiet;Indikator;Jahr;Wert;Zähler;Nenner\nA;anteil-test;2020;12,5;1;8\n",
        encoding="cp1252",
    )
    result = import_values(path=path, title="t", publish=True)
    assert "deutsch" in result.number_format
    assert Observation.objects.get(district__code="A", release=result.release).value == 12.5


def test_din_symbols_are_statuses(setup, tmp_path):
    path = write(tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2021,...\n")
    result = import_values(path=path, title="t")
    observation = Observation.objects.get(release=result.release)
    assert (observation.value, observation.status) == (None, "...")


def test_every_error_names_its_row_and_column(setup, tmp_path):
    path = write(
        tmp_path,
        "gebiet,indikator,jahr,wert,zaehler,nenner\n"
        "A,anteil-tst,2020,25,1,4\n"
        "Z,anteil-test,2020,25,1,4\n"
        "A,anteil-test,20x0,25,1,4\n"
        "B,anteil-test,2020,150,6,4\n"
        "B,anzahl-test,2020,-3,,\n"
        "A,anteil-test,2021,30,1,4\n"
        "A,anzahl-test,2020,zwölf,,\n",
    )
    assert rejected(path) == [
        (2, "indicator", "unbekannter Indikator; meinten Sie „anteil-test“?"),
        (3, "area", "unbekanntes Gebiet"),
        (4, "year", "kein Jahr zwischen 1950 und 2100"),
        (5, "numerator", "Zähler größer als Nenner"),
        (6, "value", "Anzahl darf nicht negativ sein"),
        (7, "value", "passt nicht zu Zähler/Nenner (erwartet 25)"),
        (8, "value", "keine Zahl"),
    ]
    assert not Release.objects.filter(title="t").exists()


def test_duplicate_keys_are_rejected(setup, tmp_path):
    path = write(
        tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\nA,anzahl-test,2020,6\n"
    )
    assert rejected(path) == [(3, "area", "doppelter Eintrag (auch in Zeile 2)")]


def test_a_missing_column_is_reported_before_any_row(setup, tmp_path):
    path = write(tmp_path, "gebiet,indikator,wert\nA,anzahl-test,5\n")
    assert rejected(path) == [(1, "year", "Pflichtspalte fehlt")]


def test_a_dry_run_writes_nothing(setup, tmp_path):
    path = write(tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\n")
    result = import_values(path=path, title="probe", dry_run=True)
    assert result.rows == 1
    assert not Release.objects.filter(title="probe").exists()
