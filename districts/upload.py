"""The admin's boundary upload: check a file (nothing written), then confirm the import."""

import dataclasses
import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import changes
from core.admin import submitted
from core.audit import record
from core.importing import ImportRejected
from core.models import PendingChange
from core.uploads import keep, pending_path

from .models import Level

TEMPLATE = "admin/districts/district/upload.html"


class BoundaryForm(forms.Form):
    level = forms.ModelChoiceField(Level.objects.all(), label=_("Gebietsebene"))
    valid_from = forms.DateField(
        label=_("gültig ab"), initial=datetime.date.today, help_text=_("TT.MM.JJJJ")
    )
    code_field = forms.CharField(label=_("Spalte mit dem Schlüssel"), initial="code")
    name_field = forms.CharField(label=_("Spalte mit dem Namen"), initial="name")
    srid = forms.IntegerField(
        label=_("EPSG-Code (nur wenn die Datei keinen hat)"), required=False, min_value=1
    )
    file = forms.FileField(
        label=_("Datei"), help_text=_("GeoJSON, GeoPackage oder Shapefile als ZIP")
    )


def _run(form_data: dict, path, *, dry_run: bool):
    # Imported here, with the first upload: the boundary import brings geopandas and pandas,
    # which took every process that starts Django (the admin loads this module) a second.
    from .services.boundaries import import_boundaries

    return import_boundaries(
        path=path,
        level=form_data["level"],
        valid_from=form_data["valid_from"],
        code_field=form_data["code_field"],
        name_field=form_data["name_field"],
        srid=form_data["srid"],
        dry_run=dry_run,
    )


def boundary_upload_view(model_admin, request):
    """Upload and check, then import: new versions, web geometries and overlaps in one go."""
    if not request.user.has_perm("districts.change_district"):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": _("Grenzen hochladen")}  # fmt: skip
    form = BoundaryForm(request.POST or None, request.FILES or None)
    if "token" in request.POST:
        form = BoundaryForm(request.POST)
        form.fields["file"].required = False
    if request.method != "POST" or not form.is_valid():
        return render(request, TEMPLATE, {**context, "form": form})
    if "token" in request.POST:
        path = pending_path(request.POST["token"], request.POST.get("filename", ""), request.user)
    elif form.cleaned_data["file"].size > settings.ATLAS_UPLOAD_MAX_BYTES:
        form.add_error("file", _("Die Datei ist zu groß."))
        return render(request, TEMPLATE, {**context, "form": form})
    else:
        token, path = keep(form.cleaned_data["file"], request.user)
        context.update(token=token, filename=path.name)
    if not path.is_file():
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect("admin:districts_district_upload")
    confirm = "confirm" in request.POST
    # Under four eyes the confirmation only checks once more and submits the import.
    held = confirm and changes.enabled()
    try:
        result = _run(form.cleaned_data, path, dry_run=not confirm or held)
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        return render(request, TEMPLATE, {**context, "form": form, "errors": rejected.errors})
    if held:
        try:
            change = _submit(form.cleaned_data, path, _outcome(result), user=request.user)
        except changes.Stale as gone:  # the same confirmation sent twice
            messages.error(request, str(gone))
            return redirect("admin:districts_district_upload")
        return submitted(request, change, reverse("admin:districts_district_changelist"))
    if confirm:
        path.unlink(missing_ok=True)
        record(user=request.user, obj=form.cleaned_data["level"],
               message=f"Grenzen aus {path.name}: {result.summary()}")  # fmt: skip
        messages.success(request, result.summary())
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect("admin:districts_district_changelist")
    return render(request, TEMPLATE, {**context, "form": form, "result": result})


# --- Four eyes: a boundary import waits for a second person (core/changes.py) ----------------

BOUNDARY_IMPORT = "districts.import_boundaries"


def _outcome(result) -> str:
    """What an import does, worded alike for its dry run and the real run."""
    return dataclasses.replace(result, dry_run=False).summary()


def _submit(data: dict, path, summary: str, *, user) -> PendingChange:
    level, valid_from = data["level"], data["valid_from"]
    return changes.submit(
        kind=BOUNDARY_IMPORT,
        user=user,
        target=f"Grenzen der Ebene „{level}“ ab {valid_from:%d.%m.%Y}",
        summary=f"{path.name}: {summary}",
        payload={
            "level": level.pk,
            "valid_from": valid_from.isoformat(),
            "code_field": data["code_field"],
            "name_field": data["name_field"],
            "srid": data["srid"],
            "result": summary,
        },
        file=changes.keep_file(path),
    )


def _form_valid_from(payload: dict) -> datetime.date:
    return datetime.date.fromisoformat(payload["valid_from"])


def _form_data(change: PendingChange) -> dict:
    level = Level.objects.filter(pk=change.payload["level"]).first()
    if level is None:
        raise changes.Stale("Die Gebietsebene gibt es nicht mehr.")
    return {
        **change.payload,
        "level": level,
        "valid_from": _form_valid_from(change.payload),
    }


def _apply_import(change: PendingChange, *, user) -> None:
    data = _form_data(change)
    path = changes.file_of(change)
    result = _run(data, path, dry_run=False)
    # The approver saw the dry run's result; anything else would not be what was approved.
    if _outcome(result) != change.payload["result"]:
        raise changes.Stale(
            f"Der Stand hat sich seit der Vorlage geändert: jetzt „{_outcome(result)}“ statt "
            f"„{change.payload['result']}“. Bitte ablehnen und neu vorlegen."
        )
    message = f"Grenzen aus {path.name}: {result.summary()} ({changes.both(change, user)})"
    record(user=user, obj=data["level"], message=message)


def _describe_import(change: PendingChange) -> list[changes.Line]:
    payload = change.payload
    current = None
    if change.is_pending:
        # A dry run against today's boundaries shows whether the result still holds.
        try:
            now = _outcome(_run(_form_data(change), changes.file_of(change), dry_run=True))
        except (ImportRejected, changes.Stale) as problem:
            now = str(problem)
        current = None if now == payload["result"] else now
    level = Level.objects.filter(pk=payload["level"]).first()
    return [
        changes.Line(str(_("Datei")), "–", change.file.rsplit("/", 1)[-1]),
        changes.Line(str(_("Gebietsebene")), "–", str(level or "–")),
        changes.Line(str(_("gültig ab")), "–", f"{_form_valid_from(payload):%d.%m.%Y}"),
        changes.Line(str(_("Ergebnis")), "–", payload["result"], current),
    ]


def register_changes() -> None:
    changes.register(
        changes.Kind(
            name=BOUNDARY_IMPORT,
            label="Grenzen-Import",
            permission="districts.change_district",
            apply=_apply_import,
            describe=_describe_import,
        )
    )
