"""What publishing or withdrawing a release would change in public, for the page that asks the
statistician to confirm it: counts per indicator and year, the values that change (old → new),
the numbers that would be lost, and the plausibility warnings of the state afterwards."""

from dataclasses import dataclass, field

from django.db import connection, transaction

from indicators.models import Release
from indicators.querysets import published_at_key_sql

from .value_import import staging
from .value_import.preview import (
    Change,
    Preview,
    _shown,
    preview_of,
    rate_warnings,
    sum_warnings,
)
from .value_import.staging import STAGING, Staged


@dataclass(frozen=True)
class Count:
    indicator: str
    name: str
    year: int
    values: int


@dataclass
class Effect:
    """What confirming would do: the release's values by indicator and year, and the changes."""

    counts: list[Count]
    preview: Preview | None = None  # publishing: the draft against what is public now
    warnings: list[str] = field(default_factory=list)
    restored: list[Change] = field(default_factory=list)  # withdrawing: now → again, differing
    restored_count: int = 0  # withdrawing: the release's values public now
    differing_count: int = 0  # … of them, those whose earlier value differs (or is none)
    removed_count: int = 0  # … of them, those with no earlier public value


def counts(release: Release) -> list[Count]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.slug, i.name_de, o.year, count(*) FROM indicators_observation o "
            "JOIN indicators_indicator i ON i.id = o.indicator_id WHERE o.release_id = %s "
            "GROUP BY i.slug, i.name_de, o.year ORDER BY i.slug, o.year",
            [release.pk],
        )
        return [Count(*row) for row in cursor.fetchall()]


@transaction.atomic
def publish_effect(release: Release) -> Effect:
    """The draft's values as if uploaded again: the upload's preview and warnings, read from
    the stored rows through the same staging table."""
    staging.create()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STAGING} (seq, row, indicator_id, district_id, year, value, numerator, "
            "denominator, status, note, ok) SELECT row_number() OVER (ORDER BY id), 0, "
            "indicator_id, district_id, year, value, numerator, denominator, status, note, true "
            "FROM indicators_observation WHERE release_id = %s",
            [release.pk],
        )
        staged = Staged(count=cursor.rowcount)
        cursor.execute(f"ANALYZE {STAGING}")
    preview, warnings = preview_of(staged)
    warnings += sum_warnings(staged) + rate_warnings(staged)
    staging.drop()
    return Effect(counts(release), preview, warnings)


# For each value of the release, the published value public now (the latest published) and
# the one public after withdrawing the release: one index lookup each per key (the unique
# index on indicator, district, year and release), so the plan does not hang on statistics
# that an import has just made stale.
AT_KEY = "o.release_id, o.value, o.numerator, o.denominator, o.status"
WITHDRAWAL = (
    f"FROM indicators_observation k CROSS JOIN LATERAL ({published_at_key_sql(AT_KEY)}) n "
    "LEFT JOIN LATERAL "
    f"({published_at_key_sql(AT_KEY, where='AND o.release_id <> %(release)s')}) a ON true "
    "JOIN indicators_indicator i ON i.id = k.indicator_id "
    "JOIN districts_district d ON d.id = k.district_id "
    "WHERE k.release_id = %(release)s AND n.release_id = %(release)s"
)
NONE = "–"


def withdraw_effect(release: Release) -> Effect:
    """For each value the release makes public now, the value public again after withdrawing
    it (the latest other published one), or none. Values a later release has replaced stay."""
    effect = Effect(counts(release))
    differs = (
        "(a.release_id IS NULL OR n.value IS DISTINCT FROM a.value OR n.numerator IS DISTINCT "
        "FROM a.numerator OR n.denominator IS DISTINCT FROM a.denominator "
        "OR n.status <> a.status)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {differs}), "
            f"count(*) FILTER (WHERE a.release_id IS NULL) {WITHDRAWAL}",
            {"release": release.pk},
        )
        effect.restored_count, effect.differing_count, effect.removed_count = cursor.fetchone()
        cursor.execute(
            "SELECT i.slug, d.code, d.name, k.year, n.value, n.numerator, n.denominator, "
            "n.status, a.release_id, a.value, a.numerator, a.denominator, a.status "
            f"{WITHDRAWAL} AND {differs} ORDER BY i.slug, k.year, d.code LIMIT %(listed)s",
            {"release": release.pk, "listed": staging.LISTED},
        )
        for slug, code, name, year, *now, earlier, v, n, d, status in cursor.fetchall():
            again = NONE if earlier is None else _shown(v, n, d, status)
            effect.restored.append(Change(0, slug, code, year, _shown(*now), again, name))
    return effect
