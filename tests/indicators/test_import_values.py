import pytest

from core.importing import ImportRejected
from districts.models import District
from indicators.models import Indicator, Observation, Release
from indicators.services.import_values import import_values

# How a rate that does not fit its counts is told to be corrected.
BOTH = "Zähler oder Nenner mit ändern"


def write(tmp_path, text: str, encoding="utf-8"):
    path = tmp_path / "werte.csv"
    path.write_bytes(text.encode(encoding))
    return path


def rejected(path) -> list[tuple]:
    with pytest.raises(ImportRejected) as info:
        import_values(path=path, title="t")
    return [(e.row, e.field, e.message) for e in info.value.errors]


def test_a_valid_file_becomes_one_draft_release(small_catalogue, tmp_path):
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


def test_german_files_use_semicolons_and_decimal_commas(small_catalogue, tmp_path):
    path = write(
        tmp_path,
        "Gebiet;Indikator;Jahr;Wert;Zähler;Nenner\nA;anteil-test;2020;12,5;1;8\n",
        encoding="cp1252",
    )
    result = import_values(path=path, title="t", publish=True)
    assert "deutsch" in result.number_format
    assert Observation.objects.get(district__code="A", release=result.release).value == 12.5


def test_din_symbols_are_statuses(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2021,...\n")
    result = import_values(path=path, title="t")
    observation = Observation.objects.get(release=result.release)
    assert (observation.value, observation.status) == (None, "...")


def test_every_error_names_its_row_and_column(small_catalogue, tmp_path):
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
        (2, "indikator", "unbekannter Indikator; meinten Sie „anteil-test“?"),
        (3, "gebiet", "unbekanntes Gebiet"),
        (4, "jahr", "kein Jahr zwischen 1950 und 2100"),
        (5, "zaehler", "Zähler größer als Nenner"),
        (5, "wert", "Anteil außerhalb von 0 bis 100"),
        (6, "wert", "Anzahl darf nicht negativ sein"),
        (7, "wert", "passt nicht zu Zähler/Nenner (erwartet 25); " + BOTH),
        (8, "wert", "keine Zahl"),
    ]
    assert not Release.objects.filter(title="t").exists()


def test_duplicate_keys_are_rejected(small_catalogue, tmp_path):
    path = write(
        tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\nA,anzahl-test,2020,6\n"
    )
    assert rejected(path) == [(3, "gebiet", "doppelter Eintrag (auch in Zeile 2)")]


def test_a_missing_column_is_reported_before_any_row(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet,indikator,wert\nA,anzahl-test,5\n")
    assert rejected(path) == [(1, "jahr", "Pflichtspalte fehlt")]


def test_a_dry_run_writes_nothing(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\n")
    result = import_values(path=path, title="probe", dry_run=True)
    assert result.rows == 1
    assert not Release.objects.filter(title="probe").exists()


def test_a_file_mixing_german_and_international_numbers_is_rejected(small_catalogue, tmp_path):
    path = write(
        tmp_path,
        "Gebiet;Indikator;Jahr;Wert;Zähler;Nenner\n"
        "A;anteil-test;2020;12,5;1;8\n"
        "B;anteil-test;2020;12.5;1;8\n",
    )
    [(row, column, message)] = rejected(path)
    assert (row, column) == (3, "Wert")
    assert "Zeile 2" in message and "ein Format für die ganze Datei" in message


def test_the_number_format_is_decided_per_file_and_reported(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet;indikator;jahr;wert\nA;anzahl-test;2020;1.234\n"
                 "B;anzahl-test;2020;1.234.567\n")  # fmt: skip
    result = import_values(path=path, title="t", dry_run=True)
    assert result.number_format.startswith("deutsch")
    assert "1.234.567" in result.number_format


def test_a_row_with_more_fields_than_the_header_is_rejected(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,1,5\n")
    assert rejected(path) == [(2, "Zeile", "mehr Felder als Spalten im Kopf")]


def test_numbers_next_to_a_symbol_are_rejected(small_catalogue, tmp_path):
    path = write(
        tmp_path, "gebiet,indikator,jahr,wert,zaehler,nenner,status\nA,anteil-test,2020,,2,500,.\n"
    )
    assert [e[1] for e in rejected(path)] == ["zaehler", "nenner"]


def test_a_computed_indicator_cannot_be_uploaded(small_catalogue, tmp_path, make_indicator):
    make_indicator("index-test", kind=Indicator.Kind.INDEX, computation="social_status")
    path = write(tmp_path, "gebiet,indikator,jahr,wert\nA,index-test,2020,0.5\n")
    assert rejected(path) == [(2, "indikator", "wird vom Atlas berechnet und nicht hochgeladen")]


def test_values_attach_to_the_boundary_version_of_their_year(
    small_catalogue, tmp_path, make_district
):
    import datetime

    old = District.objects.get(code="A", level__slug="testebene")
    old.valid_to = datetime.date(2022, 1, 1)
    old.save()
    new = make_district("A", x=5000, name="Altstadt neu", valid_from=datetime.date(2022, 1, 1))
    path = write(
        tmp_path, "gebiet,indikator,jahr,wert\nA,anzahl-test,2020,5\nA,anzahl-test,2023,6\n"
    )
    result = import_values(path=path, title="t")
    by_year = dict(
        Observation.objects.filter(release=result.release).values_list("year", "district_id")
    )
    assert by_year == {2020: old.id, 2023: new.id}


def test_statuses_may_be_written_in_german(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet;indikator;jahr;wert;status\nA;anzahl-test;2020;5;vorläufig\n")
    result = import_values(path=path, title="t")
    assert Observation.objects.get(release=result.release).status == "provisional"


def test_an_unknown_level_is_named_as_such(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet,ebene,indikator,jahr,wert\nA,testebne,anzahl-test,2020,5\n")
    assert rejected(path) == [(2, "ebene", "unbekannte Ebene; meinten Sie „testebene“?")]


def test_a_level_may_be_given_by_its_name(small_catalogue, tmp_path):
    path = write(tmp_path, "gebiet,ebene,indikator,jahr,wert\nA,Testebene,anzahl-test,2020,5\n")
    assert import_values(path=path, title="t", dry_run=True).rows == 1


def test_a_number_that_could_be_read_two_ways_is_not_guessed(small_catalogue, tmp_path):
    # 12.345 is 12345 in German and 12.345 internationally; nothing else in the file decides.
    path = write(tmp_path, "gebiet;indikator;jahr;wert\nA;anzahl-test;2020;12.345\n")
    [(row, column, message)] = rejected(path)
    assert (row, column) == (2, "wert") and message.startswith("mehrdeutige Zahl")
