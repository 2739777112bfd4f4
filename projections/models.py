"""Register data a projection starts from: population and events by district, year, sex and age.

Ages are cohort ages (reference year − year of birth), 0–100 with 100 standing for 100 and
over; ``projections.register`` explains the balance they obey. A district is the version of
it valid on 31 December of the row's year. The unique keys are the only indexes: the tables are
read whole per level and written a year at a time, and every index slows the COPY.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from districts.models import District

TOP_AGE = 100
MOTHER_AGE_MIN, MOTHER_AGE_MAX = 15, 49


class Sex(models.TextChoices):
    MALE = "m", _("männlich")
    FEMALE = "w", _("weiblich")


class ImportRecord(models.Model):
    """One import of files: who brought which files, and how many rows each held."""

    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    source_files = models.JSONField(_("Quelldateien"), default=list)  # [{name, sha256, rows}]
    is_demo = models.BooleanField(_("Demodaten"), default=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return ", ".join(f["name"] for f in self.source_files) or str(self.pk)


class RegisterImport(ImportRecord):
    """One import of register files."""

    class Meta(ImportRecord.Meta):
        verbose_name = _("Registerimport")
        verbose_name_plural = _("Registerimporte")


class RegisterCell(models.Model):
    """Inhabitants on 31 Dec, deaths, moves in from and out to outside the city, in one year,
    of one district, sex and age."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    sex = models.CharField(_("Geschlecht"), max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(_("Alter"))
    population = models.PositiveIntegerField(_("Einwohner/innen"), default=0)
    deaths = models.PositiveIntegerField(_("Gestorbene"), default=0)
    moves_in = models.PositiveIntegerField(_("Zuzüge"), default=0)
    moves_out = models.PositiveIntegerField(_("Fortzüge"), default=0)
    source = models.ForeignKey(
        RegisterImport, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("Registerzelle")
        verbose_name_plural = _("Registerzellen")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "sex", "age"], name="register_cell_unique"
            ),
            models.CheckConstraint(condition=Q(age__lte=TOP_AGE), name="register_cell_age"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year} {self.sex} {self.age}"


