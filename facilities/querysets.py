import datetime

from django.contrib.gis.db import models
from django.db.models import Q


class FacilityQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        """Facilities open on the day: opened on or before it, closed (if at all) after it."""
        return self.filter(
            Q(opened_on__isnull=True) | Q(opened_on__lte=day),
            Q(closed_on__isnull=True) | Q(closed_on__gt=day),
        )

    def open_in(self, year: int):
        """Facilities that existed at the end of the year (31 Dec), as every indicator counts."""
        return self.open_on(datetime.date(year, 12, 31))
