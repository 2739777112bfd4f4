"""One table as an XLSX file, written fast: numbers as numbers, text as inline strings.

openpyxl serialises each cell through a pure-Python XML writer, about 10 µs a cell here: the
13,000 values of the demo data (120,000 cells) took a second. This writes the few fixed parts
of a one-sheet workbook as they are and each row with one format string, a tenth of that.
What it writes is the subset of SpreadsheetML that openpyxl, pandas, Excel and LibreOffice
read alike (ECMA-376 Part 1: ``inlineStr`` cells, one cell style marked ``quotePrefix``).
"""

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter


class Text(str):
    """Text that stays text: a cell marked as text (quotePrefix), which a spreadsheet shows
    and edits as text even where it starts like a formula."""


NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="{PACKAGE}/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""  # noqa: E501
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE}/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{namespace}" xmlns:r="{relationships}">
<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE}/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>
</Relationships>"""
# Cell styles: 0 plain, 1 text marked as text (quotePrefix), 2 the header (bold).
PLAIN, MARKED, BOLD = 0, 1, 2
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{NAMESPACE}">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""  # noqa: E501
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{namespace}"><dimension ref="A1:{last}"/>
<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>
{columns}<sheetData>"""  # noqa: E501
SHEET_END = "</sheetData></worksheet>"
# Characters XML 1.0 cannot hold; SpreadsheetML writes them as _xHHHH_.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Rows per write to the zip, so the sheet's text is never held whole.
CHUNK = 2000


def xlsx(
    *, title: str, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float] = ()
) -> bytes:
    """A workbook of one sheet: the header row (bold, frozen), then the rows. A cell is a
    number (int, float), text (str; ``Text`` for text that stays text) or empty (None)."""
    rows = list(rows)  # the sheet states its size before its rows
    letters = [get_column_letter(i) for i in range(1, len(header) + 1)]
    columns = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(widths, start=1)
    )
    start = SHEET_START.format(
        namespace=NAMESPACE,
        last=f"{letters[-1]}{len(rows) + 1}",
        columns=f"<cols>{columns}</cols>" if columns else "",
    )
    workbook = WORKBOOK.format(
        namespace=NAMESPACE, relationships=RELATIONSHIPS, title=escape(title, {'"': "&quot;"})
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", workbook)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((start + _row(1, letters, header, style=BOLD)).encode())
            for first in range(0, len(rows), CHUNK):
                chunk = rows[first : first + CHUNK]
                text = "".join(
                    _row(number, letters, row) for number, row in enumerate(chunk, start=first + 2)
                )
                sheet.write(text.encode())
            sheet.write(SHEET_END.encode())
    return buffer.getvalue()


def _row(number: int, letters: list[str], values: Sequence, *, style: int = PLAIN) -> str:
    cells = []
    for letter, value in zip(letters, values, strict=True):
        if value is None:
            continue
        if isinstance(value, bool):
            raise TypeError("a worksheet of values holds no booleans")
        if not isinstance(value, str):
            cells.append(f'<c r="{letter}{number}"><v>{value!r}</v></c>')
            continue
        text = escape(value)
        if ILLEGAL.search(text):
            text = ILLEGAL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        marked = MARKED if isinstance(value, Text) else style
        styled = f' s="{marked}"' if marked else ""
        cells.append(
            f'<c r="{letter}{number}" t="inlineStr"{styled}><is><t{space}>{text}</t></is></c>'
        )
    return f'<row r="{number}">{"".join(cells)}</row>'
