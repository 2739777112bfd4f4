"""The admin's side of four eyes (edits that wait, the page where a second person decides),
and the stored source files of uploads."""

import logging
from pathlib import PurePosixPath

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import changes
from .importing import ImportRejected
from .models import PendingChange

logger = logging.getLogger(__name__)

# What an approval may raise when the change no longer fits; shown, never a 500.
REFUSALS = (PermissionDenied, ValueError, ValidationError, ImportRejected)


def refusal_text(problem: Exception) -> str:
    if isinstance(problem, ValidationError):
        if hasattr(problem, "message_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in problem.message_dict.items())
        return " ".join(problem.messages)
    if isinstance(problem, ImportRejected):
        return "; ".join(str(error) for error in problem.errors[:10])
    return str(problem)


def submitted(request, change: PendingChange | None, fallback: str):
    """The answer to a change that now waits: a message naming it, and where it waits."""
    if change is None:
        messages.info(request, _("Keine Änderung – nichts zur Freigabe vorgelegt."))
        return redirect(fallback)
    messages.success(
        request,
        _("Zur Freigabe vorgelegt: %(target)s – %(summary)s. Eine zweite Person gibt sie unter "
          "„Änderungen zur Freigabe“ frei.") % {"target": change.target, "summary": change.summary},
    )  # fmt: skip
    if request.user.has_perm("core.view_pendingchange"):
        return redirect("admin:core_pendingchange_changelist")
    return redirect(fallback)


class FourEyesMixin:
    """With ATLAS_FOUR_EYES, saving the change form submits the edit for a second person.

    The form is validated as always (Indicator.clean() and the disclosure floor included);
    only the save is replaced. Without four eyes the admin saves directly, as before.
    """

    def save_model(self, request, obj, form, change):
        if not changes.enabled():
            return super().save_model(request, obj, form, change)
        fields = {f.name for f in obj._meta.get_fields() if getattr(f, "concrete", False)}
        names = [n for n in (form.changed_data if change else form.fields) if n in fields]
        many = {
            name: [o.pk for o in form.cleaned_data[name]]
            for name in names
            if obj._meta.get_field(name).many_to_many
        }
        request.four_eyes_change = changes.submit_model_change(
            obj=obj, names=names, many=many, user=request.user
        )
        request.four_eyes_held = True

    def save_related(self, request, form, formsets, change):
        if getattr(request, "four_eyes_held", False):
            return
        super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        # Nothing was saved, so the formsets know no saved objects to describe.
        if getattr(request, "four_eyes_held", False):
            return []
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if not getattr(request, "four_eyes_held", False):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(request, "four_eyes_held", False):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "four_eyes_held", False):
            return submitted(request, request.four_eyes_change, self._changelist())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "four_eyes_held", False):
            return submitted(request, request.four_eyes_change, self._changelist())
        return super().response_change(request, obj)

    def _changelist(self) -> str:
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")


class SourceFileMixin:
    """An upload's stored source file (``source_file``), downloadable from its change page.

    The file lies among the uploaded files (MEDIA_ROOT), which no web server serves: it holds
    every raw value, withheld ones included. So the admin serves it, to those who may see the
    row, instead of Django's link into MEDIA_URL; and where the file is gone (a database
    restored without its files, MEDIA_ROOT moved) the page and the link say so in words.
    """

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["source_file_link" if name == "source_file" else name for name in fields]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "source_file"]

    def get_urls(self):
        meta = self.model._meta
        source = path(
            "<path:object_id>/quelldatei/",
            self.admin_site.admin_view(self.source_file_view),
            name=f"{meta.app_label}_{meta.model_name}_source",
        )
        return [source, *super().get_urls()]

    @admin.display(description=gettext_lazy("Quelldatei"))
    def source_file_link(self, obj):
        stored = obj.source_file
        if not stored:
            return "–"
        if not stored.storage.exists(stored.name):
            return format_html(
                "{} <strong>({})</strong>", _file_name(obj), _("fehlt im Dateispeicher")
            )
        return format_html('<a href="{}">{}</a>', self._url(obj, "source"), _file_name(obj))

    def source_file_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            messages.warning(request, _("Diesen Eintrag gibt es nicht (mehr)."))
            return redirect(self._url(None, "changelist"))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        stored = obj.source_file
        if not stored:
            messages.info(request, _("Zu diesem Eintrag ist keine Quelldatei gespeichert."))
            return redirect(self._url(obj, "change"))
        try:
            handle = stored.storage.open(stored.name, "rb")
        except FileNotFoundError:
            logger.warning("source file missing from the storage: %s", stored.name)
            messages.error(request, missing_source_message(obj))
            return redirect(self._url(obj, "change"))
        return FileResponse(handle, as_attachment=True, filename=_file_name(obj))

    def _url(self, obj, view: str) -> str:
        meta = self.model._meta
        args = [] if obj is None else [obj.pk]
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def _file_name(obj) -> str:
    return obj.source_filename or PurePosixPath(obj.source_file.name).name


