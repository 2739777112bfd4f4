"""A report as its three outputs read it: the web page, the PDF and the Word file are written
from one ``Document``, so they cannot say different things.

Everything here is finished text in one language: numbers already in that language's format,
withheld cells already shown as their neutral label, approximate values already marked. The
writers only lay it out.
"""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()  # per column: right-aligned figures
    reference_rows: int = 0  # the last rows are the city and the Bezirk: set apart
    notes: tuple[str, ...] = ()

    def _numeric(self, column: int) -> bool:
        return column < len(self.numeric) and self.numeric[column]

    @property
    def columns(self) -> list[tuple[str, bool]]:
        return [(cell, self._numeric(n)) for n, cell in enumerate(self.header)]

    @property
    def aligned_rows(self) -> list[tuple[list[tuple[str, bool]], bool]]:
        """Each row's cells with their alignment, and whether it is a reference row."""
        first_reference = len(self.rows) - self.reference_rows
        return [
            ([(cell, self._numeric(n)) for n, cell in enumerate(row)], number >= first_reference)
            for number, row in enumerate(self.rows)
        ]


@dataclass(frozen=True)
class Figure:
    """A map or a chart: an image for the eye, its data table for everyone else."""

    kind: str  # "map" or "chart"
    caption: str
    alt: str
    svg: str  # the web page and the PDF
    png: bytes  # the Word file
    table: Table
    width_mm: float = 160.0


@dataclass(frozen=True)
class KeyFigure:
    label: str  # the indicator's name
    value: str  # with its unit
    reference: str  # "Stadt: 20,3 %"
    change: str  # "+1,2 Prozentpunkte seit 2019", or ""
    note: str = ""  # "vorläufig", "ungefähr", …


@dataclass(frozen=True)
class KeyFigures:
    caption: str
    items: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class Statement:
    text: str
    url: str  # the view of the atlas that shows it


@dataclass(frozen=True)
class Findings:
    caption: str
    items: tuple[Statement, ...]
    empty: str = ""  # said when there is nothing to state


Block = Table | Figure | KeyFigures | Findings


@dataclass(frozen=True)
class Paragraph:
    """Free text of a chapter, as the writers need it: ``html`` is sanitised (web page, PDF),
    ``runs`` are (text, bold, italic, link) pieces for the Word file."""

    kind: str  # "p", "h3", "li", "quote"
    html: str
    runs: tuple[tuple[str, bool, bool, str], ...]


@dataclass(frozen=True)
class Chapter:
    heading: str
    anchor: str
    text: tuple[Paragraph, ...]
    blocks: tuple[Block, ...]
    html: str = ""  # the whole text, sanitised, for the web page and the PDF

    @property
    def laid_out(self) -> list[tuple[str, Block]]:
        return [(kind_of(block), block) for block in self.blocks]


@dataclass(frozen=True)
class Document:
    language: str  # "de" or "en"
    title: str
    author: str
    scope: str  # "Stadt Bottrop" or the Stadtbezirk's name
    state: (
        str  # the pinned data state, in words: "Datenstand 5. Dezember 2026 (Veröffentlichung 42)"
    )
    written: str  # the date the report was published, in words
    sources: tuple[str, ...]
    licence: str  # the licence's name
    licence_url: str
    attribution: str
    demo: bool
    demo_note: str
    chapters: tuple[Chapter, ...]
    newer_data: str = ""  # set when a later release changed any of the report's numbers
    newer_url: str = ""  # the same report on the current data
    url: str = ""  # the report's own address
    notes: tuple[str, ...] = field(default=())  # reading guide: ≈, ".", significance
    written_on: datetime.date | None = None  # ``written`` as a date, for the files' metadata


def kind_of(block: Block) -> str:
    """The template a block is laid out with: "figure", "table", "key_figures", "findings"."""
    return {Figure: "figure", Table: "table", KeyFigures: "key_figures", Findings: "findings"}[
        type(block)
    ]
