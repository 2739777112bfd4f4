"""A report as a Word file (python-docx), so that the planners can go on writing in the tool
they use: real headings, tables with a header row that repeats on every page, the charts and
maps as images with their alt text, each followed by its data table, and on every page the
demo mark and the page number.

It lays out a ``Document`` (reports/document.py) and says nothing of its own beyond a few
labels: every number and sentence comes finished from there.
"""

import datetime
import functools
import io
import re
import zipfile

import docx
from django.utils import translation
from django.utils.translation import gettext as _
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports.document import (
    Chapter,
    Document,
    Figure,
    Findings,
    KeyFigures,
    Paragraph,
    Statement,
    Table,
)

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4
MARGIN_MM = 22
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM
FONT = "Arial"
LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
DEMO_COLOUR = RGBColor(0x9C, 0x00, 0x06)
HEADER_FILL = "D9D9D9"
LANGUAGE_TAGS = {"de": "de-DE", "en": "en-GB"}
TABLE_TEXT, TABLE_NUMBER = "Table Text", "Table Number"
# The styles _set_up adds, with the ids python-docx gives them.
ADDED_STYLES = {TABLE_TEXT: "TableText", TABLE_NUMBER: "TableNumber", "Hyperlink": "Hyperlink"}
PARAGRAPH_STYLES = {"p": "Normal", "h3": "Heading 2", "li": "List Bullet", "quote": "Quote"}
# A zip entry's time, for the same bytes from the same report (python-docx stamps the time of
# writing): the earliest a zip file can hold.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def word_file(document: Document) -> bytes:
    """The report as a .docx file."""
    with translation.override(document.language):
        word = docx.Document()
        _set_up(word, document)
        _title_page(word, document)
        for chapter in document.chapters:
            _chapter(word, chapter)
        out = io.BytesIO()
        word.save(out)
    return _fixed_times(out.getvalue())


def demo_mark() -> str:
    return _("Demodaten – nicht amtlich")


# -- the file as a whole -----------------------------------------------------------------


def _set_up(word, document: Document) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.header_distance = section.footer_distance = Mm(10)

    styles = word.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Title", "Heading 1", "Heading 2", "Caption", "Quote", "List Bullet"):
        styles[name].font.name = FONT
    # Each chapter on a page of its own, as the printed Sozialbericht has it.
    styles["Heading 1"].paragraph_format.page_break_before = True
    styles["Caption"].font.size = Pt(9)
    styles["Caption"].font.color.rgb = RGBColor(0x26, 0x26, 0x26)
    # Table cells by style, not each cell's own format: a report has hundreds of cells.
    cells = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    cells.base_style = normal
    cells.font.size = Pt(9)
    cells.paragraph_format.space_after = Pt(0)
    numbers = styles.add_style(TABLE_NUMBER, WD_STYLE_TYPE.PARAGRAPH)
    numbers.base_style = cells
    numbers.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = LINK_COLOUR
    link.font.underline = True
    _language(word, LANGUAGE_TAGS.get(document.language, document.language))

    _header_and_footer(section, document)

    properties = word.core_properties
    properties.title = document.title
    properties.author = properties.last_modified_by = document.author
    properties.subject = f"{document.scope} – {document.state}"
    properties.language = LANGUAGE_TAGS.get(document.language, document.language)
    properties.keywords = demo_mark() if document.demo else ""
    properties.comments = document.url
    properties.revision = 1
    # Dates of the report, not of the writing: the same report gives the same file.
    written = document.written_on or datetime.date(2000, 1, 1)
    moment = datetime.datetime(written.year, written.month, written.day, tzinfo=datetime.UTC)
    properties.created = properties.modified = properties.last_printed = moment


