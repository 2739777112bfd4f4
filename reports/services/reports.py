"""Writing reports: publishing and taking back (four eyes: what the public reads changes), and
loading reports from a file (the demo's)."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import changes
from core.audit import record
from core.models import PendingChange
from districts.models import District
from indicators.models import Release

from .. import blocks
from ..build import revision
from ..models import Block, Chapter, Report

PUBLISH_PERMISSION = "reports.publish_report"
PUBLICATION = "report-publication"
STATUS_LABELS = {Report.Status.PUBLISHED: "veröffentlicht", Report.Status.DRAFT: "Entwurf"}


def newest_release() -> Release | None:
    return Release.objects.filter(status=Release.Status.PUBLISHED).order_by("-published_at").first()


def _check(user) -> None:
    if user is not None and not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Keine Berechtigung, Berichte zu veröffentlichen.")


def check_blocks(report: Report) -> None:
    """Every block's settings, checked as the editor checks them; a ValidationError names the
    chapter, block and field."""
    for block in Block.objects.filter(chapter__report=report).select_related("chapter"):
        try:
            blocks.check(block.kind, block.settings)
        except ValidationError as error:
            raise ValidationError(
                f"Kapitel „{block.chapter.heading}“, Baustein {block.position} "
                f"({block.get_kind_display()}): {'; '.join(error.messages)}"
            ) from error


@transaction.atomic
def set_status(*, report: Report, status: str, user=None, requested_by=None) -> Report:
    """Publish a report (pinned to its release, or to the newest one now) or take it back.

    With ATLAS_FOUR_EYES a person applies only what another person asked for
    (``requested_by``); commands (no user) are not asked.
    """
    _check(user)
    if changes.enabled() and user is not None and getattr(requested_by, "pk", user.pk) == user.pk:
        raise PermissionDenied(
            "Vier-Augen-Prinzip: Das muss eine zweite Person freigeben (Änderungen zur Freigabe)."
        )
    report = Report.objects.select_for_update().get(pk=report.pk)
    if status == Report.Status.PUBLISHED:
        check_blocks(report)
        if report.release_id is None:
            report.release = newest_release()
        report.published_at = timezone.now()
        report.published_by = user
    report.status = status
    report.save()
    message = STATUS_LABELS[status]
    if requested_by is not None:
        message += f" (vorgelegt von {requested_by}, freigegeben von {user})"
    record(user=user, obj=report, message=message)
    return report


@transaction.atomic
def request_status(*, report: Report, status: str, user) -> PendingChange:
    """Under four eyes: ask a second person to publish or take back a report."""
    _check(user)
    if status == Report.Status.PUBLISHED:
        check_blocks(report)
    if waiting_change(report) is not None:
        raise ValueError("Für diesen Bericht wartet schon eine Änderung auf Freigabe.")
    return changes.submit(
        kind=PUBLICATION,
        user=user,
        target=f"Bericht „{report}“",
        summary=f"Status: {STATUS_LABELS[status]}",
        # What the second person approves is the report as it stands now: an edit made while
        # the change waits makes it stale.
        payload={"report": report.pk, "status": status, "revision": revision(report)},
    )


def waiting_change(report: Report) -> PendingChange | None:
    return PendingChange.objects.filter(
        kind=PUBLICATION, status=PendingChange.Status.PENDING, payload__report=report.pk
    ).first()


def _apply(change: PendingChange, *, user) -> Report:
    report = Report.objects.filter(pk=change.payload["report"]).first()
    if report is None:
        raise changes.Stale("Den Bericht gibt es nicht mehr.")
    if change.payload.get("revision", revision(report)) != revision(report):
        raise changes.Stale(
            "Der Bericht wurde geändert, seit er zur Freigabe vorgelegt wurde; er muss neu "
            "vorgelegt werden."
        )
    return set_status(
        report=report, status=change.payload["status"], user=user, requested_by=change.requested_by
    )


def _describe(change: PendingChange) -> list[changes.Line]:
    report = Report.objects.filter(pk=change.payload["report"]).first()
    new = STATUS_LABELS.get(change.payload["status"], change.payload["status"])
    if report is None:
        return [changes.Line("Status", "–", new)]
    state = report.release.title if report.release_id else "neuester Datenstand beim Freigeben"
    return [
        changes.Line("Status", report.get_status_display(), new),
        changes.Line("Datenstand", "", state),
        changes.Line("Kapitel", "", str(report.chapters.count())),
    ]


def register_changes() -> None:
    changes.register(
        changes.Kind(
            name=PUBLICATION,
            label="Veröffentlichung eines Berichts",
            permission=PUBLISH_PERMISSION,
            apply=_apply,
            describe=_describe,
        )
    )


@transaction.atomic
def load_reports(*, path: Path, is_demo: bool = False) -> int:
    """Reports from a JSON file (title, slug, author, bezirk code, chapters with blocks), each
    replacing the report of its slug, published on the newest release."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["reports"]:
        Report.objects.filter(slug=entry["slug"]).delete()
        bezirk = None
        if entry.get("bezirk"):
            bezirk = District.objects.current().get(level__slug="stadtbezirk", code=entry["bezirk"])
        report = Report.objects.create(
            slug=entry["slug"],
            title=entry["title"],
            title_en=entry.get("title_en", ""),
            author=entry["author"],
            bezirk=bezirk,
            is_demo=is_demo,
        )
        for position, chapter in enumerate(entry["chapters"], 1):
            saved = Chapter.objects.create(
                report=report,
                position=position,
                heading=chapter["heading"],
                heading_en=chapter.get("heading_en", ""),
                text=chapter.get("text", ""),
                text_en=chapter.get("text_en", ""),
            )
            for number, block in enumerate(chapter.get("blocks", []), 1):
                settings = blocks.check(block["kind"], block["settings"])
                Block.objects.create(
                    chapter=saved, position=number, kind=block["kind"], settings=settings
                )
        set_status(report=report, status=Report.Status.PUBLISHED)
    return len(data["reports"])
