"""Publishing and withdrawing releases: who may, and what the public sees afterwards."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from atlas.audit import record
from indicators.models import Release

PUBLISH_PERMISSION = "indicators.publish_release"


def _check(user) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Keine Berechtigung, Datenstände zu veröffentlichen.")


def _four_eyes(release: Release, user) -> None:
    """With ATLAS_FOUR_EYES, the person who uploaded a release may not publish it too."""
    if (
        getattr(settings, "ATLAS_FOUR_EYES", False)
        and user is not None
        and release.created_by_id == user.pk
    ):
        raise PermissionDenied(
            "Vier-Augen-Prinzip: Ein anderer Statistiker muss diesen Datenstand veröffentlichen."
        )


@transaction.atomic
def publish_release(*, release: Release, user=None) -> Release:
    """Make a draft public; its values replace older published ones from now on."""
    _check(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _four_eyes(release, user)
    if release.status != Release.Status.DRAFT:
        raise ValueError(f"Nur Entwürfe können veröffentlicht werden (Status: {release.status}).")
    release.status = Release.Status.PUBLISHED
    release.published_at = timezone.now()
    release.published_by = user
    release.save(update_fields=["status", "published_at", "published_by"])
    record(user=user, obj=release, message="veröffentlicht")
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
    record(user=user, obj=release, message="zurückgezogen")
    return release
