"""Publishing and withdrawing releases: who may, and what the public sees afterwards."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from core.audit import record
from indicators.models import Release, ThemeAccess

PUBLISH_PERMISSION = "indicators.publish_release"


def _check(user) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Keine Berechtigung, Datenstände zu veröffentlichen.")


def _themes(release: Release, user) -> None:
    """A department may only publish or withdraw releases within its own themes."""
    if user is None or user.has_perm("indicators.import_all_themes"):
        return
    allowed = set(ThemeAccess.objects.filter(group__user=user).values_list("theme_id", flat=True))
    used = set(release.observations.values_list("indicator__theme_id", flat=True).distinct())
    if used - allowed:
        raise PermissionDenied("Der Datenstand enthält Werte von Themenfeldern ohne Freigabe.")


def _superseded(release: Release) -> None:
    """Refuse a draft whose values a later release has already replaced in public."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 1 FROM indicators_observation a
            JOIN indicators_observation b ON a.indicator_id = b.indicator_id
                 AND a.district_id = b.district_id AND a.year = b.year
            JOIN indicators_release r ON r.id = b.release_id
            WHERE a.release_id = %s AND r.status = 'published' AND r.created_at > %s
            LIMIT 1
            """,
            [release.pk, release.created_at],
        )
        if cursor.fetchone():
            raise ValueError(
                "Ein später angelegter Datenstand mit denselben Werten ist schon veröffentlicht; "
                "dieser ältere Entwurf würde ihn überschreiben."
            )


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


def _refresh_public_data() -> None:
    # The map's files of the new state (atlas/publicdata.py); imported here, the site layer
    # imports this module.
    from atlas.publicdata import refresh_after_change

    refresh_after_change()


@transaction.atomic
def publish_release(*, release: Release, user=None) -> Release:
    """Make a draft public; its values replace older published ones from now on."""
    _check(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _four_eyes(release, user)
    _themes(release, user)
    if release.status != Release.Status.DRAFT:
        raise ValueError(
            f"Nur Entwürfe können veröffentlicht werden (Status: {release.get_status_display()})."
        )
    _superseded(release)
    release.status = Release.Status.PUBLISHED
    release.published_at = timezone.now()
    release.published_by = user
    release.save(update_fields=["status", "published_at", "published_by"])
    record(user=user, obj=release, message="veröffentlicht")
    transaction.on_commit(_refresh_public_data)
    return release


@transaction.atomic
def withdraw_release(*, release: Release, user=None) -> Release:
    """Take a release back; the values that were public before it are public again."""
    _check(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _themes(release, user)
    if release.status != Release.Status.PUBLISHED:
        raise ValueError("Nur veröffentlichte Datenstände können zurückgezogen werden.")
    release.status = Release.Status.WITHDRAWN
    release.withdrawn_at = timezone.now()
    release.save(update_fields=["status", "withdrawn_at"])
    record(user=user, obj=release, message="zurückgezogen")
    transaction.on_commit(_refresh_public_data)
    return release
