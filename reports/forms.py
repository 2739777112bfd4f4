"""The block editor: one form for every kind of block, its fields written into ``settings`` and
checked by reports/blocks.py, so the admin and a loaded file obey the same rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from districts.models import Level
from facilities.models import FacilityType
from indicators.models import CLASS_COUNTS, Indicator, Theme

from . import blocks
from .models import Block

CHART_LABELS = {
    "series": _("Zeitreihe"),
    "comparison": _("Vergleich (Balken)"),
    "ranking": _("Rangfolge"),
    "scatter": _("Streudiagramm"),
    "pyramid": _("Bevölkerungspyramide"),
}
FINDING_LABELS = {
    "versus_city": _("Gebiete deutlich besser oder schlechter als die Stadt"),
    "change": _("Deutliche Veränderungen seit einem Jahr"),
    "trend_turned": _("Gebiete, deren Trend sich gewendet hat"),
    "concentration": _("Konzentration auf wenige Gebiete"),
    "social_index": _("Sozialindex: Status und Dynamik"),
    "supply": _("Angebot gegenüber Bedarf"),
    "reach": _("Gebiete außer Reichweite eines Angebots"),
}
METHOD_LABELS = {
    "quantiles": _("Quantile"),
    "equal_interval": _("gleiche Abstände"),
    "natural_breaks": _("natürliche Brüche (Jenks)"),
    "std_mean": _("Standardabweichung"),
}


def _blank(choices) -> list:
    return [("", "—"), *choices]


class BlockForm(forms.ModelForm):
    indicator = forms.ModelChoiceField(
        Indicator.objects.order_by("theme__order", "order", "slug"),
        to_field_name="slug",
        required=False,
        label=_("Indikator"),
    )
    indicators = forms.ModelMultipleChoiceField(
        Indicator.objects.order_by("theme__order", "order", "slug"),
        to_field_name="slug",
        required=False,
        label=_("Indikatoren"),
        help_text=_("Für Tabelle, Kennzahlen und Befunde."),
    )
    y = forms.ModelChoiceField(
        Indicator.objects.order_by("theme__order", "order", "slug"),
        to_field_name="slug",
        required=False,
        label=_("Zweiter Indikator (Streudiagramm)"),
    )
    level = forms.ModelChoiceField(
        Level.objects.all(), to_field_name="slug", required=False, label=_("Gebietsebene")
    )
    year = forms.IntegerField(
        required=False, label=_("Jahr"), help_text=_("Leer: das neueste Jahr mit Werten.")
    )
    since = forms.IntegerField(
        required=False,
        label=_("Vergleichsjahr"),
        help_text=_("Veränderungskarte, Zeitreihe ab, Veränderung seit."),
    )
    method = forms.ChoiceField(
        choices=_blank(METHOD_LABELS.items()), required=False, label=_("Klassifizierung")
    )
    classes = forms.TypedChoiceField(
        choices=_blank((n, n) for n in CLASS_COUNTS),
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Klassenanzahl"),
    )
    chart = forms.ChoiceField(
        choices=_blank(CHART_LABELS.items()), required=False, label=_("Diagramm")
    )
    areas = forms.CharField(
        required=False,
        label=_("Gebiete"),
        help_text=_("Schlüssel, durch Komma getrennt, z. B. 11, 12"),
    )
    finding = forms.ChoiceField(
        choices=_blank(FINDING_LABELS.items()), required=False, label=_("Befund")
    )
    theme = forms.ModelChoiceField(
        Theme.objects.all(), to_field_name="slug", required=False, label=_("Themenfeld")
    )
    top = forms.IntegerField(
        required=False, min_value=1, max_value=10, label=_("Anzahl Gebiete (Konzentration)")
    )
    facility_types = forms.ModelMultipleChoiceField(
        FacilityType.objects.all(), to_field_name="slug", required=False, label=_("Angebotsarten")
    )
    distance = forms.IntegerField(required=False, label=_("Entfernung in Metern (Reichweite)"))

    class Meta:
        model = Block
        fields = ["position", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in (self.instance.settings or {}).items():
            if name in self.fields:
                self.initial[name] = ", ".join(value) if name == "areas" else value

    def settings(self) -> dict:
        """The settings the form's fields give for its kind, unchecked."""
        kind = self.cleaned_data.get("kind")
        result = {}
        for name in blocks.FIELDS.get(kind, ()):
            value = self.cleaned_data.get(name)
            if value in (None, "", []) or (hasattr(value, "exists") and not value.exists()):
                continue
            if name in ("indicator", "y", "level", "theme"):
                value = value.slug
            elif name in ("indicators", "facility_types"):
                value = [item.slug for item in value]
            elif name == "areas":
                value = [code.strip() for code in value.split(",") if code.strip()]
            result[name] = value
        return result

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("kind"):
            return cleaned
        try:
            self.instance.settings = blocks.check(cleaned["kind"], self.settings())
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned
