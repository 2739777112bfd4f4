"""Publishing and withdrawing releases: who may, and what the public sees afterwards."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from core import changes
from core.audit import record
from core.datastate import announce_change
from core.models import PendingChange
from indicators.models import Release, ThemeAccess

from .release_effect import withdraw_effect

PUBLISH_PERMISSION = "indicators.publish_release"
WITHDRAWAL = "indicators.withdraw_release"


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
    message = "veröffentlicht"
    if changes.enabled() and release.created_by_id:
        # The upload was the first pair of eyes, the publication is the second.
        message += f" (hochgeladen von {release.created_by}, veröffentlicht von {user})"
    record(user=user, obj=release, message=message)
    announce_change(sender=Release, wholesale=True)
    return release


def _published(release: Release) -> None:
    if release.status != Release.Status.PUBLISHED:
        raise ValueError(
            "Nur veröffentlichte Datenstände können zurückgezogen werden "
            f"(Status: {release.get_status_display()})."
        )


@transaction.atomic
def withdraw_release(*, release: Release, user=None, requested_by=None) -> Release:
    """Take a release back; the values that were public before it are public again.

    With ATLAS_FOUR_EYES a person withdraws only what another person asked for
    (``requested_by``, from an approved PendingChange); commands (no user) are not asked.
    """
    _check(user)
    if changes.enabled() and user is not None and getattr(requested_by, "pk", user.pk) == user.pk:
        raise PermissionDenied(
            "Vier-Augen-Prinzip: Den Rückzug muss eine zweite Person freigeben "
            "(Änderungen zur Freigabe)."
        )
    release = Release.objects.select_for_update().get(pk=release.pk)
    _themes(release, user)
    _published(release)
    release.status = Release.Status.WITHDRAWN
    release.withdrawn_at = timezone.now()
    release.save(update_fields=["status", "withdrawn_at"])
    message = "zurückgezogen"
    if requested_by is not None:
        message += f" (vorgelegt von {requested_by}, freigegeben von {user})"
    record(user=user, obj=release, message=message)
    announce_change(sender=Release, wholesale=True)
    return release


@transaction.atomic
def request_withdrawal(*, release: Release, user) -> PendingChange:
    """Under four eyes: ask a second person to withdraw a published release."""
    _check(user)
    release = Release.objects.select_for_update().get(pk=release.pk)
    _themes(release, user)
    _published(release)
    if waiting_withdrawal(release) is not None:
        raise ValueError("Der Rückzug dieses Datenstands wartet schon auf Freigabe.")
    return changes.submit(
        kind=WITHDRAWAL,
        user=user,
        target=f"Datenstand „{release}“",
        summary="zurückziehen: die vorher öffentlichen Werte gelten wieder",
        payload={"release": release.pk},
    )


def waiting_withdrawal(release: Release) -> PendingChange | None:
    """The withdrawal of the release waiting for a second person, if one is."""
    return PendingChange.objects.filter(
        kind=WITHDRAWAL, status=PendingChange.Status.PENDING, payload__release=release.pk
    ).first()


def _apply_withdrawal(change: PendingChange, *, user) -> None:
    release = Release.objects.filter(pk=change.payload["release"]).first()
    if release is None:
        raise changes.Stale("Den Datenstand gibt es nicht mehr.")
    withdraw_release(release=release, user=user, requested_by=change.requested_by)


# Values a second person sees before approving a withdrawal: each that would change, up to
# this many (the confirmation page of the withdrawal lists them all).
DESCRIBED_VALUES = 200


def _describe_withdrawal(change: PendingChange) -> list[changes.Line]:
    """The status, and what the public sees instead once the release is withdrawn: each value
    it makes public now, against the one public again (or none)."""
    release = Release.objects.filter(pk=change.payload["release"]).first()
    status = release.get_status_display() if release else "–"
    if release is None or release.status != Release.Status.PUBLISHED:
        return [changes.Line("Status", "veröffentlicht", "zurückgezogen", status)]
    effect = withdraw_effect(release)
    lines = [
        changes.Line("Status", "veröffentlicht", "zurückgezogen"),
        changes.Line(
            "Öffentliche Werte",
            f"{effect.restored_count} aus diesem Datenstand",
            f"{effect.differing_count} davon anders oder ohne Wert",
        ),
    ]
    for value in effect.restored[:DESCRIBED_VALUES]:
        field = f"{value.indicator} {value.year}, {value.place}"
        lines.append(changes.Line(field, value.old, value.new))
    return lines


def register_changes() -> None:
    """Withdrawals wait for a second person under four eyes (core/changes.py)."""
    changes.register(
        changes.Kind(
            name=WITHDRAWAL,
            label="Rückzug eines Datenstands",
            permission=PUBLISH_PERMISSION,
            apply=_apply_withdrawal,
            describe=_describe_withdrawal,
        )
    )
