"""Importing the housing pipeline: German CSV, row errors, nothing half-written."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from core.importing import ImportRejected
from projections.models import HousingImport, PlannedDwellings
from projections.selectors import planned_dwellings
from projections.services.import_housing import import_housing

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "bottrop" / "housing"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "wohnungen.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_pipeline_is_stored_as_demo_data():
    """The demo data hold it already (atlas.demo imports it before the demo run)."""
    stored = PlannedDwellings.objects.all()
    assert stored.count() == 14
    assert sum(row.dwellings for row in stored) == 870
    assert all(HousingImport.objects.get(pk=row.source_id).is_demo for row in stored)


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path):
    before = PlannedDwellings.objects.count()
    path = write(tmp_path, "Jahr;Gebiet;Wohnungen\n2030;32;1.000,5\n2030;99;5\nx;32;3\n"
                           "2031;32;4\n2031;32;6\n")  # fmt: skip
    with pytest.raises(ImportRejected) as rejected:
        import_housing(path=path)
    found = {(e.row, e.field) for e in rejected.value.errors}
    # named as the file's header names them
    assert found == {(2, "Wohnungen"), (3, "Gebiet"), (4, "Jahr"), (6, "Gebiet")}
    assert PlannedDwellings.objects.count() == before


def test_a_missing_column_is_named(tmp_path):
    with pytest.raises(ImportRejected) as rejected:
        import_housing(path=write(tmp_path, "Jahr;Gebiet\n2030;32\n"))
    assert "Spalte fehlt (Wohnungen)" in str(rejected.value)
    assert [e.field for e in rejected.value.errors] == ["Wohnungen"]


def test_a_file_replaces_the_years_it_holds(tmp_path):
    import_housing(path=write(tmp_path, "Jahr;Gebiet;Wohnungen\n2027;11;1200\n"))
    assert not PlannedDwellings.objects.filter(year=2027).exclude(district__code="11").exists()
    assert PlannedDwellings.objects.get(year=2027).dwellings == 1200
    assert PlannedDwellings.objects.filter(year=2026).count() == 3


def test_the_selector_gives_dwellings_by_year_and_district():
    codes = ("11", "32", "42")
    array, sources = planned_dwellings(codes=codes, years=[2025, 2026, 2027])
    assert array.tolist() == [[0, 40, 0], [0, 80, 120], [0, 60, 120]]
    assert len(sources) == 1


def test_the_command_checks_without_writing_on_a_dry_run(tmp_path, capsys):
    before = PlannedDwellings.objects.count()
    call_command("import_housing", str(DEMO / "wohnungsbau-demo.csv"), "--dry-run")
    assert "870 Wohnungen" in capsys.readouterr().out
    assert PlannedDwellings.objects.count() == before
    with pytest.raises(CommandError, match="nicht gefunden"):
        call_command("import_housing", str(tmp_path / "fehlt.csv"))
