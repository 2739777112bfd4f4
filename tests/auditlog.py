"""The admin log's entries for one object (an id alone also matches other models' rows)."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType


def entries_of(obj):
    """The object's log entries, oldest first."""
    kind = ContentType.objects.get_for_model(obj)
    return LogEntry.objects.filter(content_type=kind, object_id=str(obj.pk)).order_by("action_time")
