"""Reports as data: a report is chapters of free text and blocks that read their numbers from
the read path at the report's pinned data state, so no number is ever copied by hand."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from districts.models import District
from indicators.models import Release


class ReportQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Report.Status.PUBLISHED)


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")

    slug = models.SlugField(
        _("Kennung"),
        unique=True,
        help_text=_("Teil der Adresse /berichte/…/ des Berichts, z. B. sozialbericht-2026"),
    )
    title = models.CharField(_("Titel (deutsch)"), max_length=200)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    author = models.CharField(
        _("Verfasst von"), max_length=200, help_text=_("z. B. Stadt Bottrop, Sozialplanung")
    )
    bezirk = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level__slug": "stadtbezirk"},
        related_name="+",
        verbose_name=_("Stadtbezirk"),
        help_text=_("Leer: ein Bericht für die ganze Stadt."),
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"status": "published"},
        related_name="+",
        verbose_name=_("Datenstand"),
        help_text=_(
            "Die Veröffentlichung, bis zu der der Bericht seine Zahlen liest. Leer: der "
            "neueste Datenstand beim Veröffentlichen des Berichts."
        ),
    )
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("veröffentlicht von"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        permissions = [("publish_report", _("Kann Berichte veröffentlichen"))]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title


class Chapter(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="chapters", verbose_name=_("Bericht")
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    heading = models.CharField(_("Überschrift (deutsch)"), max_length=200)
    heading_en = models.CharField(_("Überschrift (englisch)"), max_length=200, blank=True)
    text = models.TextField(
        _("Text (deutsch)"), blank=True, help_text=_("Markdown: **fett**, *kursiv*, - Liste")
    )
    text_en = models.TextField(_("Text (englisch)"), blank=True)

    class Meta:
        ordering = ["report", "position", "id"]
        verbose_name = _("Kapitel")
        verbose_name_plural = _("Kapitel")

    def __str__(self) -> str:
        return self.heading


class Block(models.Model):
    """A map, chart, table, key figures or findings; what it shows is in ``settings``,
    checked by reports/blocks.py for its kind."""

    class Kind(models.TextChoices):
        MAP = "map", _("Karte")
        CHART = "chart", _("Diagramm")
        TABLE = "table", _("Tabelle")
        KEY_FIGURES = "key_figures", _("Kennzahlen")
        FINDINGS = "findings", _("Befunde")

    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("Kapitel")
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    settings = models.JSONField(_("Einstellungen"), default=dict, blank=True)

    class Meta:
        ordering = ["chapter", "position", "id"]
        verbose_name = _("Baustein")
        verbose_name_plural = _("Bausteine")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position}"
