"""The admin's uploads of the projection's inputs: the register (population with deaths and
moves, births by the mother's age, moves between districts; any of the three) and the housing
pipeline. Check first (the service's dry run: rows, number format, warnings or every error by
file, row and column, nothing written), then confirm to import.

Files wait between the steps in the same pending storage, under the same size limit and are
read by the same reader (spreadsheets in a sandboxed child) as the value import. Only those
who may start projection runs upload what the runs start from.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.importing import ImportRejected
from core.numbers import years_text
from core.uploads import keep, pending_path

from .models import PlannedDwellings
from .services.import_housing import import_housing
from .services.import_register import REGISTER_FILES, import_register

REGISTER_TEMPLATE = "admin/projections/projectionrun/register_upload.html"
HOUSING_TEMPLATE = "admin/projections/projectionrun/housing_upload.html"
REGISTER_URL = "admin:projections_projectionrun_register_upload"
HOUSING_URL = "admin:projections_projectionrun_housing_upload"
# The service's keyword for each file, in the order the page lists them.
REGISTER_KINDS = {
    "cells": _("Bevölkerung nach Alter und Geschlecht"),
    "births": _("Geburten nach Alter der Mutter"),
    "within": _("Umzüge zwischen Bezirken"),
}


def _too_large(upload) -> bool:
    return upload.size > getattr(settings, "ATLAS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)


class RegisterUploadForm(forms.Form):
    cells = forms.FileField(
        label=REGISTER_KINDS["cells"],
        required=False,
        help_text=_("Spalten: Jahr, Gebiet, Geschlecht, Alter, Bevölkerung, Gestorbene, Zuzüge, "
                    "Fortzüge (z. B. population.csv)"),
    )  # fmt: skip
    births = forms.FileField(
        label=REGISTER_KINDS["births"],
        required=False,
        help_text=_("Spalten: Jahr, Gebiet, Alter der Mutter, Geschlecht, Geburten "
                    "(z. B. births.csv)"),
    )  # fmt: skip
    within = forms.FileField(
        label=REGISTER_KINDS["within"],
        required=False,
        help_text=_("Spalten: Jahr, von, nach, Geschlecht, Alter, Umzüge "
                    "(z. B. moves_within.csv)"),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if not any(data.get(kind) for kind in REGISTER_KINDS):
            raise forms.ValidationError(_("Bitte mindestens eine Datei wählen."))
        for kind in REGISTER_KINDS:
            if data.get(kind) and _too_large(data[kind]):
                self.add_error(kind, _("Die Datei ist zu groß."))
        return data


class HousingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Geplante Wohnungen (CSV oder XLSX)"),
        help_text=_("Spalten: Jahr, Gebiet, Wohnungen (fertiggestellt und bezogen im Jahr)"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if _too_large(upload):
            raise forms.ValidationError(_("Die Datei ist zu groß."))
        return upload


def _allowed(model_admin, request) -> None:
    # The register and the housing pipeline are what runs start from: the same right.
    if not model_admin.has_add_permission(request):
        raise PermissionDenied


def _context(model_admin, request, title) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
            "title": title}  # fmt: skip


def _bound(request) -> tuple:
    # Bound on every POST, even one without files, so that it says what is missing.
    return (request.POST, request.FILES) if request.method == "POST" else ()


def _discard(paths: dict) -> None:
    for path in paths.values():
        path.unlink(missing_ok=True)


def _stored(model, years: list[int]) -> str:
    """Those of ``years`` that ``model`` holds already, as ranges: the import replaces them."""
    stored = model.objects.filter(year__in=years).values_list("year", flat=True).distinct()
    return years_text(list(stored))


def _pending(request, kinds) -> dict:
    """The pending files named in the form, by kind; a foreign token is refused (403)."""
    paths = {}
    for kind in kinds:
        token = request.POST.get(f"token-{kind}", "")
        if token:
            paths[kind] = pending_path(token, request.POST.get(f"filename-{kind}", ""),
                                       request.user)  # fmt: skip
    return paths


def register_upload_view(model_admin, request):
    """Upload up to three register files and check them (nothing written); confirm imports."""
    _allowed(model_admin, request)
    context = _context(model_admin, request, _("Registerdaten hochladen"))
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_register(request, context)
    form = RegisterUploadForm(*_bound(request))
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return render(request, REGISTER_TEMPLATE, context)
    kept = {kind: keep(form.cleaned_data[kind], request.user)
            for kind in REGISTER_KINDS if form.cleaned_data[kind]}  # fmt: skip
    paths = {kind: path for kind, (_token, path) in kept.items()}
    context.update(
        pending=[(kind, token, path.name) for kind, (token, path) in kept.items()],
        filename=", ".join(path.name for path in paths.values()),
    )
    try:
        result = import_register(**paths, dry_run=True, user=request.user)
    except ImportRejected as rejected:
        _discard(paths)
        context["errors"] = rejected.errors
        return render(request, REGISTER_TEMPLATE, context)
    context["files"] = [
        {"label": REGISTER_KINDS[kind], "name": paths[kind].name, "rows": rows,
         "years": years_text(result.years[kind]), "format": result.number_formats[kind],
         "replaced": _stored(REGISTER_FILES[kind].model, result.years[kind])}
        for kind, rows in result.rows.items()
    ]  # fmt: skip
    context["warnings"] = result.warnings
    return render(request, REGISTER_TEMPLATE, context)


def _confirm_register(request, context):
    paths = _pending(request, REGISTER_KINDS)
    if not paths or not all(path.is_file() for path in paths.values()):
        _discard(paths)
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect(REGISTER_URL)
    try:
        result = import_register(**paths, user=request.user)
    except ImportRejected as rejected:
        # Something changed since the check (e.g. a boundary): show what is wrong now.
        context.update(errors=rejected.errors, form=RegisterUploadForm(),
                       filename=", ".join(path.name for path in paths.values()))  # fmt: skip
        return render(request, REGISTER_TEMPLATE, context)
    finally:
        _discard(paths)
    files = "; ".join(
        _("%(file)s: %(rows)s Zeilen, %(years)s")
        % {"file": REGISTER_KINDS[kind], "rows": number_format(rows, force_grouping=True),
           "years": years_text(result.years[kind])}
        for kind, rows in result.rows.items()
    )  # fmt: skip
    messages.success(request, _("Registerdaten importiert (%(files)s).") % {"files": files})
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect("admin:projections_projectionrun_start")


def housing_upload_view(model_admin, request):
    """Upload the planned dwellings and check them (nothing written); confirm imports."""
    _allowed(model_admin, request)
    context = _context(model_admin, request, _("Geplante Wohnungen hochladen"))
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_housing(request, context)
    form = HousingUploadForm(*_bound(request))
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return render(request, HOUSING_TEMPLATE, context)
    token, path = keep(form.cleaned_data["file"], request.user)
    context.update(pending=[("file", token, path.name)], filename=path.name)
    try:
        result = import_housing(path=path, dry_run=True, user=request.user)
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        context["errors"] = rejected.errors
        return render(request, HOUSING_TEMPLATE, context)
    context.update(result=result, years=years_text(result.years),
                   replaced=_stored(PlannedDwellings, result.years))  # fmt: skip
    return render(request, HOUSING_TEMPLATE, context)


def _confirm_housing(request, context):
    paths = _pending(request, ["file"])
    if not paths or not paths["file"].is_file():
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect(HOUSING_URL)
    path = paths["file"]
    try:
        result = import_housing(path=path, user=request.user)
    except ImportRejected as rejected:
        context.update(errors=rejected.errors, form=HousingUploadForm(), filename=path.name)
        return render(request, HOUSING_TEMPLATE, context)
    finally:
        path.unlink(missing_ok=True)
    messages.success(
        request,
        _("Geplante Wohnungen importiert: %(dwellings)s Wohnungen in %(rows)s Zeilen, "
          "%(years)s.")
        % {"dwellings": number_format(result.dwellings, force_grouping=True),
           "rows": number_format(result.rows, force_grouping=True),
           "years": years_text(result.years)},
    )  # fmt: skip
    return redirect("admin:projections_projectionrun_start")
