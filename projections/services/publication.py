"""Publishing and withdrawing projection runs, under four eyes as releases are.

Without ATLAS_FOUR_EYES a planner with the permission publishes and withdraws directly. With
it, the admin only asks (``request_publication``, ``request_withdrawal``): a second person
approves the PendingChange (core/changes.py), which refuses its author; publishing also
refuses the person who started the run. A run whose calibration failed is never published.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import changes
from core.audit import record
from core.models import PendingChange
from projections.models import ProjectionRun

PUBLISH_PERMISSION = "projections.publish_projectionrun"
PUBLICATION = "projections.publish_run"
WITHDRAWAL = "projections.withdraw_run"


def _check(user) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Keine Berechtigung, Vorausberechnungen zu veröffentlichen.")


def _draft(run: ProjectionRun) -> None:
    if run.status != ProjectionRun.Status.DRAFT:
        raise ValueError(
            f"Nur Entwürfe können veröffentlicht werden (Status: {run.get_status_display()})."
        )


def _calibrated(run: ProjectionRun) -> None:
    """Refuse a run whose intervals the backtest could not calibrate."""
    if run.calibrated:
        return
    problems = run.calibration.get("problems") or ["Die Kalibrierung fehlt."]
    raise ValueError(
        "Veröffentlichung abgelehnt: Die Intervalle dieser Vorausberechnung sind nicht "
        "kalibriert. " + " ".join(problems)
    )


def _published(run: ProjectionRun) -> None:
    if run.status != ProjectionRun.Status.PUBLISHED:
        raise ValueError(
            "Nur veröffentlichte Vorausberechnungen können zurückgezogen werden "
            f"(Status: {run.get_status_display()})."
        )


def _second_person(user, requested_by, what: str) -> None:
    if changes.enabled() and user is not None and getattr(requested_by, "pk", user.pk) == user.pk:
        raise PermissionDenied(
            f"Vier-Augen-Prinzip: {what} muss eine zweite Person freigeben "
            "(Änderungen zur Freigabe)."
        )


@transaction.atomic
def publish_run(*, run: ProjectionRun, user=None, requested_by=None) -> ProjectionRun:
    """Make a calibrated draft public. Under four eyes only as the approval of another
    person's request (``requested_by``), and never by the person who started the run;
    commands (no user) are not asked."""
    _check(user)
    _second_person(user, requested_by, "Die Veröffentlichung")
    run = ProjectionRun.objects.select_for_update().get(pk=run.pk)
    if changes.enabled() and user is not None and run.created_by_id == user.pk:
        raise PermissionDenied(
            "Vier-Augen-Prinzip: Wer die Vorausberechnung gestartet hat, darf sie nicht freigeben."
        )
    _draft(run)
    _calibrated(run)
    run.status = ProjectionRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = user
    run.save(update_fields=["status", "published_at", "published_by"])
    message = "veröffentlicht"
    if requested_by is not None:
        message += f" (vorgelegt von {requested_by}, freigegeben von {user})"
    record(user=user, obj=run, message=message)
    return run


@transaction.atomic
def withdraw_run(*, run: ProjectionRun, user=None, requested_by=None) -> ProjectionRun:
    """Take a published run back; under four eyes only as another person's approval."""
    _check(user)
    _second_person(user, requested_by, "Den Rückzug")
    run = ProjectionRun.objects.select_for_update().get(pk=run.pk)
    _published(run)
    run.status = ProjectionRun.Status.WITHDRAWN
    run.withdrawn_at = timezone.now()
    run.save(update_fields=["status", "withdrawn_at"])
    message = "zurückgezogen"
    if requested_by is not None:
        message += f" (vorgelegt von {requested_by}, freigegeben von {user})"
    record(user=user, obj=run, message=message)
    return run


def waiting(run: ProjectionRun) -> PendingChange | None:
    """The publication or withdrawal of the run waiting for a second person, if one is."""
    return PendingChange.objects.filter(
        kind__in=[PUBLICATION, WITHDRAWAL],
        status=PendingChange.Status.PENDING,
        payload__run=run.pk,
    ).first()


def _ask(run: ProjectionRun, user, kind: str, summary: str) -> PendingChange:
    if waiting(run) is not None:
        raise ValueError("Für diese Vorausberechnung wartet schon eine Änderung auf Freigabe.")
    return changes.submit(
        kind=kind,
        user=user,
        target=f"Vorausberechnung „{run}“",
        summary=summary,
        payload={"run": run.pk},
    )


@transaction.atomic
def request_publication(*, run: ProjectionRun, user) -> PendingChange:
    """Under four eyes: ask a second person to publish a calibrated draft."""
    _check(user)
    run = ProjectionRun.objects.select_for_update().get(pk=run.pk)
    _draft(run)
    _calibrated(run)
    return _ask(run, user, PUBLICATION, "veröffentlichen: wird die öffentliche Vorausberechnung")


@transaction.atomic
def request_withdrawal(*, run: ProjectionRun, user) -> PendingChange:
    """Under four eyes: ask a second person to withdraw a published run."""
    _check(user)
    run = ProjectionRun.objects.select_for_update().get(pk=run.pk)
    _published(run)
    return _ask(run, user, WITHDRAWAL, "zurückziehen: nicht mehr öffentlich")


def _run_of(change: PendingChange) -> ProjectionRun:
    run = ProjectionRun.objects.filter(pk=change.payload["run"]).first()
    if run is None:
        raise changes.Stale("Die Vorausberechnung gibt es nicht mehr.")
    return run


def _apply_publication(change: PendingChange, *, user) -> None:
    publish_run(run=_run_of(change), user=user, requested_by=change.requested_by)


def _apply_withdrawal(change: PendingChange, *, user) -> None:
    withdraw_run(run=_run_of(change), user=user, requested_by=change.requested_by)


def _describe(old: str, new: str):
    def describe(change: PendingChange) -> list[changes.Line]:
        run = ProjectionRun.objects.filter(pk=change.payload["run"]).first()
        if run is None:
            return [changes.Line("Status", old, new, "–")]
        status = run.get_status_display()
        calibration = run.calibration.get("pooled", {})
        coverage = ", ".join(f"{level} %: {value:.1f} %" for level, value in calibration.items())
        return [
            changes.Line("Status", old, new, None if status == old else status),
            changes.Line("Kalibrierung", "–", "bestanden" if run.calibrated else "nicht bestanden"),
            changes.Line("Abdeckung im Backtest", "–", coverage or "–"),
            changes.Line("Prüfsumme der Eingangsdaten", "–", run.inputs_digest[:16]),
        ]

    return describe


def register_changes() -> None:
    """Publications and withdrawals wait for a second person under four eyes."""
    changes.register(
        changes.Kind(
            name=PUBLICATION,
            label="Veröffentlichung einer Vorausberechnung",
            permission=PUBLISH_PERMISSION,
            apply=_apply_publication,
            describe=_describe("Entwurf", "veröffentlicht"),
        )
    )
    changes.register(
        changes.Kind(
            name=WITHDRAWAL,
            label="Rückzug einer Vorausberechnung",
            permission=PUBLISH_PERMISSION,
            apply=_apply_withdrawal,
            describe=_describe("veröffentlicht", "zurückgezogen"),
        )
    )
