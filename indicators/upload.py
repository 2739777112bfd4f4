"""The admin's upload steps: check a file, map unknown columns, preview, then confirm.

The preview offers to save the draft and go straight on to the page that publishes it (under
four eyes: that says it waits for a second person), so a correction is export, edit, upload,
save, publish. A title left empty is made from what the file changes and its name; the preview
shows it to change before saving.
"""

import json
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.changes import enabled as four_eyes_enabled
from core.importing import ImportRejected, RowError
from core.numbers import years_text
from core.uploads import keep, pending_path

from .models import ColumnMapping, Indicator, Release, allowed_theme_ids
from .services.import_values import (
    IGNORE,
    import_values,
    mapped_indicators,
    mapping_errors,
    unmapped_columns,
)
from .services.releases import PUBLISH_PERMISSION

TEMPLATE = "admin/indicators/release/upload.html"
TARGETS = [
    (IGNORE, _("ignorieren")),
    ("area", _("Gebiet (Schlüssel)")),
    ("level", _("Ebene")),
    ("year", _("Jahr")),
    ("indicator", _("Indikator (Kennung)")),
    ("value", _("Wert")),
    ("numerator", _("Zähler")),
    ("denominator", _("Nenner")),
    ("status", _("Status")),
    ("note", _("Hinweis")),
]


class UploadForm(forms.Form):
    title = forms.CharField(
        label=_("Titel des Datenstands (optional)"),
        max_length=200,
        required=False,
        help_text=_("Leer lassen: der Titel wird aus der Datei gebildet und kann in der "
                    "Vorschau geändert werden."),
    )  # fmt: skip
    source = forms.CharField(
        label=_("Quelle (optional)"),
        max_length=120,
        required=False,
        help_text=_("z. B. „Jobcenter“: die Spaltenzuordnung wird für diese Quelle gemerkt."),
    )
    file = forms.FileField(label=_("Datei (CSV oder XLSX)"))


TITLE_NAMED = 2  # indicators named in a title made from the file; more are counted


def suggested_title(name: str, result) -> str:
    """A title for a release from its file: what it does (a correction, new values or both),
    the indicators it changes by name (up to two, else how many) and their years, e.g.
    "Korrektur Einwohner 2023"; the file's name where no indicator is named (the release
    keeps the file's name anyway)."""
    preview = result.preview
    changes = [*preview.changed, *preview.lost] if preview is not None else []
    added = preview.added if preview is not None else []
    corrects, adds = bool(changes), bool(added)
    kind = {
        (True, False): _("Korrektur"),
        (False, True): _("Neue Werte"),
        (True, True): _("Neue Werte und Korrekturen"),
    }.get((corrects, adds), _("Werte"))
    slugs = {c.indicator for c in changes} | {a.indicator for a in added}
    years = [c.year for c in changes] + [a.year for a in added] or list(result.years)
    parts = [str(kind)]
    named = 0 < len(slugs) <= TITLE_NAMED
    if named:
        names = dict(Indicator.objects.filter(slug__in=slugs).values_list("slug", "name_de"))
        parts.append(", ".join(names.get(slug, slug) for slug in sorted(slugs)))
    elif slugs:
        parts.append(_("%(count)d Indikatoren") % {"count": len(slugs)})
    if years:
        parts.append(years_text(years))
    if not named:
        parts.append(f"({PurePath(name).name})")
    return " ".join(parts)[:200]


def _indicators(user):
    """The indicators the user may upload values of, for the mapping step's choices."""
    indicators = Indicator.objects.filter(computation="").order_by("slug")
    allowed = allowed_theme_ids(user)
    return indicators if allowed is None else indicators.filter(theme_id__in=allowed)


def _saved_mapping(source: str, user) -> dict[str, str]:
    """The mappings kept for the source that the user may see (a department: its themes'),
    the shared one first; a broken one is refused with its name and its bad entry."""
    if not source:
        return {}
    mappings = ColumnMapping.objects.filter(source=source).select_related("theme")
    allowed = allowed_theme_ids(user)
    if allowed is not None:
        mappings = mappings.filter(theme_id__in=allowed)
    slugs = set(Indicator.objects.values_list("slug", flat=True))
    merged = {}
    for saved in mappings.order_by(F("theme__order").asc(nulls_first=True), "theme__slug"):
        errors = mapping_errors(saved.mapping, name=str(saved), indicators=slugs)
        if errors:
            hint = "; bitte unter „Spaltenzuordnungen“ korrigieren"
            raise ImportRejected([RowError(e.row, e.field, e.value, e.message + hint)
                                  for e in errors])  # fmt: skip
        merged.update(saved.mapping)
    return merged


def _remember(request, source: str, mapping: dict[str, str], release: Release) -> None:
    """Keep the mapping for the source under the one theme it serves, if the user may.

    A mapping serving several themes is kept as the shared one, which only statisticians
    (all themes) may change; a department's mapping never replaces another theme's.
    """
    user = request.user
    themes = set(release.observations.values_list("indicator__theme_id", flat=True).distinct())
    themes |= set(
        Indicator.objects.filter(slug__in=mapped_indicators(mapping)).values_list(
            "theme_id", flat=True
        )
    )
    theme = themes.pop() if len(themes) == 1 else None
    allowed = allowed_theme_ids(user)
    existing = ColumnMapping.objects.filter(source=source, theme_id=theme).first()
    permission = "change_columnmapping" if existing else "add_columnmapping"
    if not user.has_perm(f"indicators.{permission}") or (
        allowed is not None and (theme is None or theme not in allowed)
    ):
        messages.warning(
            request,
            _("Die Spaltenzuordnung für „%(source)s“ wurde nicht gemerkt: keine Berechtigung "
              "für eine Zuordnung dieses Themenfelds.") % {"source": source},
        )  # fmt: skip
        return
    if existing is None:
        existing = ColumnMapping(source=source, theme_id=theme)
    existing.mapping, existing.updated_by = mapping, user
    existing.save()


