"""Recording what statisticians did, in Django's admin log (shown under "Geschichte")."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry


def record(*, user, obj, message: str, added: bool = False) -> None:
    """One entry in the audit log; actions without a user (commands) are not logged there."""
    if user is None or not getattr(user, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=ADDITION if added else CHANGE,
        change_message=message,
        single_object=True,
    )
