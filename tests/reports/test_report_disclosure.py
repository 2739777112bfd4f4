"""A withheld cell in a report: "." in every table of the page, the PDF and the Word file, no
number of it in any of them, and its area named in no finding."""

import io
import re
import subprocess

import docx
import pytest

from districts.models import Level
from indicators.models import Indicator, Observation
from indicators.selectors import level_values
from reports.build import build
from reports.models import Block, Chapter, Report
from reports.services.reports import set_status

pytestmark = pytest.mark.django_db

LEVEL = "statistischer-bezirk"
PLANTED = 2  # children in SGB II: below the threshold of 3
BLOCKS = [
    ("map", {"indicator": "kinderarmut", "year": 2024}),
    ("map", {"indicator": "kinderarmut", "year": 2024, "since": 2018}),
    ("table", {"indicators": ["kinderarmut", "sgb-ii-quote"], "year": 2024}),
    ("chart", {"chart": "series", "indicator": "kinderarmut", "areas": ["11", "12"]}),
    ("chart", {"chart": "comparison", "indicator": "kinderarmut", "year": 2024}),
    ("chart", {"chart": "ranking", "indicator": "kinderarmut", "year": 2024}),
    ("chart", {"chart": "scatter", "indicator": "kinderarmut", "y": "sgb-ii-quote"}),
    ("findings", {"finding": "versus_city", "indicators": ["kinderarmut"]}),
    ("findings", {"finding": "concentration", "indicators": ["kinderarmut"]}),
    ("findings", {"finding": "change", "indicators": ["kinderarmut"], "since": 2014}),
]


@pytest.fixture
def report():
    """Altstadt's child poverty 2023 and 2024 rest on 2 children, and a report shows it."""
    for year in (2023, 2024):
        observation = Observation.objects.get(
            indicator__slug="kinderarmut",
            district__level__slug=LEVEL,
            district__code="11",
            year=year,
        )
        observation.numerator = PLANTED
        observation.value = 100 * PLANTED / observation.denominator
        observation.save()
    report = Report.objects.create(slug="geheim", title="Geheim", author="Sozialplanung")
    chapter = Chapter.objects.create(report=report, heading="Kinderarmut")
    for position, (kind, settings) in enumerate(BLOCKS, 1):
        Block.objects.create(chapter=chapter, position=position, kind=kind, settings=settings)
    return set_status(report=report, status=Report.Status.PUBLISHED)


def planted_texts() -> list[str]:
    """The withheld value as the outputs would write it, in both languages."""
    observation = Observation.objects.get(
        indicator__slug="kinderarmut", district__level__slug=LEVEL, district__code="11", year=2024
    )
    value = 100 * PLANTED / observation.denominator
    return [f"{value:.1f}".replace(".", ","), f"{value:.1f}"]


def test_the_cell_is_withheld_by_the_read_path(report):
    areas = level_values(
        indicator=Indicator.objects.get(slug="kinderarmut"),
        level=Level.objects.get(slug=LEVEL),
        year=2024,
    ).areas
    altstadt = next(a for a in areas if a.code == "11")
    assert not altstadt.has_value and altstadt.cell.status == "."


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_table_of_the_document_shows_the_neutral_label(report, language):
    document = build(report, language=language)
    rows = []
    for block in document.chapters[0].blocks:
        table = getattr(block, "table", block)
        rows += [row for row in getattr(table, "rows", ()) if row[0] == "Altstadt"]
        for item in getattr(block, "items", ()):
            text = getattr(item, "text", "")
            assert "Altstadt" not in text, text
            for planted in planted_texts():
                assert planted not in text, text
    assert len(rows) >= 6  # two maps, the table, the series, comparison, ranking, scatter
    for row in rows:
        assert "." in row[1:], row
        for planted in planted_texts():
            assert not any(cell.startswith(planted) for cell in row), row


def _row_texts(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith("Altstadt")]


def test_the_page_pdf_and_word_file_carry_no_number_of_it(report, client, tmp_path):
    page = client.get("/berichte/geheim/").content.decode()
    pdf = client.get("/berichte/geheim/bericht.pdf").content
    word = client.get("/berichte/geheim/bericht.docx").content
    (tmp_path / "r.pdf").write_bytes(pdf)
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    opened = docx.Document(io.BytesIO(word))
    word_rows = [
        " ".join(cell.text for cell in row.cells)
        for table in opened.tables
        for row in table.rows
        if row.cells[0].text == "Altstadt"
    ]
    page_rows = re.findall(r"<tr><th scope=\"row\">Altstadt</th>(.*?)</tr>", page)

    assert len(page_rows) >= 6 and len(word_rows) >= 6 and len(_row_texts(pdf_text)) >= 6
    for planted in planted_texts():
        for text in (*page_rows, *word_rows, *_row_texts(pdf_text)):
            assert planted not in text, text
    assert all(">.<" in row for row in page_rows[:3])
