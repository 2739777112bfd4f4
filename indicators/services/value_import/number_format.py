"""The number format of a value file (German 1.234,5 or international 1,234.5), decided once
for the whole file from the columns that hold numbers (core.numbers)."""

from core.importing import ImportRejected, RowError

from ..tables import Source


def decide(source: Source, *, width: int, columns: list[int]) -> tuple[bool, str]:
    """The file's number format, decided in one pass that also finds rows with more fields
    than the header (reported first: they make every other message doubtful)."""
    too_long = []

    def check_width(number: int, row: list[str]) -> None:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            extra = ", ".join(row[width:])
            too_long.append(RowError(number, "Zeile", extra, "mehr Felder als Spalten im Kopf"))

    try:
        german, decided = source.number_format(columns, check_width)
    except ImportRejected:
        if too_long:
            raise ImportRejected(too_long) from None
        raise
    if too_long:
        raise ImportRejected(too_long)
    return german, decided


def holds_numbers(role) -> bool:
    """Value columns of the long layout, indicator columns of the wide one, unknown ones."""
    return role is None or role[0] == "wide" or role[1:] in (("value",), ("numerator",),
                                                              ("denominator",))  # fmt: skip
