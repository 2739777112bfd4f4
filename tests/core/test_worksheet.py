"""The fast XLSX writer: what openpyxl (and so the value import and pandas) reads back."""

import io

from openpyxl import load_workbook

from core.worksheet import Text, xlsx

ROWS = [
    ("05512000", 2023, 0.7874015748031497, None, Text('=HYPERLINK("x")')),
    ("A & <B>", 1e-05, 118800, "  Leerzeichen ", "Zeile\nzwei\x01"),
]


def _sheet(**options):
    content = xlsx(title="Werte", header=["a", "b", "c", "d", "e"], rows=ROWS, **options)
    return load_workbook(io.BytesIO(content)).active


def test_numbers_stay_numbers_and_text_stays_text():
    values = list(_sheet().values)
    assert values[1] == ("05512000", 2023, 0.7874015748031497, None, '=HYPERLINK("x")')
    assert values[2][:4] == ("A & <B>", 1e-05, 118800, "  Leerzeichen ")


def test_text_marked_as_text_is_a_quoted_string_cell_and_no_formula():
    cell = _sheet()["E2"]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert not _sheet()["A2"].quotePrefix


def test_a_control_character_is_written_as_spreadsheetml_escapes_it():
    assert _sheet()["E3"].value == "Zeile\nzwei_x0001_"


def test_the_header_is_frozen_bold_and_the_size_stated():
    sheet = _sheet(widths=[12, 6])
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet.max_row == 3 and sheet.column_dimensions["A"].width == 12