class RegisterBirths(models.Model):
    """Live births in one year to mothers of one age living in one district, by the child's
    sex."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    mother_age = models.PositiveSmallIntegerField(_("Alter der Mutter"))
    sex = models.CharField(_("Geschlecht des Kindes"), max_length=1, choices=Sex.choices)
    births = models.PositiveIntegerField(_("Lebendgeborene"), default=0)
    source = models.ForeignKey(
        RegisterImport, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("Geburten nach Alter der Mutter")
        verbose_name_plural = _("Geburten nach Alter der Mutter")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "mother_age", "sex"], name="register_births_unique"
            ),
            models.CheckConstraint(
                condition=Q(mother_age__gte=MOTHER_AGE_MIN, mother_age__lte=MOTHER_AGE_MAX),
                name="register_births_mother_age",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year} {self.mother_age} {self.sex}"


class RegisterMove(models.Model):
    """Moves in one year from one district of the city to another, by sex and age."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    origin = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", db_index=False)
    destination = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sex = models.CharField(_("Geschlecht"), max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(_("Alter"))
    moves = models.PositiveIntegerField(_("Umzüge"))
    source = models.ForeignKey(
        RegisterImport, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("Umzug zwischen Bezirken")
        verbose_name_plural = _("Umzüge zwischen Bezirken")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "origin", "destination", "sex", "age"], name="register_move_unique"
            ),
            models.CheckConstraint(condition=Q(age__lte=TOP_AGE), name="register_move_age"),
            models.CheckConstraint(
                condition=~Q(origin=F("destination")), name="register_move_between_districts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_id} → {self.destination_id} {self.year} {self.sex} {self.age}"


class ProjectionRun(models.Model):
    """One projection as planners start it: its parameters, its inputs' digests, what the
    backtest made of the model on these inputs, and its status (draft → published →
    withdrawn). Its numbers sit in ``RunResult``, kept apart so lists of runs stay light."""

    class Status(models.TextChoices):
        # Started in the admin, a run waits for the worker (``manage.py run_projections``),
        # which computes one at a time; a run that could not be computed keeps its error.
        QUEUED = "queued", _("wartet")
        RUNNING = "running", _("wird gerechnet")
        FAILED = "failed", _("fehlgeschlagen")
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    base_year = models.PositiveSmallIntegerField(_("Basisjahr"))
    horizon = models.PositiveSmallIntegerField(_("Jahre voraus"))
    scenarios = models.JSONField(_("Szenarien"), default=list)
    trajectories = models.PositiveIntegerField(_("Simulationen"))
    backtest_trajectories = models.PositiveIntegerField(_("Simulationen im Backtest"))
    seed = models.PositiveBigIntegerField(_("Startwert des Zufallsgenerators"))
    # What went in: the register (its imports and a digest of its numbers), the assumptions'
    # files, the code that computed, the Kita places; ``inputs_digest`` digests all of it.
    inputs = models.JSONField(_("Eingangsdaten"), default=dict)
    inputs_digest = models.CharField(_("Prüfsumme der Eingangsdaten"), max_length=64)
    # {"factors": {h: {80: λ, 95: λ}}, "coverage": …, "passed": bool, "problems": [text]}
    calibration = models.JSONField(_("Kalibrierung"), default=dict)
    # Measures by horizon (districts' totals) and by planning age group, as table rows.
    backtest = models.JSONField(_("Backtest"), default=dict)
    seconds = models.FloatField(_("Rechenzeit (s)"), default=0.0)
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    published_at = models.DateTimeField(_("veröffentlicht"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("veröffentlicht von"),
    )
    withdrawn_at = models.DateTimeField(_("zurückgezogen"), null=True, blank=True)
    started_at = models.DateTimeField(_("Rechnung begonnen"), null=True, blank=True)
    error = models.TextField(_("Fehler"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Vorausberechnung")
        verbose_name_plural = _("Vorausberechnungen")
        permissions = [("publish_projectionrun", _("Vorausberechnungen veröffentlichen"))]

    def __str__(self) -> str:
        last = self.base_year + self.horizon
        return f"{self.base_year}–{last} ({self.trajectories} Simulationen, Nr. {self.pk})"

    @property
    def calibrated(self) -> bool:
        return bool(self.calibration.get("passed"))


class RunResult(models.Model):
    """The numbers of a run as arrays (little-endian float32, C order), read whole with
    numpy: the quantiles of every scenario × year × area × planning age group, and the need
    for places with the probability of a Kita shortfall. ``axes`` names every axis, ``digest``
    is the SHA-256 of all of it, the same for the same inputs and seed."""

    run = models.OneToOneField(
        ProjectionRun, on_delete=models.CASCADE, primary_key=True, related_name="result"
    )
    axes = models.JSONField(default=dict)
    quantiles = models.BinaryField()  # (scenario, year, area, group, quantile)
    need = models.BinaryField()  # arrays named and shaped in axes["need"]
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Ergebnis einer Vorausberechnung")
        verbose_name_plural = _("Ergebnisse von Vorausberechnungen")

    def __str__(self) -> str:
        return f"{self.run_id}: {self.digest[:12]}"


class HousingImport(ImportRecord):
    """One import of planned dwellings."""

    class Meta(ImportRecord.Meta):
        verbose_name = _("Import geplanter Wohnungen")
        verbose_name_plural = _("Importe geplanter Wohnungen")


class PlannedDwellings(models.Model):
    """Dwellings expected to be completed (and first occupied) in one year in one district:
    the housing pipeline the scenario ``wohnungsbau`` adds occupants for."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    dwellings = models.PositiveIntegerField(_("Wohnungen"))
    source = models.ForeignKey(
        HousingImport, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["year", "district__code"]
        verbose_name = _("geplante Wohnungen")
        verbose_name_plural = _("geplante Wohnungen")
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="planned_dwellings_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year}: {self.dwellings}"
