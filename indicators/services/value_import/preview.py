"""What a checked file would change: its staged values against the values public now (new,
changed, unchanged), jumps against the previous year, and city values that differ from the sum
of their districts in the file."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import formats
from django.utils.translation import gettext as _

from indicators.models import Observation

from . import staging  # staging.LISTED: one limit for the errors and the changes listed
from .staging import PUBLIC, STAGING, Staged


@dataclass(frozen=True)
class Change:
    row: int
    indicator: str
    area: str
    year: int
    old: str
    new: str


@dataclass
class Preview:
    """What confirming the upload would change in the published data."""

    new: int = 0
    unchanged: int = 0
    changed: list[Change] = field(default_factory=list)  # the first LISTED, in file order
    changed_count: int = 0


def _number(value: float) -> str:
    """A number for messages, in the interface's format (54,2784 in German)."""
    value = round(value, 6)
    return formats.localize(int(value) if value.is_integer() else value, use_l10n=True)


def _shown(value, numerator, denominator, status) -> str:
    if status not in Observation.WITH_VALUE:
        return status
    parts = [_number(value)]
    if numerator is not None:
        parts.append(f"({_number(numerator)}/{_number(denominator)})")
    if status != "normal":
        parts.append(str(Observation.Status(status).label))
    return " ".join(parts)


SAME = (
    "s.value IS NOT DISTINCT FROM p.value AND s.numerator IS NOT DISTINCT FROM p.numerator "
    "AND s.denominator IS NOT DISTINCT FROM p.denominator AND s.status = p.status"
)


def preview_of(staged: Staged) -> tuple[Preview, list[str]]:
    """The staged rows against the values public now (the latest published per key), and
    jumps against the previous year's public value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PUBLIC} ON COMMIT DROP AS "
            "SELECT DISTINCT ON (o.indicator_id, o.district_id, o.year) o.indicator_id, "
            "o.district_id, o.year, o.value, o.numerator, o.denominator, o.status "
            "FROM indicators_observation o JOIN indicators_release r ON r.id = o.release_id "
            "WHERE r.status = 'published' "
            f"AND o.indicator_id IN (SELECT indicator_id FROM {STAGING}) "
            f"AND o.district_id IN (SELECT district_id FROM {STAGING}) "
            f"AND o.year IN (SELECT year FROM {STAGING} UNION SELECT year - 1 FROM {STAGING}) "
            "ORDER BY o.indicator_id, o.district_id, o.year, r.published_at DESC, r.id DESC"
        )
        if not cursor.rowcount:
            return Preview(new=staged.count), []
        cursor.execute(f"ANALYZE {PUBLIC}")
        keyed = (
            f"FROM {STAGING} s JOIN {PUBLIC} p ON p.indicator_id = s.indicator_id "
            "AND p.district_id = s.district_id AND p.year = s.year"
        )
        cursor.execute(f"SELECT count(*) FILTER (WHERE {SAME}), count(*) {keyed}")
        unchanged, known = cursor.fetchone()
        preview = Preview(
            new=staged.count - known, unchanged=unchanged, changed_count=known - unchanged
        )
        if preview.changed_count:
            cursor.execute(
                "SELECT s.row, i.slug, d.code, s.year, p.value, p.numerator, p.denominator, "
                "p.status, s.value, s.numerator, s.denominator, s.status "
                f"{keyed} JOIN indicators_indicator i ON i.id = s.indicator_id "
                "JOIN districts_district d ON d.id = s.district_id "
                f"WHERE NOT ({SAME}) ORDER BY s.seq LIMIT %s",
                [staging.LISTED],
            )
            preview.changed = [
                Change(row, slug, code, year, _shown(*old), _shown(*new))
                for row, slug, code, year, *values in cursor.fetchall()
                for old, new in [(values[:4], values[4:])]
            ]
        jump = getattr(settings, "ATLAS_IMPORT_JUMP_SHARE", 0.5)
        jumps = (
            f"FROM {STAGING} s JOIN {PUBLIC} p ON p.indicator_id = s.indicator_id "
            "AND p.district_id = s.district_id AND p.year = s.year - 1 "
            "JOIN indicators_indicator i ON i.id = s.indicator_id "
            "JOIN districts_district d ON d.id = s.district_id "
            "WHERE p.value <> 0 AND s.value IS NOT NULL "
            "AND abs(s.value - p.value) / abs(p.value) > %s"
        )
        cursor.execute(
            f"SELECT s.row, i.slug, d.code, s.year, p.value, s.value {jumps} "
            "ORDER BY s.seq LIMIT %s",
            [jump, staging.LISTED + 1],
        )
        rows = cursor.fetchall()
        count = len(rows)
        if count > staging.LISTED:
            cursor.execute(f"SELECT count(*) {jumps}", [jump])
            count = cursor.fetchone()[0]
    warnings = []
    for row, slug, code, year, before, value in rows[: staging.LISTED]:
        share = abs(value - before) / abs(before)
        warnings.append(
            f"Zeile {row}: {slug} in {code} ändert sich gegenüber {year - 1} um {share:.0%} "
            f"({_number(before)} → {_number(value)})"
        )
    if count > staging.LISTED:
        warnings.append(
            _("%(count)d weitere Sprünge gegenüber dem Vorjahr, nicht einzeln aufgeführt")
            % {"count": count - staging.LISTED}
        )
    return preview, warnings


def sum_warnings(staged: Staged) -> list[str]:
    """Counts whose city value in the file differs from the sum of its districts in the file
    (those of a level lying wholly in the city, all of them present)."""
    if not staged.cities:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH counts AS (SELECT s.seq, s.indicator_id, s.district_id, s.year, s.value, "
            f"d.level_id FROM {STAGING} s JOIN indicators_indicator i ON i.id = s.indicator_id "
            "JOIN districts_district d ON d.id = s.district_id "
            "WHERE i.kind = 'count' AND s.value <> 0) "
            "SELECT i.slug, c.year, sum(p.value), c.value FROM counts c "
            "JOIN districts_level l ON l.id = c.level_id AND l.slug = 'stadt' "
            "JOIN districts_overlap o ON o.target_id = c.district_id AND o.area_share = 1 "
            "JOIN counts p ON p.district_id = o.source_id AND p.indicator_id = c.indicator_id "
            "AND p.year = c.year AND p.level_id <> c.level_id "
            "JOIN indicators_indicator i ON i.id = c.indicator_id "
            "GROUP BY c.seq, c.district_id, i.slug, c.year, c.value, p.level_id "
            "HAVING abs(sum(p.value) - c.value) > 0.5 AND count(*) = ("
            "SELECT count(*) FROM districts_overlap w JOIN districts_district x "
            "ON x.id = w.source_id WHERE w.target_id = c.district_id AND w.area_share = 1 "
            "AND x.level_id = p.level_id) "
            "ORDER BY c.seq, p.level_id"
        )
        return [
            f"{slug} {year}: Summe der Bezirke {_number(total)} ≠ Stadtwert {_number(value)}"
            for slug, year, total, value in cursor.fetchall()
        ]
