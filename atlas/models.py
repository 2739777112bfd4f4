"""The version of the public data: one row, counted up by the database on every change.

Triggers (migration ``atlas.0001``) bump it in the same transaction as any write to the
tables the public data interfaces depend on (``atlas.httpcache.TRACKED_MODELS``), so a
reader sees the new version exactly when it sees the new data. Reading it is one indexed
row; ``atlas.httpcache.data_state`` computes the full state only when it moved.
"""

from django.db import models


class DataVersion(models.Model):
    """The single row (id 1) that the triggers create when it is missing."""

    version = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "Datenstand"
        verbose_name_plural = "Datenstand"

    def __str__(self) -> str:
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
