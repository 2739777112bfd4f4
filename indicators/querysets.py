import datetime

from django.db import models


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
