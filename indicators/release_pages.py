"""The admin's pages that publish or withdraw one release: a confirmation that says what will
change in public, and a page afterwards that leads to the changed map."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core.changes import enabled as four_eyes_enabled

from .models import Release
from .services.release_effect import counts, publish_effect, withdraw_effect
from .services.releases import (
    PUBLISH_PERMISSION,
    publish_release,
    request_withdrawal,
    waiting_withdrawal,
    withdraw_release,
)

CONFIRM = "admin/indicators/release/confirm.html"
DONE = "admin/indicators/release/done.html"


def _release(model_admin, request, pk: int) -> Release:
    """The release, if the user may publish and see it (a department: its themes only)."""
    if not request.user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied
    return get_object_or_404(model_admin.get_queryset(request), pk=pk)


def _context(model_admin, request, release: Release, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": release,
        "release": release,
        "title": title,
    }


def _back(release: Release):
    return redirect(reverse("admin:indicators_release_change", args=[release.pk]))


def publish_view(model_admin, request, pk: int):
    """GET: what publishing the draft changes; POST: publish it."""
    release = _release(model_admin, request, pk)
    if request.method == "POST":
        try:
            publish_release(release=release, user=request.user)
        except (PermissionDenied, ValueError) as problem:
            messages.error(request, str(problem))
            return _back(release)
        messages.success(request, _("„%(title)s“ ist veröffentlicht.") % {"title": release})
        return redirect(reverse("admin:indicators_release_done", args=[release.pk]))
    if release.status != Release.Status.DRAFT:
        messages.error(request, _("Nur Entwürfe können veröffentlicht werden."))
        return _back(release)
    context = _context(model_admin, request, release, _("Veröffentlichen: %(title)s")
                       % {"title": release})  # fmt: skip
    # Under four eyes the uploader may not publish their own upload (services.releases).
    own = getattr(settings, "ATLAS_FOUR_EYES", False) and release.created_by_id == request.user.pk
    context.update(action="publish", effect=publish_effect(release), blocked=own)
    return TemplateResponse(request, CONFIRM, context)


def withdraw_view(model_admin, request, pk: int):
    """GET: which values go back to which earlier value; POST: withdraw (or, under four
    eyes, ask a second person to)."""
    release = _release(model_admin, request, pk)
    if request.method == "POST":
        try:
            if four_eyes_enabled():
                request_withdrawal(release=release, user=request.user)
                waiting = _(
                    "Der Rückzug ist zur Freigabe vorgelegt und wartet unter „Änderungen zur "
                    "Freigabe“ auf eine zweite Person."
                )
                messages.success(request, waiting)
                return _back(release)
            withdraw_release(release=release, user=request.user)
        except (PermissionDenied, ValueError) as problem:
            messages.error(request, str(problem))
            return _back(release)
        messages.success(request, _("„%(title)s“ ist zurückgezogen.") % {"title": release})
        return redirect(reverse("admin:indicators_release_done", args=[release.pk]))
    if release.status != Release.Status.PUBLISHED:
        messages.error(request, _("Nur veröffentlichte Datenstände können zurückgezogen werden."))
        return _back(release)
    context = _context(model_admin, request, release, _("Zurückziehen: %(title)s")
                       % {"title": release})  # fmt: skip
    context.update(action="withdraw", effect=withdraw_effect(release),
                   four_eyes=four_eyes_enabled(), waiting=waiting_withdrawal(release))  # fmt: skip
    return TemplateResponse(request, CONFIRM, context)


def changed_indicators(release: Release) -> set[str]:
    """The indicators whose public values differ with and without the release: those its
    publication or withdrawal changed (of the first listed changes)."""
    if release.status == Release.Status.PUBLISHED:
        changes = withdraw_effect(release).restored
    else:
        effect = publish_effect(release)
        changes = effect.preview.changed + effect.preview.lost
    return {change.indicator for change in changes if change.old != change.new}


def done_view(model_admin, request, pk: int):
    """After publishing or withdrawing: the release's state and its changed indicators on the
    map, in the latest year of each."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    release = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    latest = {}
    for count in counts(release):
        latest[count.indicator] = count  # the latest year of each indicator
    changed = changed_indicators(release)
    page = reverse("map")
    maps = [
        (count, f"{page}?{urlencode({'indicator': count.indicator, 'year': count.year})}")
        for count in latest.values()
    ]
    context = _context(model_admin, request, release, str(release))
    context.update(
        changed_maps=[(count, url) for count, url in maps if count.indicator in changed],
        other_maps=[(count, url) for count, url in maps if count.indicator not in changed],
    )
    return TemplateResponse(request, DONE, context)