def _language(word, tag: str) -> None:
    """Spelling and hyphenation in the report's language, for every text that sets none."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), tag)


def _header_and_footer(section, document: Document) -> None:
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if document.demo:
        mark = header.add_run(demo_mark())
        mark.bold = True
        mark.font.color.rgb = DEMO_COLOUR
        header.add_run(" · ")
    header.add_run(document.title).font.size = Pt(8)
    for run in header.runs:
        run.font.size = Pt(8)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{document.state} · ")
    # "Seite 3 von 12": the numbers are fields that Word and LibreOffice fill in per page.
    words = re.split(r"(%\(page\)s|%\(pages\)s)", _("Seite %(page)s von %(pages)s"))
    for word in words:
        if word == "%(page)s":
            _field(footer, "PAGE")
        elif word == "%(pages)s":
            _field(footer, "NUMPAGES")
        elif word:
            footer.add_run(word)
    for run in footer.runs:
        run.font.size = Pt(8)


def _field(paragraph, code: str) -> None:
    """A field (PAGE, NUMPAGES) showing "1" until Word or LibreOffice computes it."""
    _field_char(paragraph, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {code} "
    paragraph.add_run()._r.append(instruction)
    _field_char(paragraph, "separate")
    paragraph.add_run("1")
    _field_char(paragraph, "end")


def _field_char(paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _fixed_times(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            # Images are compressed already: stored as they are, in a tenth of the time.
            packed = item.filename.endswith((".png", ".jpeg", ".jpg"))
            entry.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return out.getvalue()


def _add(word, text: str = "", style: str = "Normal"):
    """A paragraph at the end of the body, in the named style."""
    paragraph = word.add_paragraph(text)
    if style != "Normal":
        _set_style(paragraph, style)
    return paragraph


def _set_style(paragraph, style: str) -> None:
    """The style of a new paragraph, set by its id: python-docx looks a name up through
    every style of the file, and inserts elements by searching their schema order, for each
    paragraph; that took two thirds of the time of a ten-chapter report."""
    properties = OxmlElement("w:pPr")
    reference = OxmlElement("w:pStyle")
    reference.set(qn("w:val"), _style_id(style))
    properties.append(reference)
    paragraph._p.insert(0, properties)


@functools.cache
def _style_id(name: str) -> str:
    if name in ADDED_STYLES:
        return ADDED_STYLES[name]
    return docx.Document().styles[name].style_id


# -- the title page ----------------------------------------------------------------------


def _title_page(word, document: Document) -> None:
    if document.demo:
        mark = _add(word)
        run = mark.add_run(demo_mark())
        run.bold = True
        run.font.size = Pt(14)
        run.font.color.rgb = DEMO_COLOUR
    _add(word, document.title, "Title")
    for label, value in (
        (_("Gebiet"), document.scope),
        ("", document.state),
        (_("Veröffentlicht"), document.written),
        (_("Verfasst von"), document.author),
    ):
        if value:
            line = _add(word)
            if label:
                line.add_run(f"{label}: ").bold = True
            line.add_run(value)
    if document.url:
        line = _add(word, _("Dieser Bericht online:") + " ")
        _link(line, document.url, document.url)
    if document.newer_data:
        line = _add(word)
        line.add_run(document.newer_data).bold = True
        if document.newer_url:
            line.add_run(" ")
            _link(line, document.newer_url, document.newer_url)
    if document.demo and document.demo_note:
        _add(word, document.demo_note).runs[0].italic = True

    # The title page's parts are named in bold, not as headings: Heading 1 is the chapters'.
    if document.sources:
        _label(word, _("Quellen"))
        for source in document.sources:
            _add(word, source, "List Bullet")
    _label(word, _("Lizenz"))
    licence = _add(word)
    if document.licence_url:
        _link(licence, document.licence, document.licence_url)
        licence.add_run(f" ({document.licence_url})")
    else:
        licence.add_run(document.licence)
    if document.attribution:
        _add(word, document.attribution)
    if document.notes:
        _label(word, _("Lesehilfe"))
        for note in document.notes:
            _add(word, note, "List Bullet")


def _label(word, text: str) -> None:
    line = _add(word)
    line.paragraph_format.space_before = Pt(12)
    line.paragraph_format.keep_with_next = True
    line.add_run(text).bold = True


# -- chapters and blocks -----------------------------------------------------------------


def _chapter(word, chapter: Chapter) -> None:
    _add(word, chapter.heading, "Heading 1")
    for paragraph in chapter.text:
        _paragraph(word, paragraph)
    for block in chapter.blocks:
        if isinstance(block, Figure):
            _figure(word, block)
        elif isinstance(block, Table):
            _table(word, block)
        elif isinstance(block, KeyFigures):
            _key_figures(word, block)
        elif isinstance(block, Findings):
            _findings(word, block)


def _paragraph(word, paragraph: Paragraph) -> None:
    line = _add(word, "", PARAGRAPH_STYLES.get(paragraph.kind, "Normal"))
    for text, bold, italic, url in paragraph.runs:
        run = _link(line, text, url) if url else line.add_run(text)
        run.bold = bold or None
        run.italic = italic or None


def _link(paragraph, text: str, url: str):
    """A hyperlink around one run of ``text``; returns the run (python-docx reads links but
    does not write them)."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    paragraph._p.append(link)
    run = paragraph.add_run(text)
    run._r.style = _style_id("Hyperlink")
    link.append(run._r)  # moved into the hyperlink
    return run


