from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .querysets import DistrictQuerySet, LevelQuerySet

# Boundaries are stored in a metric CRS so that areas and intersections are right.
METRIC_SRID = 25832
WEB_SRID = 4326


class Level(models.Model):
    """A Gebietsebene: the city, its Stadtbezirke, its statistical districts, or any other layer."""

    slug = models.SlugField(_("Kennung"), unique=True)
    name_de = models.CharField(_("Name (deutsch)"), max_length=100)
    name_en = models.CharField(_("Name (englisch)"), max_length=100)
    name_plural_de = models.CharField(_("Mehrzahl (deutsch)"), max_length=100)
    name_plural_en = models.CharField(_("Mehrzahl (englisch)"), max_length=100)
    rank = models.PositiveSmallIntegerField(
        _("Rang"), default=0, help_text=_("0 für die Stadt, größere Zahlen für feinere Ebenen.")
    )

    objects = LevelQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "slug"]
        verbose_name = _("Gebietsebene")
        verbose_name_plural = _("Gebietsebenen")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_de

    @property
    def name_plural(self) -> str:
        return self.name_plural_en if get_language() == "en" else self.name_plural_de


class District(models.Model):
    """An area of one level, with a boundary valid from one date to another."""

    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="districts", verbose_name=_("Ebene")
    )
    code = models.CharField(_("Schlüssel"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    boundary = models.MultiPolygonField(_("Grenze"), srid=METRIC_SRID)
    web_geometry = models.MultiPolygonField(
        _("Webgeometrie"),
        srid=WEB_SRID,
        null=True,
        blank=True,
        help_text=_("Vereinfacht als Flächendeckung, damit Nachbarn gemeinsame Kanten behalten."),
    )
    # Where the map writes the district's name: the centre of the largest circle inside it
    # (a centroid can lie outside a bent area), and that circle's radius, which says at which
    # zoom the name fits. Computed with the web geometry.
    label_point = models.PointField(
        _("Beschriftungspunkt"), srid=WEB_SRID, null=True, editable=False
    )
    label_room_m = models.FloatField(_("Platz für die Beschriftung (m)"), null=True, editable=False)
    area_km2 = models.FloatField(_("Fläche (km²)"), editable=False)
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("Demogrenze"), default=False, help_text=_("Synthetische Grenze, nicht amtlich.")
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = ["level__rank", "code"]
        verbose_name = _("Gebiet")
        verbose_name_plural = _("Gebiete")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"], name="district_unique_code_per_validity"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="district_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=Q(area_km2__gt=0), name="district_area_positive"),
        ]
        indexes = [models.Index(fields=["level", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        if self.boundary is not None:
            self.area_km2 = self.boundary.area / 1_000_000
        super().save(*args, **kwargs)


class Overlap(models.Model):
    """How much of one district lies in a district of another level (the crosswalk).

    ``area_share`` is the part of ``source``'s area inside ``target``; ``population_share`` the
    part of its population, where known. Nested levels have shares of exactly 1.
    """

    source = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="overlaps_out", verbose_name=_("Gebiet")
    )
    target = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="overlaps_in", verbose_name=_("liegt in")
    )
    area_km2 = models.FloatField(_("Schnittfläche (km²)"))
    area_share = models.FloatField(_("Flächenanteil"))
    population_share = models.FloatField(_("Bevölkerungsanteil"), null=True, blank=True)

    class Meta:
        verbose_name = _("Überschneidung")
        verbose_name_plural = _("Überschneidungen")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="overlap_unique_pair"),
            models.CheckConstraint(
                condition=Q(area_share__gt=0) & Q(area_share__lte=1),
                name="overlap_area_share_range",
            ),
            models.CheckConstraint(
                condition=Q(population_share__isnull=True)
                | (Q(population_share__gte=0) & Q(population_share__lte=1)),
                name="overlap_population_share_range",
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="overlap_source_not_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.area_share:.1%}"


class ZoomGeometry(models.Model):
    """A district's web geometry for the maps of one zoom band, coarser than ``web_geometry``.

    Each band is simplified over the whole level as one coverage, so neighbours keep their
    shared edges at every zoom (see ``districts.zoom``).
    """

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="zoom_geometries", verbose_name=_("Gebiet")
    )
    max_zoom = models.PositiveSmallIntegerField(
        _("bis Zoomstufe"), help_text=_("Die feinste Zoomstufe, für die diese Geometrie reicht.")
    )
    geometry = models.MultiPolygonField(_("Geometrie"), srid=WEB_SRID)

    class Meta:
        verbose_name = _("Geometrie je Zoomstufe")
        verbose_name_plural = _("Geometrien je Zoomstufe")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "max_zoom"], name="zoom_geometry_unique_band"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} (z ≤ {self.max_zoom})"
