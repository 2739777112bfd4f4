import contextlib
import datetime
from contextvars import ContextVar

from django.db import models

# A view pinned to a release (an embedded map) sees only what was published up to it.
_PUBLISHED_UNTIL: ContextVar[datetime.datetime | None] = ContextVar("published_until", default=None)


@contextlib.contextmanager
def published_until(moment: datetime.datetime | None):
    """Within the block, "published" means published at or before ``moment``."""
    token = _PUBLISHED_UNTIL.set(moment)
    try:
        yield
    finally:
        _PUBLISHED_UNTIL.reset(token)


def pinned_until() -> datetime.datetime | None:
    """The moment reads are pinned to (see published_until), or None for the current state."""
    return _PUBLISHED_UNTIL.get()


class ObservationQuerySet(models.QuerySet):
    def published(self):
        observations = self.filter(release__status="published")
        until = _PUBLISHED_UNTIL.get()
        if until is not None:
            observations = observations.filter(release__published_at__lte=until)
        return observations

    def latest_per_key(self):
        """One observation per indicator × district × year: the most recently published one."""
        return self.order_by(
            "indicator_id", "district_id", "year", "-release__published_at", "-release_id"
        ).distinct("indicator_id", "district_id", "year")