def _json(post, name: str, kind: type):
    """A JSON field of the form; an altered or missing one is the client's error, not ours."""
    raw = post.get(name)
    if not raw:
        return kind()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise ImportRejected([RowError(None, name, "", "Formularfeld beschädigt")]) from None
    if not isinstance(value, kind):
        raise ImportRejected([RowError(None, name, "", "Formularfeld beschädigt")])
    return value


def _mapping_from_post(post, columns: list[str], user) -> dict[str, str]:
    """The mapping chosen in the form: a target per column, an indicator with its year."""
    known = {value for value, _ in TARGETS}
    slugs = set(_indicators(user).values_list("slug", flat=True))
    mapping = {}
    for i, column in enumerate(columns):
        target = post.get(f"target-{i}", IGNORE)
        if target.startswith("indicator:") and target.split(":", 1)[1] in slugs:
            year = post.get(f"year-{i}", "").strip()
            target = f"{target}:{int(year)}" if year.isascii() and year.isdigit() else target
        elif target not in known:
            raise ImportRejected([RowError(1, str(column), target, "unbekannte Zuordnung")])
        mapping[str(column)] = target
    return mapping


def upload_view(model_admin, request):
    """Upload and check (nothing written), map unknown columns, preview, confirm a draft."""
    if not request.user.has_perm("indicators.add_release"):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": _("Werte hochladen")}  # fmt: skip
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, context)
    if request.method == "POST" and "token" in request.POST:
        return _check(request, context, token=request.POST["token"],
                      name=request.POST.get("filename", ""))  # fmt: skip
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > getattr(settings, "ATLAS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024):
            form.add_error("file", _("Die Datei ist zu groß."))
        else:
            token, path = keep(upload, request.user)
            return _check(request, context, token=token, name=path.name, form=form)
    context["form"] = form
    return render(request, TEMPLATE, context)


def _check(request, context, *, token: str, name: str, form=None):
    path = pending_path(token, name, request.user)
    if not path.is_file():
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect("admin:indicators_release_upload")
    data = form.cleaned_data if form else request.POST
    title, source = (data.get("title") or "").strip(), (data.get("source") or "").strip()
    context.update(token=token, filename=name, title_value=title, source=source)
    try:
        mapping = _json(request.POST, "mapping", dict) if form is None else {}
        mapping = {**_saved_mapping(source, request.user), **mapping}
        if form is None and "map" in request.POST:
            columns = _json(request.POST, "columns", list)
            mapping.update(_mapping_from_post(request.POST, columns, request.user))
        unknown = unmapped_columns(path, mapping)
        if unknown:
            indicators = _indicators(request.user)
            choices = [*TARGETS, *((f"indicator:{i.slug}", f"Indikator: {i.slug}")
                                   for i in indicators)]  # fmt: skip
            context.update(columns=unknown, choices=choices, mapping_json=json.dumps(mapping),
                           columns_json=json.dumps(unknown))  # fmt: skip
            return render(request, TEMPLATE, context)
        # With the user, so the preview applies the same theme rights as the confirmation.
        result = import_values(
            path=path, title=title, dry_run=True, mapping=mapping, user=request.user
        )
    except ImportRejected as rejected:
        path.unlink(missing_ok=True)
        context.update(errors=rejected.errors, form=form or UploadForm())
        return render(request, TEMPLATE, context)
    context.update(
        result=result,
        mapping_json=json.dumps(mapping),
        title_value=title or suggested_title(name, result),
        four_eyes=four_eyes_enabled(),
        may_publish=request.user.has_perm(PUBLISH_PERMISSION),
    )
    return render(request, TEMPLATE, context)


def _confirm(request, context):
    token, name = request.POST.get("token", ""), request.POST.get("filename", "")
    path = pending_path(token, name, request.user)
    if not path.is_file():
        messages.error(request, _("Die hochgeladene Datei ist nicht mehr vorhanden."))
        return redirect("admin:indicators_release_upload")
    source = request.POST.get("source", "").strip()
    try:
        mapping = _json(request.POST, "mapping", dict)
        title = request.POST.get("title", "").strip()[:200] or PurePath(name).stem
        result = import_values(
            path=path, title=title, user=request.user,
            mapping=mapping, accept_losses=request.POST.get("accept_losses") == "1",
        )  # fmt: skip
    except ImportRejected as rejected:
        # Something changed since the check (e.g. another upload): show what is wrong now.
        context.update(errors=rejected.errors, filename=name, form=UploadForm())
        return render(request, TEMPLATE, context)
    finally:
        path.unlink(missing_ok=True)
    if source and mapping:
        _remember(request, source, mapping, result.release)
    release = result.release
    if "publish" in request.POST and request.user.has_perm(PUBLISH_PERMISSION):
        # Straight on to the page that says what becomes public and publishes it (under four
        # eyes, that says the draft now waits for a second person).
        messages.success(
            request,
            _("Entwurf „%(title)s“ mit %(rows)d Werten angelegt.")
            % {"title": release.title, "rows": result.rows},
        )
        return redirect(reverse("admin:indicators_release_publish", args=[release.pk]))
    messages.success(
        request,
        _("Entwurf „%(title)s“ mit %(rows)d Werten angelegt; veröffentlichen über "
          "„Veröffentlichen …“.") % {"title": release.title, "rows": result.rows},
    )  # fmt: skip
    return redirect(reverse("admin:indicators_release_change", args=[release.pk]))
