"""What a checked file would change: its staged values against the values public now, in the
order a statistician decides by: numbers the file would lose (a number replaced by a symbol, or a
numerator or denominator left out), changed values, new values, and the unchanged ones counted;
jumps against the previous year for the values the file changes; counts whose city value
would no longer match the sum of its districts once the file is public; and rates (and means)
whose own value on a coarser level would no longer fit the roll-up of its districts, by the
check the published state gets (read.rows.plausibility_warnings)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils import formats
from django.utils.translation import gettext as _

from indicators.models import Indicator, Observation
from indicators.querysets import latest_published_sql
from indicators.read import geography, rollup
from indicators.stats import WITH_VALUE, Cell

from . import staging  # staging.LISTED: one limit for the errors and the changes listed
from .staging import PUBLIC, STAGING, Staged


@dataclass(frozen=True)
class Change:
    row: int
    indicator: str
    area: str  # the code
    year: int
    old: str
    new: str
    area_name: str = ""

    @property
    def place(self) -> str:
        """The area as a reader names it: "Altstadt (11)"."""
        return f"{self.area_name} ({self.area})" if self.area_name else self.area


@dataclass(frozen=True)
class NewValues:
    """How many values of an indicator and year the file adds."""

    indicator: str
    year: int
    count: int


@dataclass
class Preview:
    """What confirming the upload would change in the published data."""

    new: int = 0
    unchanged: int = 0
    changed: list[Change] = field(default_factory=list)  # the first LISTED, in file order
    changed_count: int = 0
    # Changes that lose a number: the stored number (value, numerator or denominator) would be
    # replaced by a symbol or by nothing. Listed first, and saved only when confirmed as such.
    lost: list[Change] = field(default_factory=list)
    lost_count: int = 0
    added: list[NewValues] = field(default_factory=list)  # per indicator and year


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


def same(public: str = "p") -> str:
    """SQL: the staged row ``s`` holds what the public row holds."""
    return (
        f"s.value IS NOT DISTINCT FROM {public}.value "
        f"AND s.numerator IS NOT DISTINCT FROM {public}.numerator "
        f"AND s.denominator IS NOT DISTINCT FROM {public}.denominator "
        f"AND s.status = {public}.status"
    )


SAME = same()
NUMBERED = "('" + "', '".join(str(s.value) for s in Observation.WITH_VALUE) + "')"
LOST = (
    f"((p.status IN {NUMBERED} AND s.status NOT IN {NUMBERED}) "
    "OR (p.numerator IS NOT NULL AND s.numerator IS NULL) "
    "OR (p.denominator IS NOT NULL AND s.denominator IS NULL))"
)


def _changes(cursor, keyed: str, condition: str) -> list[Change]:
    """The first LISTED staged rows meeting the condition, old and new, in file order."""
    cursor.execute(
        "SELECT s.row, i.slug, d.code, s.year, p.value, p.numerator, p.denominator, "
        "p.status, s.value, s.numerator, s.denominator, s.status, d.name "
        f"{keyed} JOIN indicators_indicator i ON i.id = s.indicator_id "
        "JOIN districts_district d ON d.id = s.district_id "
        f"WHERE {condition} ORDER BY s.seq LIMIT %s",
        [staging.LISTED],
    )
    return [
        Change(row, slug, code, year, _shown(*values[:4]), _shown(*values[4:8]), values[8])
        for row, slug, code, year, *values in cursor.fetchall()
    ]


def _added(cursor) -> list[NewValues]:
    """The staged values with no public value yet, counted per indicator and year."""
    cursor.execute(
        f"SELECT i.slug, s.year, count(*) FROM {STAGING} s "
        "JOIN indicators_indicator i ON i.id = s.indicator_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM {PUBLIC} p WHERE p.indicator_id = s.indicator_id "
        "AND p.district_id = s.district_id AND p.year = s.year) "
        "GROUP BY i.slug, s.year ORDER BY i.slug, s.year"
    )
    return [NewValues(*row) for row in cursor.fetchall()]


def preview_of(staged: Staged) -> tuple[Preview, list[str]]:
    """The staged rows against the values public now (the latest published per key), and
    jumps against the previous year's public value."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PUBLIC} ON COMMIT DROP AS "
            + latest_published_sql(
                "o.indicator_id, o.district_id, o.year, o.value, o.numerator, o.denominator, "
                "o.status",
                where=f"AND o.indicator_id IN (SELECT indicator_id FROM {STAGING}) "
                f"AND o.district_id IN (SELECT district_id FROM {STAGING}) "
                f"AND o.year IN (SELECT year FROM {STAGING} UNION SELECT year - 1 FROM {STAGING})",
            )
        )
        if not cursor.rowcount:
            return Preview(new=staged.count, added=_added(cursor)), []
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
            cursor.execute(f"SELECT count(*) {keyed} WHERE {LOST}")
            preview.lost_count = cursor.fetchone()[0]
            preview.changed_count -= preview.lost_count
            preview.lost = _changes(cursor, keyed, LOST)
            preview.changed = _changes(cursor, keyed, f"NOT ({SAME}) AND NOT {LOST}")
        if preview.new:
            preview.added = _added(cursor)
        jump = getattr(settings, "ATLAS_IMPORT_JUMP_SHARE", 0.5)
        jumps = (
            f"FROM {STAGING} s JOIN {PUBLIC} p ON p.indicator_id = s.indicator_id "
            "AND p.district_id = s.district_id AND p.year = s.year - 1 "
            "JOIN indicators_indicator i ON i.id = s.indicator_id "
            "JOIN districts_district d ON d.id = s.district_id "
            "WHERE p.value <> 0 AND s.value IS NOT NULL "
            "AND abs(s.value - p.value) / abs(p.value) > %s "
            # Only values the file changes or adds: an unchanged row is no news.
            f"AND NOT EXISTS (SELECT 1 FROM {PUBLIC} q WHERE q.indicator_id = s.indicator_id "
            f"AND q.district_id = s.district_id AND q.year = s.year AND {same('q')})"
        )
        cursor.execute(
            f"SELECT s.row, i.slug, d.code, d.name, s.year, p.value, s.value {jumps} "
            "ORDER BY s.seq LIMIT %s",
            [jump, staging.LISTED + 1],
        )
        rows = cursor.fetchall()
        count = len(rows)
        if count > staging.LISTED:
            cursor.execute(f"SELECT count(*) {jumps}", [jump])
            count = cursor.fetchone()[0]
    warnings = []
    for row, slug, code, name, year, before, value in rows[: staging.LISTED]:
        share = abs(value - before) / abs(before)
        where = f"Zeile {row}: " if row else ""  # a stored draft's rows have no file row
        warnings.append(
            f"{where}{slug} in {name} ({code}) ändert sich gegenüber {year - 1} um "
            f"{_number(float(round(share * 100)))} % ({_number(before)} → {_number(value)})"
        )
    if count > staging.LISTED:
        warnings.append(
            _("%(count)d weitere Sprünge gegenüber dem Vorjahr, nicht einzeln aufgeführt")
            % {"count": count - staging.LISTED}
        )
    return preview, warnings


