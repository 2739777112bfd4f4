import datetime

from django.db import models

# The value public now for an indicator, district and year is the latest published release's;
# as SQL for the statements the ORM cannot say (staging tables, per-key lookups). Observations
# are ``o``, their releases ``r``.
LATEST_FIRST = "r.published_at DESC, r.id DESC"
PUBLISHED_FROM = (
    "FROM indicators_observation o JOIN indicators_release r ON r.id = o.release_id "
    "{joins} WHERE r.status = 'published' {where}"
)


def latest_published_sql(columns: str, *, joins: str = "", where: str = "") -> str:
    """SELECT ``columns`` of the value public now per indicator, district and year, among the
    observations ``joins`` and ``where`` (SQL starting with AND) leave."""
    return (
        f"SELECT DISTINCT ON (o.indicator_id, o.district_id, o.year) {columns} "
        + PUBLISHED_FROM.format(joins=joins, where=where)
        + f" ORDER BY o.indicator_id, o.district_id, o.year, {LATEST_FIRST}"
    )


def published_at_key_sql(columns: str, *, where: str = "") -> str:
    """SELECT ``columns`` of the value public now at the key of the row ``k`` (indicator,
    district, year): for a LATERAL join, one index lookup per key."""
    return (
        f"SELECT {columns} "
        + PUBLISHED_FROM.format(
            joins="",
            where="AND o.indicator_id = k.indicator_id AND o.district_id = k.district_id "
            f"AND o.year = k.year {where}",
        )
        + f" ORDER BY {LATEST_FIRST} LIMIT 1"
    )


class ObservationQuerySet(models.QuerySet):
    def published(self, *, as_of: datetime.datetime | None = None):
        """Observations of published releases; with ``as_of``, only of those published at or
        before that moment (a view pinned to a release, such as an embedded map)."""
        observations = self.filter(release__status="published")
        if as_of is not None:
            observations = observations.filter(release__published_at__lte=as_of)
        return observations

    def latest_per_key(self):
        """One observation per indicator × district × year: the most recently published one."""
        return self.order_by(
            "indicator_id", "district_id", "year", "-release__published_at", "-release_id"
        ).distinct("indicator_id", "district_id", "year")
