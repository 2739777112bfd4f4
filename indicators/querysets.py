from django.db import models


class ObservationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(release__status="published")

    def latest_per_key(self):
        """One observation per indicator × district × year: the most recently published one."""
        return self.order_by(
            "indicator_id", "district_id", "year", "-release__published_at", "-release_id"
        ).distinct("indicator_id", "district_id", "year")
