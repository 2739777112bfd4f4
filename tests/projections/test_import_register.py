"""The register import: the demo register as loaded, and files with errors that write nothing."""

from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.importing import ImportRejected
from projections.models import RegisterCell, RegisterImport, RegisterMove
from projections.register import read_register_files
from projections.selectors import register_of
from projections.services.import_register import import_register

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "register"
HEADER = "year,code,sex,age,population,deaths,moves_in,moves_out\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rejected(**files) -> list:
    with pytest.raises(ImportRejected) as caught:
        import_register(**files)
    return caught.value.errors


def test_the_demo_register_is_loaded_as_the_files_hold_it():
    stored, files = register_of(), read_register_files(DEMO)
    assert stored.codes == files.codes
    for name in ("population", "deaths", "moves_in", "moves_out", "births", "within"):
        assert np.array_equal(getattr(stored, name), getattr(files, name)), name
    assert RegisterImport.objects.get().is_demo


def test_a_wrong_cell_is_named_by_row_and_field(tmp_path):
    cells = write(
        tmp_path / "bevoelkerung.csv",
        HEADER + "2030,11,m,0,31,0,0,1\n2030,11,m,1,17,zwei,0,2\n2030,99,w,1,17,0,0,2\n",
    )
    errors = rejected(cells=cells)
    assert [(e.row, e.field, e.value) for e in errors] == [(3, "deaths", "zwei"), (4, "code", "99")]
    assert "bevoelkerung.csv" in str(errors[0]) and "Zeile 3" in str(errors[0])
    assert not RegisterCell.objects.filter(year=2030).exists()


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("2030,11,x,0,1,0,0,0", "sex", "Geschlecht"),
        ("2030,11,m,101,1,0,0,0", "age", "Alter 0 bis 100"),
        ("2030,11,m,5,-1,0,0,0", "population", "ganze Zahl ab 0"),
        ("2030,11,m,5,1.5,0,0,0", "population", "ganze Zahl ab 0"),
        ("2030,11,m,5,,0,0,0", "population", "leer"),
    ],
)
def test_each_kind_of_bad_cell_is_refused(tmp_path, line, field, message):
    errors = rejected(cells=write(tmp_path / "p.csv", HEADER + line + "\n"))
    assert (errors[0].row, errors[0].field) == (2, field)
    assert message in errors[0].message


def test_a_cell_given_twice_is_refused_with_the_first_row(tmp_path):
    errors = rejected(cells=write(tmp_path / "p.csv", HEADER + "2030,11,m,0,1,0,0,0\n" * 2))
    assert (errors[0].row, errors[0].field) == (3, "year, code, sex, age")
    assert errors[0].value == "2030, 11, m, 0" and "wie Zeile 2" in errors[0].message


def test_a_missing_column_is_named(tmp_path):
    errors = rejected(
        cells=write(tmp_path / "p.csv", "year,code,sex,age,population\n2030,11,m,0,1\n")
    )
    assert {e.field for e in errors} == {"Gestorbene", "Zuzüge", "Fortzüge"}
    assert "Spalte fehlt (Fortzüge/moves_out)" in " ".join(e.message for e in errors)


def test_a_move_within_one_district_is_refused(tmp_path):
    within = write(tmp_path / "u.csv", "year,from_code,to_code,sex,age,moves\n2030,11,11,w,30,2\n")
    errors = rejected(within=within)
    assert (errors[0].row, errors[0].field) == (2, "to_code")


def test_german_columns_and_numbers_are_read(tmp_path):
    cells = write(
        tmp_path / "p.csv",
        "Jahr;Gebiet;Geschlecht;Alter;Bevölkerung;Gestorbene;Zuzüge;Fortzüge\n"
        "2030;11;weiblich;100+;1.234;0;0;0\n2030;11;m;0;1.000.000;0;0;0\n",
    )
    result = import_register(cells=cells)
    stored = RegisterCell.objects.get(year=2030, sex="w", age=100)
    assert (stored.population, result.rows) == (1234, {"cells": 2})


def test_a_wrong_cell_of_a_german_file_is_named_by_the_file_s_header(tmp_path):
    cells = write(
        tmp_path / "p.csv",
        "Jahr;Gebiet;Geschlecht;Alter;Bevölkerung;Gestorbene;Zuzüge;Fortzüge\n"
        "2030;11;w;3;12;zwei;0;0\n2030;11;w;4;12;0;0;0\n",
    )
    errors = rejected(cells=cells)
    assert [(e.row, e.field, e.value) for e in errors] == [(2, "Gestorbene", "zwei")]
    within = write(tmp_path / "u.csv", "Jahr;Von;Nach;Geschlecht;Alter;Umzüge\n2030;11;11;w;30;2\n")
    assert [(e.row, e.field) for e in rejected(within=within)] == [(2, "Nach")]


def test_a_file_replaces_the_years_it_holds(tmp_path):
    within = "year,from_code,to_code,sex,age,moves\n"
    import_register(within=write(tmp_path / "a.csv", within + "2030,11,12,w,30,2\n"))
    import_register(within=write(tmp_path / "b.csv", within + "2030,12,11,m,31,1\n"))
    assert list(RegisterMove.objects.filter(year=2030).values_list("origin__code", "moves")) == [
        ("12", 1)
    ]
    assert RegisterMove.objects.filter(year=2024).exists()


def test_an_unbalanced_register_is_imported_with_a_warning(tmp_path):
    population = (DEMO / "population.csv").read_text().splitlines()
    # One more inhabitant in 2020 than the events explain.
    index = next(i for i, line in enumerate(population) if line.startswith("2020,11,m,30,"))
    fields = population[index].split(",")
    fields[4] = str(int(fields[4]) + 1)
    population[index] = ",".join(fields)
    result = import_register(
        cells=write(tmp_path / "p.csv", "\n".join(population) + "\n"),
        births=DEMO / "births.csv",
        within=DEMO / "moves_within.csv",
        dry_run=True,
    )
    assert len(result.warnings) == 1
    assert "2 Zellen" in result.warnings[0] and "2020, 2021" in result.warnings[0]


def test_the_command_checks_without_writing_on_a_dry_run(tmp_path, capsys):
    cells = write(tmp_path / "p.csv", HEADER + "2030,11,m,0,31,0,0,1\n")
    call_command("import_register", "--population", str(cells), "--dry-run")
    assert "Probelauf" in capsys.readouterr().out
    assert not RegisterCell.objects.filter(year=2030).exists()


def test_the_command_fails_with_the_row_and_field(tmp_path):
    cells = write(tmp_path / "p.csv", HEADER + "2030,11,m,0,31,0,0,eins\n")
    with pytest.raises(CommandError, match="Zeile 2, Spalte „moves_out“"):
        call_command("import_register", "--population", str(cells))