def missing_source_message(obj) -> str:
    return _(
        "Die Quelldatei „%(name)s“ fehlt im Dateispeicher (erwartet als %(stored)s unter den "
        "hochgeladenen Dateien). Was aus ihr importiert wurde, ist davon nicht betroffen. Die "
        "Datei lässt sich aus einer Sicherung wiederherstellen."
    ) % {"name": _file_name(obj), "stored": obj.source_file.name}


class KindFilter(admin.SimpleListFilter):
    """The kinds by their German names, as the apps registered them."""

    title = _("Art")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.name, kind.label) for kind in changes.kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    list_display = ["target", "status", "summary", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status", KindFilter]
    list_select_related = ["requested_by", "decided_by"]
    search_fields = ["target", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Changes are decided on the review page, never edited.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        decide = path(
            "<int:pk>/entscheiden/",
            self.admin_site.admin_view(self.decide_view),
            name="core_pendingchange_decide",
        )
        return [decide, *super().get_urls()]

    def get_ordering(self, request):
        # Waiting changes first, the newest on top.
        waiting = Case(When(status=PendingChange.Status.PENDING, then=Value(0)), default=Value(1))
        return [waiting, "-requested_at"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = get_object_or_404(PendingChange, pk=object_id)
        if not self.has_view_permission(request, change):
            raise PermissionDenied
        try:
            lines = changes.describe(change)
        except LookupError as problem:
            lines, problem_text = [], str(problem)
        else:
            problem_text = ""
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Änderung zur Freigabe"),
            "change": change,
            "lines": lines,
            "stale": any(line.current is not None for line in lines),
            "problem": problem_text,
            "own": change.requested_by_id == user.pk,
            "may_approve": change.is_pending
            and change.requested_by_id != user.pk
            and user.has_perm(changes.APPROVE_PERMISSION),
            "may_reject": change.is_pending
            and (change.requested_by_id == user.pk or user.has_perm(changes.APPROVE_PERMISSION)),
        }
        return TemplateResponse(request, "admin/core/pendingchange/review.html", context)

    def decide_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        change = get_object_or_404(PendingChange, pk=pk)
        # Refused before anything is said about the change: its summary is not for everyone.
        if not self.has_view_permission(request, change):
            raise PermissionDenied
        review = reverse("admin:core_pendingchange_change", args=[change.pk])
        try:
            if "approve" in request.POST:
                changes.approve(change=change, user=request.user)
                messages.success(
                    request, _("Freigegeben: %(change)s") % {"change": self._named(change)}
                )
            else:
                changes.reject(
                    change=change, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request, _("Abgelehnt: %(change)s") % {"change": self._named(change)}
                )
        except REFUSALS as problem:
            refused = _("Nicht freigegeben") if "approve" in request.POST else _("Nicht abgelehnt")
            messages.error(
                request,
                f"{refused}: {self._named(change)} – {refusal_text(problem)}",
            )
            return redirect(review)
        return redirect("admin:core_pendingchange_changelist")

    @staticmethod
    def _named(change: PendingChange) -> str:
        return f"{change.target} ({change.summary})"
