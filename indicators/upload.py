"""The admin's upload step: check a file, show errors or the preview, then confirm."""

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atlas.importing import ImportRejected

from .services.import_values import import_values

PENDING_DIR = "uploads/pending"


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Titel des Datenstands"), max_length=200)
    file = forms.FileField(label=_("Datei (CSV oder XLSX)"))


def _pending_path(token: str, name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / PENDING_DIR / token / Path(name).name


def _keep(upload) -> tuple[str, Path]:
    """Store the uploaded file until it is confirmed, under a random token."""
    token = uuid.uuid4().hex
    path = _pending_path(token, upload.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return token, path


def upload_view(model_admin, request):
    """Step 1: upload and check (nothing written); step 2: confirm, which writes a draft."""
    if not request.user.has_perm("indicators.add_release"):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": _("Werte hochladen")}  # fmt: skip
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > getattr(settings, "ATLAS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024):
            form.add_error("file", _("Die Datei ist zu groß."))
        else:
            token, path = _keep(upload)
            try:
                result = import_values(path=path, title=form.cleaned_data["title"], dry_run=True)
            except ImportRejected as rejected:
                path.unlink(missing_ok=True)
                context.update(form=form, errors=rejected.errors, filename=upload.name)
                return render(request, "admin/indicators/release/upload.html", context)
            context.update(
                form=form, result=result, token=token, filename=path.name,
                title_value=form.cleaned_data["title"],
            )  # fmt: skip
            return render(request, "admin/indicators/release/upload.html", context)
    context["form"] = form
    return render(request, "admin/indicators/release/upload.html", context)


def _confirm(request):
    token, name = request.POST.get("token", ""), request.POST.get("filename", "")
    try:
        uuid.UUID(hex=token)
    except ValueError:
        raise PermissionDenied from None
    path = _pending_path(token, name)
    if not path.is_file():
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect("admin:indicators_release_upload")
    try:
        result = import_values(path=path, title=request.POST.get("title", name), user=request.user)
    except ImportRejected as rejected:
        # The data changed since the check (another upload): show what is wrong now.
        messages.error(request, str(rejected))
        return redirect("admin:indicators_release_upload")
    finally:
        path.unlink(missing_ok=True)
    messages.success(
        request,
        _("Entwurf „%(title)s“ mit %(rows)d Werten angelegt; veröffentlichen über die Aktion.")
        % {"title": result.release.title, "rows": result.rows},
    )
    return redirect(reverse("admin:indicators_release_change", args=[result.release.pk]))
