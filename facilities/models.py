from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from districts.models import METRIC_SRID
from indicators.supply import ServedPart

from .querysets import FacilityQuerySet

# Symbols shipped under static/facilities/icons/<name>.svg.
ICONS = [
    ("kita", _("Kita")),
    ("schule", _("Schule")),
    ("jugend", _("Jugend")),
    ("senioren", _("Senioren")),
    ("pflege", _("Pflege")),
    ("treffpunkt", _("Treffpunkt")),
    ("familie", _("Familie")),
    ("beratung", _("Beratung")),
    ("wohnen", _("Wohnen")),
]


class FacilityType(models.Model):
    """A kind of social facility (Kita, Jugendzentrum, …) and the people it is there for."""

    # Defined where the read path uses it (indicators/supply.py).
    ServedPart = ServedPart

    slug = models.SlugField(_("Kennung"), max_length=50, unique=True)
    name_de = models.CharField(_("Name (deutsch)"), max_length=120)
    name_en = models.CharField(_("Name (englisch)"), max_length=120)
    icon = models.CharField(_("Symbol"), max_length=20, choices=ICONS)
    served_group_de = models.CharField(_("Zielgruppe (deutsch)"), max_length=120, blank=True)
    served_group_en = models.CharField(_("Zielgruppe (englisch)"), max_length=120, blank=True)
    served_indicator = models.SlugField(
        _("Indikator der Zielgruppe"),
        max_length=80,
        blank=True,
        help_text=_(
            "Kennung des Indikators, der die Zielgruppe je Gebiet zählt, z. B. "
            "„anteil-unter-6“ mit dem Teil „Zähler“ für Kinder unter 6 Jahren."
        ),
    )
    served_part = models.CharField(
        _("Teil des Indikators"),
        max_length=11,
        choices=ServedPart.choices,
        default=ServedPart.VALUE,
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("Angebotsart")
        verbose_name_plural = _("Angebotsarten")

    def __str__(self) -> str:
        return self.name_de

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_de


class Facility(models.Model):
    """One place of social infrastructure, open from ``opened_on`` until before ``closed_on``."""

    type = models.ForeignKey(
        FacilityType,
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("Angebotsart"),
    )
    key = models.CharField(
        _("Kennung"),
        max_length=60,
        blank=True,
        help_text=_("Eigene Kennung der Quelle; ohne sie wird über Art, Name und Adresse erkannt."),
    )
    name = models.CharField(_("Name"), max_length=200)
    address = models.CharField(_("Adresse"), max_length=200, blank=True)
    location = models.PointField(_("Lage"), srid=METRIC_SRID)
    capacity = models.PositiveIntegerField(
        _("Plätze"), null=True, blank=True, help_text=_("Nur wo es Plätze gibt (Kita, Pflege).")
    )
    opened_on = models.DateField(_("eröffnet am"), null=True, blank=True)
    closed_on = models.DateField(
        _("geschlossen ab"),
        null=True,
        blank=True,
        help_text=_("Erster Tag, an dem das Angebot nicht mehr besteht."),
    )
    contact_url = models.URLField(_("Kontakt (Link)"), blank=True)
    source = models.CharField(_("Quelle"), max_length=300, blank=True)
    is_demo = models.BooleanField(
        _("Demodaten"), default=False, help_text=_("Synthetischer Standort, nicht amtlich.")
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["type__order", "name"]
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        constraints = [
            models.CheckConstraint(
                condition=Q(opened_on__isnull=True)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gt=F("opened_on")),
                name="facility_closes_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["type", "name"])]

    def __str__(self) -> str:
        return self.name


class FacilityUpload(models.Model):
    """One imported file of facilities: what it was, who brought it, what it changed."""

    source_file = models.FileField(_("Quelldatei"), upload_to="facilities/%Y/", blank=True)
    source_filename = models.CharField(_("Dateiname"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    added = models.PositiveIntegerField(_("neu"), default=0)
    changed = models.PositiveIntegerField(_("geändert"), default=0)
    unchanged = models.PositiveIntegerField(_("unverändert"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Angebots-Upload")
        verbose_name_plural = _("Angebots-Uploads")

    def __str__(self) -> str:
        return self.source_filename