def _figure(word, figure: Figure) -> None:
    if figure.png:
        picture = _add(word)
        picture.paragraph_format.keep_with_next = True
        width = Mm(min(figure.width_mm, TEXT_WIDTH_MM))
        shape = picture.add_run().add_picture(io.BytesIO(figure.png), width=width)
        described = shape._inline.docPr
        described.set("descr", figure.alt)
        described.set("title", figure.caption)
    else:
        _add(word, figure.alt).runs[0].italic = True
    _add(word, figure.caption, "Caption")
    _table(word, figure.table)


def _table(word, table: Table) -> None:
    caption = _add(word, table.caption, "Caption")
    caption.paragraph_format.keep_with_next = True
    columns = len(table.header)
    numeric = (tuple(table.numeric) + (False,) * columns)[:columns]
    grid = word.add_table(rows=1 + len(table.rows), cols=columns)
    grid._tbl.tblStyle_val = _style_id("Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    _table_caption(grid, table.caption)
    _header_row(grid.rows[0], table.header, numeric)
    first_reference = len(table.rows) - table.reference_rows
    for i, values in enumerate(table.rows):
        row = grid.rows[i + 1]
        reference = i >= first_reference
        for cell, text, right in zip(row.cells, values, numeric, strict=False):
            _cell(cell, text, right=right, bold=reference)
            if i == first_reference:
                _rule_above(cell)
    for note in table.notes:
        line = _add(word)
        line.paragraph_format.space_after = Pt(2)
        line.add_run(note).font.size = Pt(8.5)
    _add(word)


def _header_row(row, header: tuple[str, ...], numeric: tuple[bool, ...]) -> None:
    # Marked as the table's header: screen readers read it as such, and Word and LibreOffice
    # repeat it on every page the table runs over.
    properties = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        properties.append(element)
    for cell, text, right in zip(row.cells, header, numeric, strict=True):
        _cell(cell, text, right=right, bold=True)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), HEADER_FILL)
        cell._tc.get_or_add_tcPr().append(shading)


def _cell(cell, text: str, *, right: bool, bold: bool) -> None:
    paragraph = cell.paragraphs[0]
    _set_style(paragraph, TABLE_NUMBER if right else TABLE_TEXT)
    run = paragraph.add_run(text)
    if bold:
        run.bold = True


def _rule_above(cell) -> None:
    """The line that sets the reference rows (city, Bezirk) apart from the areas."""
    borders = OxmlElement("w:tcBorders")
    top = OxmlElement("w:top")
    for name, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "0"),
        ("w:color", "000000"),
    ):
        top.set(qn(name), value)
    borders.append(top)
    cell._tc.get_or_add_tcPr().append(borders)


def _table_caption(grid, caption: str) -> None:
    """The table's name for assistive technology (Word's alt text of a table)."""
    properties = grid._tbl.tblPr
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption[:255])
    # The schema wants it after the layout and look elements, which python-docx writes first.
    properties.append(element)


def _key_figures(word, block: KeyFigures) -> None:
    with_notes = any(item.note for item in block.items)
    header = (_("Kennzahl"), _("Wert"), _("Vergleich"), _("Entwicklung"))
    rows = tuple(
        (item.label, item.value, item.reference, item.change) + ((item.note,) if with_notes else ())
        for item in block.items
    )
    _table(
        word,
        Table(
            caption=block.caption,
            header=header + ((_("Hinweis"),) if with_notes else ()),
            rows=rows,
            numeric=(False, True, False, False, False),
        ),
    )


def _findings(word, block: Findings) -> None:
    _add(word, block.caption, "Caption").paragraph_format.keep_with_next = True
    if not block.items:
        _add(word, block.empty)
        return
    for statement in block.items:
        _statement(word, statement)
    _add(word)


def _statement(word, statement: Statement) -> None:
    line = _add(word, statement.text, "List Bullet")
    if statement.url:
        line.add_run(" (")
        _link(line, _("Ansicht im Atlas"), statement.url)
        line.add_run(")")
