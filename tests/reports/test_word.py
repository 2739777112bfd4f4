"""The report's Word file, read back with python-docx and opened by LibreOffice."""

import datetime
import io
import os
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from reports import charts
from reports.document import (
    Chapter,
    Document,
    Figure,
    Findings,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Statement,
    Table,
)
from reports.word import word_file

ATLAS = "https://atlas.bottrop.example"


def values_table(caption="Kinderarmut 2023 nach Bezirk"):
    return Table(
        caption=caption,
        header=("Gebiet", "Anteil (%)", "Veränderung"),
        rows=(
            ("Stadtmitte", "23,4", "+1,2"),
            ("Eigen", ".", "–"),
            ("Bezirk Mitte", "20,1", "+0,4"),
            ("Stadt Bottrop", "18,7", "+0,3"),
        ),
        numeric=(False, True, True),
        reference_rows=2,
        notes=("„.“: gesperrt (Geheimhaltung)",),
    )


@pytest.fixture(scope="module")
def chart():
    return charts.comparison(
        title="",
        alt="Balken: Stadtmitte 23,4 %, Eigen gesperrt; Stadt 18,7 %",
        unit="%",
        labels=["Stadtmitte", "Eigen"],
        values=[23.4, None],
        reference_label="Stadt",
        reference=18.7,
        decimals=1,
        language="de",
    )


def chapter(number: int, chart) -> Chapter:
    return Chapter(
        heading=f"{number}. Kinderarmut und SGB II",
        anchor=f"kapitel-{number}",
        text=(
            Paragraph(
                "p",
                "",
                (
                    ("Die Quote ist ", False, False, ""),
                    ("deutlich", True, False, ""),
                    (" gestiegen, ", False, True, ""),
                    ("siehe Karte", False, False, f"{ATLAS}/?indicator=sgb2"),
                    (".", False, False, ""),
                ),
            ),
            Paragraph("h3", "", (("Ursachen", False, False, ""),)),
            Paragraph("li", "", (("ein Punkt", False, False, ""),)),
        ),
        blocks=(
            KeyFigures(
                caption="Kennzahlen 2023",
                items=(
                    KeyFigure("SGB-II-Quote", "12,3 %", "Stadt: 10,1 %", "+0,5 Pp. seit 2019"),
                    KeyFigure("Kinderarmut", "≈ 23 %", "Stadt: 18,7 %", "", note="ungefähr"),
                ),
            ),
            Figure(
                kind="chart",
                caption="Abbildung 1: Kinderarmut im Vergleich",
                alt=chart_alt(chart),
                svg=chart.svg,
                png=chart.png,
                table=values_table("Daten zu Abbildung 1"),
                width_mm=chart.width_mm,
            ),
            values_table(),
            Findings(
                caption="Befunde",
                items=(
                    Statement(
                        "Stadtmitte liegt signifikant über der Stadt.",
                        f"{ATLAS}/?indicator=kinderarmut&year=2023",
                    ),
                ),
            ),
            Findings(caption="Keine Befunde", items=(), empty="Nichts Auffälliges."),
        ),
    )


def chart_alt(chart) -> str:
    return "Balken: Stadtmitte 23,4 %, Eigen gesperrt; Stadt 18,7 %"


def report(chart, *, chapters=2, demo=True, language="de") -> Document:
    return Document(
        language=language,
        title="Sozialbericht 2024 (Demodaten)",
        author="Stadt Bottrop, Sozialplanung",
        scope="Stadt Bottrop",
        state="Datenstand 5. Dezember 2026 (Veröffentlichung 42)",
        written="6. Dezember 2026",
        written_on=datetime.date(2026, 12, 6),
        sources=("IT.NRW, Bevölkerungsstatistik", "Bundesagentur für Arbeit"),
        licence="Datenlizenz Deutschland – Namensnennung – Version 2.0",
        licence_url="https://www.govdata.de/dl-de/by-2-0",
        attribution="Stadt Bottrop (2026), Demografie- und Sozialatlas",
        demo=demo,
        demo_note="Demodaten: synthetisch, nicht amtlich.",
        chapters=tuple(chapter(i + 1, chart) for i in range(chapters)),
        url=f"{ATLAS}/berichte/sozialbericht-2024/",
        notes=("≈: ungefährer Wert",),
    )


def text_of(element) -> str:
    return "".join(element.xpath(".//w:t/text()"))


def read(data: bytes):
    return docx.Document(io.BytesIO(data))


