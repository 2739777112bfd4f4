"""The staging table a value file goes through: every value checked and COPYed into it in
pieces, the errors found there (duplicates, themes the user may not upload), and the one
INSERT … SELECT that commits a file without errors into its release."""

import heapq
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from core.importing import RowError
from districts.models import District
from indicators.models import Release, ThemeAccess

from ..tables import Source
from .checks import Checker
from .layout import FIELDS, Layout, records

# Errors, changed values and warnings are listed one by one up to this many; the rest are
# counted, so a file that is wrong in every row gets a readable answer in bounded memory.
LISTED = 1000
# Rows per piece of the COPY into the staging table: the text of one piece is all the import
# holds of them.
BATCH = 20_000
STAGING = "atlas_import_staging"
PUBLIC = "atlas_import_public"

# COPY's text format: backslash, tab and line breaks in text are escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def create() -> None:
    """The session's staging tables, new and empty. They go with the transaction: dropped at
    its end, or with it on rollback, and explicitly once the import is done (an import inside
    a longer transaction must not find the previous one's rows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {PUBLIC}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (seq integer NOT NULL, row integer NOT NULL, "
            "indicator_id bigint NOT NULL, district_id bigint NOT NULL, year smallint NOT NULL, "
            "value double precision, numerator double precision, denominator double precision, "
            "status text NOT NULL, note text NOT NULL, ok boolean NOT NULL) ON COMMIT DROP"
        )


def years() -> list[int]:
    """The years of the staged values, in order."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT year FROM {STAGING} ORDER BY year")
        return [year for (year,) in cursor.fetchall()]


def drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {PUBLIC}")


@dataclass
class Staged:
    """What the pass that checks and stages the rows found."""

    count: int = 0  # rows staged
    errors: list[tuple[int, RowError]] = field(default_factory=list)  # (seq, error), listed
    error_count: int = 0


class Stream(io.TextIOBase):
    """Text pieces from an iterator as a file, for COPY ... FROM STDIN: the database takes in
    one piece while the next is being made. An exception while making a piece ends the input
    and is kept in ``error`` (psycopg2 would turn it into a database error)."""

    def __init__(self, pieces):
        self.pieces, self.piece, self.at, self.error = iter(pieces), "", 0, None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if self.at >= len(self.piece):
            try:
                # An empty string would end the COPY: empty pieces are skipped.
                self.piece, self.at = next((p for p in self.pieces if p), ""), 0
            except Exception as error:
                self.error, self.piece, self.at = error, "", 0
        end = len(self.piece) if size is None or size < 0 else self.at + size
        text, self.at = self.piece[self.at : end], min(end, len(self.piece))
        return text


def stage(source: Source, layout: Layout, checker: Checker) -> Staged:
    """Check every value of the file and COPY the keyed ones into the staging table."""
    staged = Staged()

    def batches():
        """The staged rows in COPY's text format, BATCH rows to a piece."""
        check, lines, count, explain = checker.check, [], 0, True
        place = checker.lookup.place
        for position, (number, texts, names) in enumerate(records(source, layout)):
            bad, row = check(*texts, explain=explain)
            if bad:
                staged.error_count += len(bad)
                for name, message in bad:
                    if len(staged.errors) < LISTED:
                        error = RowError(number, names.get(name, name),
                                         texts[FIELDS.index(name)], message,
                                         place(texts[0]))  # fmt: skip
                        staged.errors.append((position, error))
                explain = len(staged.errors) < LISTED
            if row is None:
                continue
            indicator, district, year, value, numerator, denominator, status, note, ok = row
            if note:
                note = note.translate(COPY_ESCAPES)
            lines.append(
                f"{position}\t{number}\t{indicator}\t{district}\t{year}\t"
                f"{NULL if value is None else repr(value)}\t"
                f"{NULL if numerator is None else repr(numerator)}\t"
                f"{NULL if denominator is None else repr(denominator)}\t"
                f"{status}\t{note}\t{'t' if ok else 'f'}\n"
            )
            count += 1
            if len(lines) >= BATCH:
                yield "".join(lines)
                lines.clear()
        staged.count = count
        yield "".join(lines)

    with connection.cursor() as cursor:
        # One COPY for the whole file. The buffer size is positional: Django's debug cursor
        # passes on no keywords.
        stream = Stream(batches())
        cursor.copy_expert(f"COPY {STAGING} FROM STDIN", stream, 1 << 16)
    if stream.error:
        raise stream.error
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {STAGING}")
    return staged


