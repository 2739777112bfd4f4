"""A release as a file in the upload layout, so export → import shows no changes."""

import csv
import io

from openpyxl import Workbook

from indicators.models import Observation, Release

HEADER = ["gebiet", "ebene", "indikator", "jahr", "wert", "zaehler", "nenner", "status", "hinweis"]


def _rows(release: Release):
    observations = (
        Observation.objects.filter(release=release)
        .select_related("district__level", "indicator")
        .order_by("indicator__slug", "district__level__rank", "district__code", "year")
    )
    for o in observations:
        yield [
            o.district.code,
            o.district.level.slug,
            o.indicator.slug,
            o.year,
            o.value,
            o.numerator,
            o.denominator,
            o.status,
            o.note,
        ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def release_csv(release: Release) -> bytes:
    """Long layout, comma-separated, international numbers, UTF-8 with BOM for Excel."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in _rows(release):
        writer.writerow([_text(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def release_xlsx(release: Release) -> bytes:
    """Long layout as a worksheet, numbers as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Werte")
    sheet.append(HEADER)
    for row in _rows(release):
        sheet.append([cell if cell is not None else None for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