def test_the_title_and_chapters_are_real_headings(chart):
    word = read(word_file(report(chart)))
    styled = [(p.style.name, p.text) for p in word.paragraphs if p.style.name != "Normal"]

    assert ("Title", "Sozialbericht 2024 (Demodaten)") in styled
    assert [text for style, text in styled if style == "Heading 1"] == [
        "1. Kinderarmut und SGB II",
        "2. Kinderarmut und SGB II",
    ]
    assert ("Heading 2", "Ursachen") in styled
    assert ("List Bullet", "ein Punkt") in styled


def test_the_title_page_says_scope_state_date_author_sources_and_licence(chart):
    word = read(word_file(report(chart)))
    text = "\n".join(p.text for p in word.paragraphs)

    for part in (
        "Stadt Bottrop",
        "Datenstand 5. Dezember 2026 (Veröffentlichung 42)",
        "6. Dezember 2026",
        "Stadt Bottrop, Sozialplanung",
        "IT.NRW, Bevölkerungsstatistik",
        "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        "Stadt Bottrop (2026), Demografie- und Sozialatlas",
        "Demodaten: synthetisch, nicht amtlich.",
    ):
        assert part in text
    assert text.index("Datenlizenz") < text.index("1. Kinderarmut")
    licence = [link for p in word.paragraphs for link in p.hyperlinks if "govdata" in link.url]
    assert licence[0].url == "https://www.govdata.de/dl-de/by-2-0"


def test_bold_italic_and_links_of_the_text_are_kept(chart):
    word = read(word_file(report(chart, chapters=1)))
    (paragraph,) = [p for p in word.paragraphs if p.text.startswith("Die Quote ist")]
    runs = {run.text: run for run in paragraph.runs}

    assert paragraph.text == "Die Quote ist deutlich gestiegen, siehe Karte."
    assert runs["deutlich"].bold and not runs["Die Quote ist "].bold
    assert runs[" gestiegen, "].italic
    (link,) = paragraph.hyperlinks
    assert (link.text, link.url) == ("siehe Karte", f"{ATLAS}/?indicator=sgb2")


def test_tables_hold_the_cells_with_a_repeating_header_row(chart):
    word = read(word_file(report(chart, chapters=1)))
    table = [t for t in word.tables if t.rows[1].cells[0].text == "Stadtmitte"][-1]
    cells = [[c.text for c in row.cells] for row in table.rows]

    assert cells == [
        ["Gebiet", "Anteil (%)", "Veränderung"],
        ["Stadtmitte", "23,4", "+1,2"],
        ["Eigen", ".", "–"],
        ["Bezirk Mitte", "20,1", "+0,4"],
        ["Stadt Bottrop", "18,7", "+0,3"],
    ]
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert (
        table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == "Kinderarmut 2023 nach Bezirk"
    )


def test_numbers_are_right_aligned_and_reference_rows_set_apart(chart):
    word = read(word_file(report(chart, chapters=1)))
    table = [t for t in word.tables if t.rows[1].cells[0].text == "Stadtmitte"][-1]

    def aligned(row, column):
        """The alignment the paragraph gets, from itself or its styles."""
        paragraph = table.rows[row].cells[column].paragraphs[0]
        style = paragraph.style
        alignment = paragraph.alignment
        while alignment is None and style is not None:
            alignment, style = style.paragraph_format.alignment, style.base_style
        return alignment

    def bold(row):
        return all(r.bold for c in table.rows[row].cells for r in c.paragraphs[0].runs)

    def rule_above(row):
        borders = table.rows[row].cells[0]._tc.tcPr.find(qn("w:tcBorders"))
        return borders is not None and borders.find(qn("w:top")) is not None

    assert aligned(1, 1) == aligned(1, 2) == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert aligned(1, 0) is None
    assert not bold(1) and not bold(2)
    assert bold(3) and bold(4)
    assert rule_above(3) and not rule_above(2) and not rule_above(4)


