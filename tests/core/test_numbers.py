import pytest

from core.importing import ImportRejected
from core.numbers import NumberFormat, no_number, number_text, reader


def decide(*cells: str, semicolon: bool = False) -> tuple[bool, str]:
    decider = NumberFormat(["wert"], semicolon=semicolon)
    for row, text in enumerate(cells, start=2):
        decider.see(row, 0, text)
    return decider.decide()


@pytest.mark.parametrize(
    ("text", "number"),
    [("1.000", 1000), ("1.000,5", 1000.5), ("-12,25", -12.25), ("1.234.567", 1234567), ("7", 7)],
)
def test_german_text_reads_as_german_numbers(text, number):
    assert reader(german=True)(text) == number


@pytest.mark.parametrize(
    ("text", "number"),
    [("1,000", 1000), ("1,000.5", 1000.5), ("-12.25", -12.25), ("1.000", 1), (" 7 ", 7)],
)
def test_international_text_reads_as_international_numbers(text, number):
    assert reader(german=False)(text) == number


@pytest.mark.parametrize("text", ["12.5", "1,0000.5", "1.00.0", "viele", "", "1e400", "nan"])
def test_text_that_is_no_german_number_reads_as_none(text):
    assert reader(german=True)(text) is None


def test_a_german_number_in_an_international_file_reads_as_none():
    assert reader(german=False)("1.000,5") is None


def test_a_cell_with_a_german_decimal_comma_decides_the_file():
    german, decided = decide("1.000", "12,5")
    assert german and decided == "deutsch (1.234,5), erkannt an '12,5' in Zeile 3"


def test_a_cell_with_an_international_decimal_point_decides_the_file():
    german, decided = decide("7", "1,234.5")
    assert not german and decided == "international (1,234.5), erkannt an '1,234.5' in Zeile 3"


def test_a_file_mixing_both_formats_is_refused_naming_both_rows():
    with pytest.raises(ImportRejected) as rejected:
        decide("12,5", "3.25")
    (error,) = rejected.value.errors
    assert (error.row, error.field, error.value) == (3, "wert", "3.25")
    assert "Zeile 2 (wert = '12,5') ist deutsch" in error.message


def test_a_file_whose_only_separators_could_be_either_is_refused():
    with pytest.raises(ImportRejected) as rejected:
        decide("1.000", "2.000", semicolon=True)
    (error,) = rejected.value.errors
    assert (error.row, error.value) == (2, "1.000") and "mehrdeutige Zahl" in error.message


def test_a_file_of_whole_numbers_follows_its_separator():
    assert decide("12", "7", semicolon=True) == (True, "deutsch (nur ganze Zahlen, unerheblich)")
    assert decide("12", semicolon=False)[0] is False


def test_the_message_for_no_number_says_which_format_was_expected():
    assert no_number(german=True) == "keine Zahl (deutsches Format erwartet)"
    assert no_number(german=False) == "keine Zahl"


def test_a_real_number_is_written_as_the_files_text_cells_are():
    assert (number_text(1000.5, german=True), number_text(1000.0, german=False)) == (
        "1000,5",
        "1000",
    )
