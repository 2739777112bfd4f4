"""A workbook is read twice (values, then formulas) only where a sheet holds a formula."""

import pytest
from openpyxl import Workbook

from core import sheets
from core.boxed import Refused


def workbook(tmp_path, rows, name="w.xlsx"):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_a_workbook_without_formulas_is_read_once(tmp_path, monkeypatch):
    path = workbook(tmp_path, [["gebiet", "wert"], ["11", 1.5]])
    opened = []
    real_open = sheets._open
    monkeypatch.setattr(
        sheets,
        "_open",
        lambda p, *, formulas: opened.append(formulas) or real_open(p, formulas=formulas),
    )
    table = sheets._read_xlsx(path, max_cells=100)
    assert (table["header"], table["rows"], opened) == (
        ["gebiet", "wert"],
        [["11", "1.5"]],
        [False],
    )


def test_a_formula_without_a_stored_result_is_found_and_named(tmp_path):
    path = workbook(tmp_path, [["gebiet", "wert"], ["11", "=1+1"]])
    assert sheets._has_formulas(path)
    with pytest.raises(Refused, match="Formel ohne gespeichertes Ergebnis") as refused:
        sheets._read_xlsx(path, max_cells=100)
    assert refused.value.field == "B2"


def test_a_formula_is_found_behind_a_namespace_prefix_and_text_is_not_one(tmp_path):
    path = workbook(tmp_path, [["x"]])
    assert not sheets._has_formulas(path)
    assert sheets._FORMULA.search(b'<x:c r="B2"><x:f t="shared" ref="B2:B9" si="0"/></x:c>')
    assert not sheets._FORMULA.search(b'<c r="B2" t="s"><v>3</v></c><font/>')
