"""The admin's export keeps text that a spreadsheet would evaluate as text, and an exported
file imports again to the same values and notes."""

import csv
import io

import pytest
from openpyxl import load_workbook

from indicators.models import Observation
from indicators.services.export import (
    as_csv,
    as_xlsx,
    export_rows,
    is_formula,
    neutralise,
    restore_text,
)
from indicators.services.import_values import import_values

PLANTED = '=HYPERLINK("http://x","y")'
NOTES = [PLANTED, "+49 2041 70-0", "-Korrektur", "@SUMME(A1)", "'=A1", "Stand 31.12.", ""]


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        (PLANTED, True), ("+1+1", True), ("-x", True), ("@x", True), ("\t=1", True),
        ("\r=1", True), ("'=1", True), ("''=1", True),
        ("-1", False), ("-1,5", False), ("+3", False), ("-1.234,5", False), ("-", False),
        ("...", False), (".", False), ("x", False), ("'Zitat'", False), ("", False),
        ("normal", False),
    ],
)  # fmt: skip
def test_only_text_a_spreadsheet_would_evaluate_counts_as_a_formula(text, formula):
    assert is_formula(text) is formula


@pytest.mark.parametrize("text", [*NOTES, "''=1", "'", "-", "-1", "'Zitat'", "\t=1"])
def test_neutralising_and_restoring_give_back_the_text(text):
    assert restore_text(neutralise(text)) == text


@pytest.fixture
def planted(make_district, make_indicator, release):
    """A release with formulas planted in its notes, a negative value and a DIN symbol."""
    districts = [make_district("A"), make_district("B", x=1000)]
    indicator = make_indicator("saldo-test", decimals=1)
    for year, note in enumerate(NOTES, start=2010):
        for district in districts:
            Observation.objects.create(
                release=release, indicator=indicator, district=district, year=year,
                reference_date=f"{year}-12-31", value=-1, note=note,
            )  # fmt: skip
    Observation.objects.create(
        release=release, indicator=indicator, district=districts[0], year=2030,
        reference_date="2030-12-31", status="-", note=PLANTED,
    )  # fmt: skip
    return release


def release_csv(release) -> bytes:
    return as_csv(export_rows(release=release))


def release_xlsx(release) -> bytes:
    return as_xlsx(export_rows(release=release))


def test_the_csv_export_puts_a_planted_formula_behind_an_apostrophe(planted):
    text = release_csv(planted).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    notes = {row["hinweis"] for row in rows}
    assert "'" + PLANTED in notes and PLANTED not in notes
    assert not any(cell.startswith(("=", "@")) for row in rows for cell in row.values())
    assert {row["wert"] for row in rows} == {"-1", ""}
    assert "-" in {row["status"] for row in rows}


def test_the_xlsx_export_writes_a_planted_formula_as_text(planted):
    sheet = load_workbook(io.BytesIO(release_xlsx(planted))).active
    header = [cell.value for cell in sheet[1]]
    note = header.index("hinweis")
    cells = [row[note] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    planted_cells = [cell for cell in cells if cell.value == PLANTED]
    assert planted_cells and all(cell.data_type == "s" for cell in planted_cells)
    assert all(cell.quotePrefix for cell in planted_cells)


@pytest.mark.parametrize(("render", "suffix"), [(release_csv, "csv"), (release_xlsx, "xlsx")])
def test_an_export_with_formulas_imports_again_to_the_same_values(planted, tmp_path, render,
                                                                   suffix):  # fmt: skip
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(render(planted))
    again = import_values(path=path, title="Rückimport").release

    def content(release):
        return sorted(
            release.observations.values_list(
                "indicator_id", "district_id", "year", "value", "status", "note"
            )
        )

    assert content(again) == content(planted)
