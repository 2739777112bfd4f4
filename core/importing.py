"""What every import reports back: problems tied to a row and a field, in German."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    row: int | None  # 1-based data row (the header is row 1, so the first data row is 2)
    field: str
    value: str
    message: str
    area: str = ""  # the row's area as a reader names it, "Altstadt (11)", where known

    def __str__(self) -> str:
        if self.row is None and self.field == "Datei":
            return f"Datei „{self.value}“: {self.message}"
        where = f"Zeile {self.row}" if self.row is not None else "Datei"
        if self.area:
            where += f" ({self.area})"
        shown = f" = {self.value!r}" if self.value != "" else ""
        return f"{where}, Spalte „{self.field}“{shown}: {self.message}"


@dataclass
class ImportRejected(Exception):
    """Raised before anything is written when an input file has errors."""

    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{len(self.errors)} Fehler, nichts wurde geschrieben:"]
        lines += [f"  {error}" for error in self.errors]
        return "\n".join(lines)