def test_figures_are_images_with_alt_text_caption_and_data_table_after_them(chart):
    word = read(word_file(report(chart, chapters=1)))
    (image,) = word.inline_shapes
    described = image._inline.docPr
    body = [child for child in word.element.body.iterchildren()]
    at = next(i for i, e in enumerate(body) if e.findall(".//" + qn("w:drawing")))
    following = [e for e in body[at + 1 : at + 4]]

    assert described.get("descr") == chart_alt(chart)
    assert described.get("title") == "Abbildung 1: Kinderarmut im Vergleich"
    assert text_of(following[0]) == "Abbildung 1: Kinderarmut im Vergleich"
    assert text_of(following[1]) == "Daten zu Abbildung 1"
    assert following[2].tag == qn("w:tbl")
    assert image.width.mm == pytest.approx(chart.width_mm, abs=0.1)
    (png,) = [p for p in word.part.package.parts if p.partname.endswith(".png")]
    assert png.blob == chart.png


def test_key_figures_are_a_small_table(chart):
    word = read(word_file(report(chart, chapters=1)))
    table = next(t for t in word.tables if t.rows[1].cells[0].text == "SGB-II-Quote")

    assert [c.text for c in table.rows[0].cells] == [
        "Kennzahl",
        "Wert",
        "Vergleich",
        "Entwicklung",
        "Hinweis",
    ]
    assert [c.text for c in table.rows[2].cells] == [
        "Kinderarmut",
        "≈ 23 %",
        "Stadt: 18,7 %",
        "",
        "ungefähr",
    ]


def test_findings_are_a_list_linking_to_the_atlas(chart):
    word = read(word_file(report(chart, chapters=1)))
    (finding,) = [p for p in word.paragraphs if p.text.startswith("Stadtmitte liegt")]

    assert finding.style.name == "List Bullet"
    assert [link.url for link in finding.hyperlinks] == [
        f"{ATLAS}/?indicator=kinderarmut&year=2023"
    ]
    assert finding.hyperlinks[0].text == "Ansicht im Atlas"
    assert "Nichts Auffälliges." in [p.text for p in word.paragraphs]


def test_every_page_carries_the_demo_mark_and_its_number(chart):
    word = read(word_file(report(chart)))
    (section,) = word.sections
    footer = section.footer.paragraphs[0]
    instructions = [e.text.strip() for e in footer._p.iter(qn("w:instrText"))]

    assert "Demodaten – nicht amtlich" in section.header.paragraphs[0].text
    assert not section.different_first_page_header_footer
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Datenstand 5. Dezember 2026")
    assert "Demodaten – nicht amtlich" in [p.text for p in word.paragraphs][:3]


def test_without_demo_data_there_is_no_demo_mark(chart):
    word = read(word_file(report(chart, demo=False)))
    texts = [p.text for p in word.paragraphs] + [word.sections[0].header.paragraphs[0].text]

    assert not [t for t in texts if "Demodaten –" in t or "nicht amtlich" in t]


def test_in_english_the_labels_and_the_language_are_english(chart):
    word = read(word_file(report(chart, language="en", chapters=1)))
    languages = word.styles.element.findall(".//" + qn("w:rPrDefault") + "//" + qn("w:lang"))

    assert "Demo data – not official" in word.sections[0].header.paragraphs[0].text
    assert "Page" in word.sections[0].footer.paragraphs[0].text
    assert word.core_properties.language == "en-GB"
    assert [lang.get(qn("w:val")) for lang in languages] == ["en-GB"]
    assert "View in the atlas" in [link.text for p in word.paragraphs for link in p.hyperlinks]


def test_the_core_properties_name_the_report(chart):
    properties = read(word_file(report(chart))).core_properties

    assert properties.title == "Sozialbericht 2024 (Demodaten)"
    assert properties.author == "Stadt Bottrop, Sozialplanung"
    assert properties.language == "de-DE"
    assert "Datenstand 5. Dezember 2026" in properties.subject
    written = datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC)
    assert properties.created == properties.modified == written


def test_the_same_report_gives_the_same_bytes(chart):
    first = word_file(report(chart))
    second = word_file(report(chart))

    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {
        (1980, 1, 1, 0, 0, 0)
    }


@pytest.mark.external
def test_libreoffice_opens_it_and_prints_every_page_with_title_and_demo_mark(chart, tmp_path):
    source = tmp_path / "bericht.docx"
    source.write_bytes(word_file(report(chart, chapters=3)))
    profile = tmp_path / "profile"

    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "bericht.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = [page for page in text.split("\f") if page.strip()]

    assert "Sozialbericht 2024 (Demodaten)" in pages[0]
    assert "3. Kinderarmut und SGB II" in text
    assert len(pages) >= 2
    assert all("Demodaten – nicht amtlich" in page for page in pages)
    assert f"Seite {len(pages)} von {len(pages)}" in pages[-1]
