"""The admin's upload of facilities: check the file and preview, then confirm."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import changes
from core.admin import submitted
from core.importing import ImportRejected
from core.models import PendingChange
from core.uploads import keep, pending_path
from districts.models import METRIC_SRID

from .services.import_facilities import import_facilities

TEMPLATE = "admin/facilities/facility/upload.html"
CRS_CHOICES = [
    (METRIC_SRID, _("ETRS89 / UTM 32N (EPSG:25832)")),
    (25833, _("ETRS89 / UTM 33N (EPSG:25833)")),
    (31466, _("Gauß-Krüger Zone 2 (EPSG:31466)")),
]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Datei (CSV, XLSX, GeoJSON oder GeoPackage)"))
    srid = forms.TypedChoiceField(
        label=_("Bezugssystem der Spalten x/y"),
        choices=CRS_CHOICES,
        coerce=int,
        initial=METRIC_SRID,
        help_text=_("Spalten lon/lat sind immer WGS 84 (EPSG:4326)."),
    )


def upload_view(model_admin, request):
    """Upload and check (nothing written, preview shown), then confirm to write."""
    if not request.user.has_perm("facilities.add_facilityupload"):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": _("Angebote hochladen")}  # fmt: skip
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, context)
    form = UploadForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return render(request, TEMPLATE, context)
    upload = form.cleaned_data["file"]
    if upload.size > getattr(settings, "ATLAS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024):
        form.add_error("file", _("Die Datei ist zu groß."))
        return render(request, TEMPLATE, context)
    token, path = keep(upload, request.user)
    srid = form.cleaned_data["srid"]
    context.update(token=token, filename=path.name, srid=srid)
    try:
        context["result"] = import_facilities(path=path, srid=srid, dry_run=True)
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        context["errors"] = rejected.errors
    return render(request, TEMPLATE, context)


def _confirm(request, context):
    name = request.POST.get("filename", "")
    path = pending_path(request.POST["token"], name, request.user)
    if not path.is_file():
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect("admin:facilities_facility_upload")
    srid = request.POST.get("srid") or str(METRIC_SRID)
    if srid not in {str(value) for value, _label in CRS_CHOICES}:
        raise PermissionDenied
    srid = int(srid)
    if changes.enabled():
        return _hold(request, context, path, srid)
    try:
        result = import_facilities(path=path, srid=srid, user=request.user)
    except ImportRejected as rejected:
        context.update(errors=rejected.errors, filename=name, form=UploadForm())
        return render(request, TEMPLATE, context)
    finally:
        path.unlink(missing_ok=True)
    messages.success(
        request,
        _("%(added)d Angebote neu, %(changed)d geändert, %(unchanged)d unverändert.")
        % {"added": len(result.added), "changed": len(result.changed),
           "unchanged": result.unchanged},
    )  # fmt: skip
    return redirect("admin:facilities_facility_changelist")


# --- Four eyes: a facility import waits for a second person (core/changes.py) ----------------

FACILITY_IMPORT = "facilities.import_facilities"


def _counts(result) -> dict:
    return {"added": len(result.added), "changed": len(result.changed),
            "unchanged": result.unchanged}  # fmt: skip


def _summary(counts: dict) -> str:
    return "{added} neu, {changed} geändert, {unchanged} unverändert".format(**counts)


def _hold(request, context, path, srid: int):
    """Check once more, then keep the file and the expected result for the second person."""
    try:
        result = import_facilities(path=path, srid=srid, dry_run=True)
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        context.update(errors=rejected.errors, filename=path.name, form=UploadForm())
        return render(request, TEMPLATE, context)
    counts = _counts(result)
    try:
        kept = changes.keep_file(path)
    except changes.Stale as gone:  # the same confirmation sent twice
        messages.error(request, str(gone))
        return redirect("admin:facilities_facility_upload")
    change = changes.submit(
        kind=FACILITY_IMPORT,
        user=request.user,
        target=f"Angebote aus {path.name}",
        summary=_summary(counts),
        payload={
            "srid": srid,
            "counts": counts,
            # Names for the review page; the counts decide whether the import still holds.
            "added": result.added[:50],
            "changed": [c.name for c in result.changed[:50]],
        },
        file=kept,
    )
    return submitted(request, change, reverse("admin:facilities_facility_changelist"))


def _apply_import(change: PendingChange, *, user):
    path = changes.file_of(change)
    # The upload is the requester's; the approval is recorded on it with both names.
    result = import_facilities(path=path, srid=change.payload["srid"], user=change.requested_by)
    if _counts(result) != change.payload["counts"]:
        raise changes.Stale(
            f"Der Stand hat sich seit der Vorlage geändert: jetzt {_summary(_counts(result))} "
            f"statt {change.summary}. Bitte ablehnen und neu vorlegen."
        )
    return result.upload


def _describe_import(change: PendingChange) -> list[changes.Line]:
    payload = change.payload
    current = None
    if change.is_pending:
        # A dry run against today's facilities shows whether the result still holds.
        try:
            result = import_facilities(
                path=changes.file_of(change), srid=payload["srid"], dry_run=True
            )
            now = _summary(_counts(result))
        except (ImportRejected, changes.Stale) as problem:
            now = str(problem)
        current = None if now == change.summary else now
    srid = dict(CRS_CHOICES).get(payload["srid"], payload["srid"])
    return [
        changes.Line(str(_("Datei")), "–", change.file.rsplit("/", 1)[-1]),
        changes.Line(str(_("Bezugssystem")), "–", str(srid)),
        changes.Line(str(_("Ergebnis")), "–", change.summary, current),
        changes.Line(str(_("neu")), "–", ", ".join(payload["added"]) or "–"),
        changes.Line(str(_("geändert")), "–", ", ".join(payload["changed"]) or "–"),
    ]


def register_changes() -> None:
    changes.register(
        changes.Kind(
            name=FACILITY_IMPORT,
            label="Angebote-Import",
            permission="facilities.add_facilityupload",
            apply=_apply_import,
            describe=_describe_import,
        )
    )