def _duplicates() -> tuple[list[tuple[int, RowError]], int]:
    """Staged rows whose key an earlier row of the file already has: the listed ones with
    their position, and how many there are."""
    query = (
        "SELECT seq, row, previous, district_id FROM (SELECT seq, row, district_id, lag(row) "
        f"OVER (PARTITION BY indicator_id, district_id, year ORDER BY seq) AS previous "
        f"FROM {STAGING}) keyed WHERE previous IS NOT NULL ORDER BY seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{query} LIMIT %s", [LISTED + 1])
        rows = cursor.fetchall()
        count = len(rows)
        if count > LISTED:
            cursor.execute(f"SELECT count(*) FROM ({query}) duplicates")
            count = cursor.fetchone()[0]
    return rows[:LISTED], count


def errors(staged: Staged, names: dict[str, str], path: Path) -> list[RowError]:
    """Every error in the order of the file's values; within a value, a duplicate last."""
    rows, duplicate_count = _duplicates()
    area = names.get("area", "area")
    districts = District.objects.filter(pk__in={row[3] for row in rows})
    known = {pk: (code, name) for pk, code, name in districts.values_list("pk", "code", "name")}
    message = "doppelter Eintrag (auch in Zeile {})"
    duplicates = [
        (
            seq,
            RowError(
                row, area, known[d][0], message.format(before), f"{known[d][1]} ({known[d][0]})"
            ),
        )
        for seq, row, before, d in rows
    ]
    merged = heapq.merge(
        ((seq, 0, error) for seq, error in staged.errors),
        ((seq, 1, error) for seq, error in duplicates),
    )
    errors = [error for _seq, _order, error in itertools.islice(merged, LISTED)]
    return errors + _more(staged.error_count + duplicate_count - len(errors), path)


def _more(count: int, path: Path) -> list[RowError]:
    if count <= 0:
        return []
    message = _("%(count)d weitere Fehler, nicht einzeln aufgeführt") % {"count": count}
    return [RowError(None, "Datei", path.name, message)]


def outside_themes(user, path: Path) -> list[RowError]:
    """Valid rows for indicators whose theme the user's departments may not upload."""
    if user is None or user.has_perm("indicators.import_all_themes"):
        return []
    allowed = list(ThemeAccess.objects.filter(group__user=user).values_list("theme_id", flat=True))
    query = (
        f"SELECT s.row, i.slug, t.name_de FROM {STAGING} s "
        "JOIN indicators_indicator i ON i.id = s.indicator_id "
        "JOIN indicators_theme t ON t.id = i.theme_id "
        "WHERE s.ok AND NOT i.theme_id = ANY(%s) AND NOT EXISTS ("
        f"SELECT 1 FROM {STAGING} p WHERE p.indicator_id = s.indicator_id "
        "AND p.district_id = s.district_id AND p.year = s.year AND p.seq < s.seq)"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{query} ORDER BY s.seq LIMIT %s", [allowed, LISTED + 1])
        rows = cursor.fetchall()
        count = len(rows)
        if count > LISTED:
            cursor.execute(f"SELECT count(*) FROM ({query}) outside", [allowed])
            count = cursor.fetchone()[0]
    errors = [
        RowError(row, "indikator", slug, f"keine Freigabe für das Themenfeld „{theme}“")
        for row, slug, theme in rows[:LISTED]
    ]
    return errors + _more(count - len(errors), path)


def commit(release: Release) -> None:
    """The staged rows into the release, in one statement; the staging tables dropped."""
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "indicators_observation" (release_id, indicator_id, district_id, year, '
            "reference_date, value, numerator, denominator, status, note) "
            "SELECT %s, indicator_id, district_id, year, make_date(year, 12, 31), value, "
            f"numerator, denominator, status, note FROM {STAGING}",
            [release.pk],
        )
        # Fresh statistics for the planner: a year's values at once would otherwise leave the
        # queries that compare this release with the public values (its confirmation pages)
        # on a plan made for a smaller table, seconds instead of a fraction of one.
        cursor.execute("ANALYZE indicators_observation")
    drop()
