"""Projection runs in the admin: the list, a small form that starts a run, each run's
calibration and backtest, and its publication or withdrawal (under four eyes a request for a
second person). Everything writes through projections/services."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import changes
from core.admin import REFUSALS, refusal_text
from core.numbers import years_text

from .models import HousingImport, ProjectionRun, RegisterCell, RegisterImport
from .selectors import accuracy_of
from .services import publication
from .services.queue import queue_run
from .upload import housing_upload_view, register_upload_view


class StartForm(forms.Form):
    base_year = forms.IntegerField(label=gettext_lazy("Basisjahr"), min_value=1990, max_value=2200)
    horizon = forms.IntegerField(
        label=gettext_lazy("Jahre voraus"), min_value=1, max_value=30, initial=16
    )
    trajectories = forms.IntegerField(
        label=gettext_lazy("Simulationen"),
        min_value=10,
        max_value=5000,
        initial=1000,
        help_text=gettext_lazy("1.000 Simulationen brauchen etwa eine Minute."),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Startwert des Zufallsgenerators"),
        min_value=0,
        initial=0,
        help_text=gettext_lazy("Derselbe Startwert ergibt mit denselben Daten dieselben Zahlen."),
    )


@admin.register(ProjectionRun)
class ProjectionRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "calibration_state", "is_demo", "created_at",
                    "created_by", "published_at", "seconds"]  # fmt: skip
    list_filter = ["status", "is_demo"]
    fields = ["base_year", "horizon", "scenarios", "trajectories", "backtest_trajectories",
              "seed", "inputs_digest", "status", "created_at", "created_by", "published_at",
              "published_by", "withdrawn_at", "started_at", "seconds", "error",
              "is_demo"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Kalibrierung"), boolean=True)
    def calibration_state(self, obj):
        # A run not computed yet has no calibration to pass or fail.
        return obj.calibrated if obj.inputs_digest else None

    def get_queryset(self, request):
        # The list never needs the stored arrays.
        return super().get_queryset(request).select_related("created_by")

    def has_change_permission(self, request, obj=None):
        # A run is what it computed; it changes only by publication or withdrawal.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path("starten/", self.admin_site.admin_view(self.start_view),
                 name="projections_projectionrun_start"),
            path("<int:pk>/veroeffentlichen/", self.admin_site.admin_view(self.publish_view),
                 name="projections_projectionrun_publish"),
            path("<int:pk>/zurueckziehen/", self.admin_site.admin_view(self.withdraw_view),
                 name="projections_projectionrun_withdraw"),
            path("register-hochladen/",
                 self.admin_site.admin_view(partial(register_upload_view, self)),
                 name="projections_projectionrun_register_upload"),
            path("wohnungen-hochladen/",
                 self.admin_site.admin_view(partial(housing_upload_view, self)),
                 name="projections_projectionrun_housing_upload"),
        ]  # fmt: skip
        return [*own, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        # The short title: the default "… zum Ansehen auswählen" runs under the upload links.
        context = {"title": self.model._meta.verbose_name_plural, **(extra_context or {})}
        return super().changelist_view(request, context)

    def add_view(self, request, form_url="", extra_context=None):
        # Adding a run is computing one.
        return self.start_view(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if run is not None:
            context.update(
                run=run,
                calibration=run.calibration,
                accuracy=accuracy_of(run),
                may_publish=request.user.has_perm(publication.PUBLISH_PERMISSION),
                waiting=publication.waiting(run),
                four_eyes=changes.enabled(),
            )
        return super().change_view(request, object_id, form_url, context)

    def _context(self, request, title: str) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta,
                "title": title}  # fmt: skip

    def start_view(self, request):
        """GET: the form; POST: queue the run for the worker (``run_projections``) and go to
        the list, where its status shows."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        register = RegisterImport.objects.select_related("created_by").first()
        form = StartForm(request.POST or None, initial={"base_year": self._last_year()})
        if request.method == "POST" and form.is_valid():
            try:
                run = queue_run(user=request.user, **form.cleaned_data)
            except ValueError as problem:
                form.add_error(None, str(problem))
            else:
                messages.success(
                    request,
                    _("Vorausberechnung „%(run)s“ eingereiht: Sie wird im Hintergrund gerechnet; "
                      "ihr Stand steht in der Liste.") % {"run": run},
                )  # fmt: skip
                return redirect("admin:projections_projectionrun_changelist")
        context = self._context(request, _("Vorausberechnung starten"))
        context.update(
            form=form,
            register=register,
            register_years=self._register_years() if register else "",
            housing=HousingImport.objects.select_related("created_by").first(),
        )
        return TemplateResponse(request, "admin/projections/projectionrun/start.html", context)

    @staticmethod
    def _register_years() -> str:
        years = RegisterCell.objects.values_list("year", flat=True).distinct().order_by("year")
        return years_text(list(years))

    @staticmethod
    def _last_year():
        return RegisterCell.objects.order_by("-year").values_list("year", flat=True).first()

    def _confirm(self, request, pk: int, action: str):
        if not request.user.has_perm(publication.PUBLISH_PERMISSION):
            raise PermissionDenied
        run = get_object_or_404(ProjectionRun, pk=pk)
        back = reverse("admin:projections_projectionrun_change", args=[run.pk])
        if request.method == "POST":
            try:
                if changes.enabled():
                    ask = (publication.request_publication if action == "publish"
                           else publication.request_withdrawal)  # fmt: skip
                    ask(run=run, user=request.user)
                    messages.success(
                        request,
                        _("Zur Freigabe vorgelegt; eine zweite Person entscheidet unter "
                          "„Änderungen zur Freigabe“."),
                    )  # fmt: skip
                elif action == "publish":
                    publication.publish_run(run=run, user=request.user)
                    messages.success(request, _("„%(run)s“ ist veröffentlicht.") % {"run": run})
                else:
                    publication.withdraw_run(run=run, user=request.user)
                    messages.success(request, _("„%(run)s“ ist zurückgezogen.") % {"run": run})
            except REFUSALS as problem:
                messages.error(request, refusal_text(problem))
            return redirect(back)
        title = _("Veröffentlichen") if action == "publish" else _("Zurückziehen")
        context = self._context(request, f"{title}: {run}")
        context.update(run=run, action=action, four_eyes=changes.enabled(), back=back,
                       waiting=publication.waiting(run))  # fmt: skip
        return TemplateResponse(request, "admin/projections/projectionrun/confirm.html", context)

    def publish_view(self, request, pk: int):
        return self._confirm(request, pk, "publish")

    def withdraw_view(self, request, pk: int):
        return self._confirm(request, pk, "withdraw")
