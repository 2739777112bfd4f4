"""Numbers in uploaded files: German (1.234,5) or international (1,234.5), decided once per file.

A statistician's file writes its numbers one way, so every importer decides the format from
the file's own cells (``NumberFormat``) and then reads each cell in that format only
(``reader``): "12.5" in a German file is an error, not 125, and "1.000" in a German file is a
thousand, not one. Cells a spreadsheet or geodata file holds as real numbers are not text and
decide nothing.
"""

import math
import re
from collections.abc import Callable

from core.importing import ImportRejected, RowError

# Numbers that can only be read one way. "1.234" and "1,234" could be either and decide nothing.
GERMAN_ONLY = re.compile(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,(\d{1,2}|\d{4,})|-?\d{1,3}(\.\d{3}){2,}")
INTERNATIONAL_ONLY = re.compile(
    r"-?\d{1,3}(,\d{3})+\.\d+|-?\d+\.(\d{1,2}|\d{4,})|-?\d{1,3}(,\d{3}){2,}"
)
AMBIGUOUS = re.compile(r"-?\d{1,3}[.,]\d{3}")
# Everything a cell may hold in each format: thousands separators in groups of three only.
GERMAN_NUMBER = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
INTERNATIONAL_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


class NumberFormat:
    """Decides, from the text of every number cell shown to it in file order, whether the file
    writes numbers the German (1.234,5) or the international way (1,234.5).

    ``header`` names the columns that ``see`` gets by index; ``semicolon`` (a CSV file
    separated by semicolons, as German Excel writes it) decides a file of whole numbers.
    """

    def __init__(self, header: list[str], *, semicolon: bool):
        self.header, self.semicolon = header, semicolon
        self.german_seen = self.international_seen = self.ambiguous_seen = None

    def see(self, row: int, column: int, text: str) -> None:
        # Only a separator can decide anything; most cells are plain integers.
        if "." not in text and "," not in text:
            return
        text = text.strip()
        if self.ambiguous_seen is None and AMBIGUOUS.fullmatch(text):
            self.ambiguous_seen = (row, self.header[column], text)
        if self.german_seen is None and GERMAN_ONLY.fullmatch(text):
            self.german_seen = (row, self.header[column], text)
        if self.international_seen is None and INTERNATIONAL_ONLY.fullmatch(text):
            self.international_seen = (row, self.header[column], text)

    def decide(self) -> tuple[bool, str]:
        """(german, how it was decided); raises ImportRejected for a mixed or undecidable file."""
        german_seen, international_seen = self.german_seen, self.international_seen
        if german_seen and international_seen:
            row, column, text = international_seen
            g_row, g_column, g_text = german_seen
            raise ImportRejected(
                [
                    RowError(
                        row,
                        column,
                        text,
                        f"internationales Zahlenformat, aber Zeile {g_row} ({g_column} = "
                        f"{g_text!r}) ist deutsch: bitte ein Format für die ganze Datei",
                    )
                ]
            )
        if german_seen:
            return True, (
                f"deutsch (1.234,5), erkannt an {german_seen[2]!r} in Zeile {german_seen[0]}"
            )
        if international_seen:
            row, _column, text = international_seen
            return False, f"international (1,234.5), erkannt an {text!r} in Zeile {row}"
        if self.ambiguous_seen:
            row, column, text = self.ambiguous_seen
            raise ImportRejected(
                [
                    RowError(
                        row,
                        column,
                        text,
                        "mehrdeutige Zahl (mit Tausendertrennzeichen oder mit drei "
                        "Nachkommastellen?) und keine andere Zahl der Datei entscheidet das "
                        "Format: bitte Tausendertrennzeichen weglassen",
                    )
                ]
            )
        german = self.semicolon
        return german, ("deutsch" if german else "international") + (
            " (nur ganze Zahlen, unerheblich)"
        )


def reader(*, german: bool) -> Callable[[str], float | None]:
    """A function reading one cell's text in the file's format: its number, or None where the
    text is no finite number in that format."""
    pattern = GERMAN_NUMBER if german else INTERNATIONAL_NUMBER

    def read(text: str) -> float | None:
        text = text.strip()
        if text.isdecimal() or (text[:1] == "-" and text[1:].isdecimal()):
            number = float(text)  # plain digits read the same in both formats
        elif pattern.fullmatch(text):
            # German: 1.234,5; international: 1,234.5 (thousands separators dropped).
            if german:
                number = float(text.replace(".", "").replace(",", "."))
            else:
                number = float(text.replace(",", ""))
        else:
            return None
        return number if math.isfinite(number) else None

    return read


def no_number(*, german: bool) -> str:
    """The message for a cell that is no number in the file's format."""
    return "keine Zahl" + (" (deutsches Format erwartet)" if german else "")


def number_text(value: float, *, german: bool) -> str:
    """A real number (a spreadsheet's or geodata file's) as the file's text cells write it."""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace(".", ",") if german else text


def years_text(years: list[int]) -> str:
    """2023, 2021–2023 or 2019, 2021–2023: runs of years as ranges."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
