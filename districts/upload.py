"""The admin's boundary upload: check a file (nothing written), then confirm the import."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from core.audit import record
from core.importing import ImportRejected
from core.uploads import keep, pending_path

from .models import Level
from .services.boundaries import import_boundaries

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
    try:
        result = _run(form.cleaned_data, path, dry_run=not confirm)
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        return render(request, TEMPLATE, {**context, "form": form, "errors": rejected.errors})
    if confirm:
        path.unlink(missing_ok=True)
        record(user=request.user, obj=form.cleaned_data["level"],
               message=f"Grenzen aus {path.name}: {result.summary()}")  # fmt: skip
        messages.success(request, result.summary())
        for warning in result.warnings:
            messages.warning(request, warning)
        return redirect("admin:districts_district_changelist")
    return render(request, TEMPLATE, {**context, "form": form, "result": result})
