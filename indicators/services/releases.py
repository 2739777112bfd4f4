"""Publishing and withdrawing releases: who may, and what the public sees afterwards."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from indicators.models import Release

PUBLISH_PERMISSION = "indicators.publish_release"


def _check(user) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Keine Berechtigung, Datenstände zu veröffentlichen.")


@transaction.atomic
def publish_release(*, release: Release, user=None) -> Release:
    """Make a draft public; its values replace older published ones from now on."""
    _check(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != Release.Status.DRAFT:
        raise ValueError(f"Nur Entwürfe können veröffentlicht werden (Status: {release.status}).")
    release.status = Release.Status.PUBLISHED
    release.published_at = timezone.now()
    release.published_by = user
    release.save(update_fields=["status", "published_at", "published_by"])
    return release


@transaction.atomic
def withdraw_release(*, release: Release, user=None) -> Release:
    """Take a release back; the values that were public before it are public again."""
    _check(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != Release.Status.PUBLISHED:
        raise ValueError("Nur veröffentlichte Datenstände können zurückgezogen werden.")
    release.status = Release.Status.WITHDRAWN
    release.withdrawn_at = timezone.now()
    release.save(update_fields=["status", "withdrawn_at"])
    return release
