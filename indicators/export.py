"""The admin's export page: stored values in the upload layout, to correct and upload again.

Without ``format`` in the query the page shows its form (fields given in the query, such as a
release linked from its page, are preselected; with none, what a correction most likely needs:
the values public now, of the newest year, as XLSX, so one click exports them); with it, the
form's GET downloads the file or, for a bad parameter, shows the form again with the field's
error. Statisticians only: the
file holds withheld values too. A user limited to some themes (a department given the
publish permission) gets only its themes' values and releases.
"""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Indicator, Observation, Theme, allowed_theme_ids
from .services.export import FORMATS, export_rows

TEMPLATE = "admin/indicators/release/export.html"
# Slugs named in a file name; more are counted instead.
NAMED = 3


class ReleaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, release):
        day = timezone.localtime(release.published_at or release.created_at)
        return f"{release.title} ({release.get_status_display()}, {day:%d.%m.%Y})"


class IndicatorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.name_de} ({indicator.slug})"


class ExportForm(forms.Form):
    release = ReleaseChoice(
        label=_("Datenstand"),
        queryset=None,
        required=False,
        empty_label=_("aktueller öffentlicher Stand"),
        help_text=_("Der öffentliche Stand nimmt je Wert den zuletzt veröffentlichten Datenstand."),
    )
    year = forms.TypedMultipleChoiceField(
        label=_("Jahr(e)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl: alle Jahre."),
    )
    theme = forms.ModelMultipleChoiceField(
        label=_("Themenfeld(er)"),
        queryset=None,
        to_field_name="slug",
        required=False,
        help_text=_("Keine Auswahl: alle Themenfelder."),
    )
    indicator = IndicatorChoice(
        label=_("Indikator(en)"),
        queryset=None,
        to_field_name="slug",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Keine Auswahl: alle Indikatoren (der gewählten Themenfelder)."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("xlsx", _("XLSX (Excel)")),
            ("csv", _("CSV deutsch (Semikolon, Dezimalkomma)")),
        ],
        initial="xlsx",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, releases, allowed: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        themes = Theme.objects.all()
        indicators = Indicator.objects.filter(computation="")
        observations = Observation.objects.all()
        if allowed is not None:
            themes = themes.filter(pk__in=allowed)
            indicators = indicators.filter(theme_id__in=allowed)
            observations = observations.filter(indicator__theme_id__in=allowed)
        self.fields["release"].queryset = releases
        self.fields["theme"].queryset = themes
        self.fields["indicator"].queryset = indicators
        years = observations.order_by("-year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [(year, str(year)) for year in years]


def newest_public_year(allowed: set[int] | None) -> int | None:
    """The newest year with published values (of the user's themes): the one a correction
    most likely touches."""
    observations = Observation.objects.published()
    if allowed is not None:
        observations = observations.filter(indicator__theme_id__in=allowed)
    return observations.aggregate(newest=Max("year"))["newest"]


def quick_export_url(allowed: set[int] | None) -> tuple[str, int] | None:
    """The export of the values public now, of the newest year, as XLSX: the start page's
    one-click download; None while nothing is public."""
    year = newest_public_year(allowed)
    if year is None:
        return None
    query = urlencode({"year": year, "format": "xlsx"})
    return f"{reverse('admin:indicators_release_export')}?{query}", year


def export_view(model_admin, request):
    """The form, or with ``format`` given, the file it asks for."""
    if not model_admin.has_publish_permission(request):
        raise PermissionDenied
    allowed = allowed_theme_ids(request.user)
    # The releases the user may see: a department's only if all their values are its own.
    releases = model_admin.get_queryset(request)
    asked = "format" in request.GET
    initial = {name: request.GET.getlist(name) for name in ("year", "theme", "indicator")}
    initial["release"] = request.GET.get("release")
    if not asked and not request.GET:
        # Nothing chosen yet: the public values of the newest year (XLSX is the format's
        # default), so one click exports what a correction most likely needs.
        newest = newest_public_year(allowed)
        initial["year"] = [newest] if newest is not None else []
    form = ExportForm(
        request.GET if asked else None, initial=initial, releases=releases, allowed=allowed
    )
    if asked and form.is_valid():
        return _file(form.cleaned_data, allowed)
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta,
               "title": _("Werte exportieren"), "form": form}  # fmt: skip
    return TemplateResponse(request, TEMPLATE, context, status=400 if asked else 200)


def _file(data: dict, allowed: set[int] | None) -> HttpResponse:
    rows = export_rows(
        release=data["release"],
        years=data["year"],
        themes=[theme.pk for theme in data["theme"]],
        indicators=[indicator.pk for indicator in data["indicator"]],
        allowed_themes=allowed,
    )
    render, media, extension = FORMATS[data["format"]]
    response = HttpResponse(render(rows), content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{file_name(data, extension)}"'
    return response


def file_name(data: dict, extension: str) -> str:
    """What the file holds: werte-2023-stand-2026-12-06.xlsx for the values public on that
    day, werte-2023-pflege-datenstand-12.csv for release 12's values of a theme."""
    parts = ["werte"]
    if data["year"]:
        parts.append("_".join(str(year) for year in sorted(data["year"])))
    for chosen, many in ((data["theme"], "themenfelder"), (data["indicator"], "indikatoren")):
        slugs = sorted(obj.slug for obj in chosen)
        if len(slugs) > NAMED:
            parts.append(f"{len(slugs)}-{many}")
        elif slugs:
            parts.append("_".join(slugs))
    release = data["release"]
    if release is None:
        parts.append(f"stand-{timezone.localdate():%Y-%m-%d}")
    else:
        parts.append(f"datenstand-{release.pk}")
    return f"{'-'.join(parts)}.{extension}"
