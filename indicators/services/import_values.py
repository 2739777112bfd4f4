"""Importing observations from a CSV or XLSX file into a new release.

Long layout, columns in German or English, any case: gebiet/area (or code/schluessel),
optional ebene/level, indikator/indicator, jahr/year, wert/value, zaehler/numerator,
nenner/denominator, optional status, hinweis/note. Wide layout: gebiet, jahr, then one column
per indicator slug. Numbers are German (1.234,5) or international (1,234.5), decided once per
file (core.numbers). The DIN 55301 symbols . - x / ... in the value column are
statuses.

How a file goes in, with memory that does not grow with its length: one pass over the rows
decides the number format; a second one checks each value as a plain tuple and COPYs the keys
and numbers into a temporary staging table; duplicates, the theme rights, the preview and the
plausibility warnings are queries on that table; only a file without errors is then written,
with one INSERT … SELECT, in the same transaction.

The parts live in ``value_import/``: ``layout`` (columns and records), ``number_format``,
``checks`` (one value at a time), ``staging`` (the staging table and the commit), ``preview``.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from core import audit
from core.importing import ImportRejected, RowError
from core.uploads import store_on_commit
from indicators.models import Release

from .tables import open_table
from .value_import import number_format, staging
from .value_import.checks import Checker, Lookup
from .value_import.layout import (
    IGNORE,
    layout_of,
    mapped_indicators,
    mapping_errors,
    unmapped_columns,
)
from .value_import.preview import Change, Preview, preview_of, rate_warnings, sum_warnings
from .value_import.staging import STAGING, Stream

__all__ = [
    "IGNORE",
    "STAGING",
    "Change",
    "Preview",
    "ValueImportResult",
    "import_values",
    "mapped_indicators",
    "mapping_errors",
    "unmapped_columns",
]

# The parts under the names the import's tests reach them by.
_Checker = Checker
_Stream = Stream


@dataclass
class ValueImportResult:
    release: Release | None
    rows: int
    number_format: str
    dry_run: bool = False
    description: str = ""
    preview: "Preview | None" = None
    warnings: list[str] = field(default_factory=list)
    public_download: bool = False  # the file is a public download (see layout.PUBLIC_MARKERS)
    skipped_withheld: int = 0  # its withheld rows, left out
    skipped_approximate: int = 0  # its estimates, left out
    years: list[int] = field(default_factory=list)  # the years of its values

    def summary(self) -> str:
        verb = "geprüft (Probelauf, nichts geschrieben)" if self.dry_run else "importiert"
        lines = [f"{self.rows} Werte {verb}; {self.description}; Zahlen {self.number_format}"]
        if self.public_download:
            lines.append(self.public_note())
        if self.preview is not None:
            preview = self.preview
            lines.append(
                f"neu: {preview.new}, geändert: {preview.changed_count}, "
                f"Zahlen verloren: {preview.lost_count}, unverändert: {preview.unchanged}"
            )
            lines += [
                f"  Zahl verloren, Zeile {c.row}: {c.indicator} {c.place} {c.year}: "
                f"{c.old} → {c.new}"
                for c in preview.lost[:50]
            ]
            lines += [
                f"  Zeile {c.row}: {c.indicator} {c.place} {c.year}: {c.old} → {c.new}"
                for c in preview.changed[:50]
            ]
        lines += [f"Warnung: {w}" for w in self.warnings]
        return "\n".join(lines)

    def public_note(self) -> str:
        return (
            f"Öffentlicher Download erkannt: {self.skipped_withheld} gesperrte Werte („.“) und "
            f"{self.skipped_approximate} angenäherte Werte nicht übernommen; die gespeicherten "
            "Werte dahinter bleiben."
        )


def losses_unconfirmed(preview: Preview, path: Path) -> ImportRejected:
    """Saving a file that would lose numbers needs the explicit confirmation."""
    message = (
        f"{preview.lost_count} gespeicherte Zahlen würden durch ein Zeichen oder ein leeres Feld "
        "ersetzt; gespeichert wird nur mit ausdrücklicher Bestätigung dieser Verluste"
    )
    return ImportRejected([RowError(None, "Datei", path.name, message)])


@transaction.atomic
def import_values(
    *,
    path: Path,
    title: str,
    user=None,
    publish: bool = False,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    accept_losses: bool = False,
) -> ValueImportResult:
    """Validate a whole file, then write it as one release (or nothing, raising ImportRejected).

    The result says what the file changes against the published data (preview) and what
    looks implausible without blocking (warnings). A file that would replace a stored number by
    a symbol or nothing is written only with ``accept_losses``.
    """
    path = Path(path)
    # Checked and, if a spreadsheet, read in the box (tables.open_table) before the lock: a
    # file that is slow to read holds up no other import.
    source = open_table(path)
    # One import at a time: a second one waits here, so two uploads never interleave.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('atlas.import_values'))")
    lookup = Lookup.load()
    layout = layout_of(source.header, lookup.indicators, mapping or {})
    german, decided = number_format.decide(source, width=len(layout.header), columns=layout.numbers)
    staging.create()
    staged = staging.stage(source, layout, Checker(lookup, german=german))
    errors = staging.errors(staged, layout.names, path) + staging.outside_themes(user, path)
    if errors:
        raise ImportRejected(errors)
    preview, warnings = preview_of(staged)
    warnings += sum_warnings(staged) + rate_warnings(staged)
    result = ValueImportResult(
        None, staged.count, decided, dry_run=dry_run, description=source.description,
        preview=preview, warnings=warnings, public_download=layout.public,
        skipped_withheld=layout.skipped_withheld,
        skipped_approximate=layout.skipped_approximate, years=staging.years(),
    )  # fmt: skip
    if dry_run:
        staging.drop()
        return result
    if preview.lost_count and not accept_losses:
        raise losses_unconfirmed(preview, path)

    release = Release(title=title, source_filename=path.name, sha256=source.sha256, created_by=user)
    store_on_commit(release.source_file, path)
    release.save()
    staging.commit(release)
    audit.record(
        user=user, obj=release, added=True,
        message=f"{staged.count} Werte aus {path.name} (SHA-256 {release.sha256[:12]}…)",
    )  # fmt: skip
    if publish:
        release.status = Release.Status.PUBLISHED
        release.published_at = timezone.now()
        release.published_by = user
        release.save(update_fields=["status", "published_at", "published_by"])
    result.release = release
    return result