def sum_warnings(staged: Staged) -> list[str]:
    """Counts whose city value would differ from the sum of its districts once the file is
    public: the file's values over the public ones, for each indicator and year the file
    touches, on every level lying wholly in the city whose districts of that year all have a
    value."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH touched AS (SELECT DISTINCT s.indicator_id, s.year "
            f"FROM {STAGING} s JOIN indicators_indicator i ON i.id = s.indicator_id "
            "WHERE i.kind = 'count'), "
            "public AS ("
            + latest_published_sql(
                "o.indicator_id, o.district_id, o.year, o.value",
                joins="JOIN touched t ON t.indicator_id = o.indicator_id AND t.year = o.year",
            )
            + "), "
            "merged AS (SELECT s.indicator_id, s.district_id, s.year, s.value "
            f"FROM {STAGING} s JOIN touched t ON t.indicator_id = s.indicator_id "
            "AND t.year = s.year UNION ALL SELECT p.indicator_id, p.district_id, p.year, p.value "
            f"FROM public p WHERE NOT EXISTS (SELECT 1 FROM {STAGING} s "
            "WHERE s.indicator_id = p.indicator_id AND s.district_id = p.district_id "
            "AND s.year = p.year)), "
            # Per city value and level: the districts of the level valid on 31 Dec of the
            # year, and the sum of those with a value.
            "parts AS (SELECT c.indicator_id, c.year, c.value AS city, x.level_id, "
            "count(*) AS districts, count(m.value) AS filled, sum(m.value) AS total "
            "FROM merged c JOIN districts_district d ON d.id = c.district_id "
            "JOIN districts_level l ON l.id = d.level_id AND l.slug = 'stadt' "
            "JOIN districts_overlap o ON o.target_id = c.district_id AND o.area_share = 1 "
            "JOIN districts_district x ON x.id = o.source_id AND x.level_id <> d.level_id "
            "AND x.valid_from <= make_date(c.year, 12, 31) "
            "AND (x.valid_to IS NULL OR x.valid_to > make_date(c.year, 12, 31)) "
            "LEFT JOIN merged m ON m.district_id = x.id AND m.indicator_id = c.indicator_id "
            "AND m.year = c.year WHERE c.value IS NOT NULL "
            "GROUP BY c.indicator_id, c.year, c.value, x.level_id) "
            "SELECT i.slug, p.year, lv.name_plural_de, p.total, p.city FROM parts p "
            "JOIN indicators_indicator i ON i.id = p.indicator_id "
            "JOIN districts_level lv ON lv.id = p.level_id "
            "WHERE p.filled = p.districts AND abs(p.total - p.city) > 0.5 "
            "ORDER BY i.slug, p.year, lv.rank"
        )
        return [
            f"{slug} {year}: Summe ({level}) {_number(total)} ≠ Stadtwert {_number(value)}"
            for slug, year, level, total, value in cursor.fetchall()
        ]


def rate_warnings(staged: Staged) -> list[str]:
    """Rates and means whose own value (the city's, a Stadtbezirk's) would differ from the
    roll-up of its districts (Σ numerator / Σ denominator × factor) once the file is public:
    the plausibility check of the published state, run on the file's values over the public
    ones for each indicator and year the file touches. Counts are left to sum_warnings."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT s.indicator_id, s.year FROM {STAGING} s "
            "JOIN indicators_indicator i ON i.id = s.indicator_id "
            "WHERE i.kind <> 'count' AND i.computation = ''"
        )
        touched = set(cursor.fetchall())
        if not touched:
            return []
        cursor.execute(
            "SELECT indicator_id, year, district_id, value, numerator, denominator, status "
            f"FROM {STAGING}"
        )
        staged_rows = [row for row in cursor.fetchall() if (row[0], row[1]) in touched]
    ids, years = {i for i, _ in touched}, {y for _, y in touched}
    cells = geography.raw_cells(ids, years)
    for indicator_id, year, district_id, value, numerator, denominator, status in staged_rows:
        if status not in WITH_VALUE:
            value = numerator = denominator = None  # a symbol stands for every number
        cells[(indicator_id, year)][district_id] = Cell(value, numerator, denominator, status)
    indicators = Indicator.objects.filter(id__in=ids).order_by("theme__order", "order", "slug")
    warnings = []
    for year in sorted(years):
        geo = geography.of_year(year)
        for indicator in indicators:
            if (indicator.id, year) in touched:
                found = rollup.draft(indicator, year, geo, cells.get((indicator.id, year), {}))
                warnings += [str(warning) for warning in found.warnings]
    return warnings
