import datetime

from django.contrib.gis.db import models
from django.db.models import Count, Q


class LevelQuerySet(models.QuerySet):
    def with_current_counts(self):
        today = datetime.date.today()
        current = Q(districts__valid_from__lte=today) & (
            Q(districts__valid_to__isnull=True) | Q(districts__valid_to__gt=today)
        )
        return self.annotate(district_count=Count("districts", filter=current))


class DistrictQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)

    def current(self):
        return self.valid_on(datetime.date.today())

    def of_level(self, slug: str):
        return self.filter(level__slug=slug)
