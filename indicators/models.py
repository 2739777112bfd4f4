import itertools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from districts.models import District

from .querysets import ObservationQuerySet
from .supply import supply_types


def _localised(obj, field: str) -> str:
    """The English text where the interface is English and one exists, else the German."""
    if get_language() == "en":
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_de")
    return getattr(obj, f"{field}_de")


class Theme(models.Model):
    """A Themenfeld grouping indicators (Bevölkerung, Arbeit und SGB II, …)."""

    slug = models.SlugField(_("Kennung"), unique=True)
    name_de = models.CharField(_("Name (deutsch)"), max_length=120)
    name_en = models.CharField(_("Name (englisch)"), max_length=120)
    description_de = models.TextField(_("Beschreibung (deutsch)"), blank=True)
    description_en = models.TextField(_("Beschreibung (englisch)"), blank=True)
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("Themenfeld")
        verbose_name_plural = _("Themenfelder")

    def __str__(self) -> str:
        return self.name_de

    @property
    def name(self) -> str:
        return _localised(self, "name")


# A map shows 3 to 7 classes: fewer say too little, more cannot be told apart by colour. The
# model, the API, the map page and its script, and the published files all take them from here.
MIN_CLASSES, MAX_CLASSES = 3, 7
CLASS_COUNTS = range(MIN_CLASSES, MAX_CLASSES + 1)


def breaks_problem(breaks) -> str:
    """Why a list of manual class limits is unusable, or "" when it is fine."""
    if not isinstance(breaks, list):
        return _("Klassengrenzen müssen eine Liste von Zahlen sein.")
    if not breaks:
        return ""
    if not all(isinstance(b, int | float) and not isinstance(b, bool) for b in breaks):
        return _("Klassengrenzen müssen Zahlen sein.")
    if not MIN_CLASSES - 1 <= len(breaks) <= MAX_CLASSES - 1:
        return _(
            "Es braucht %(fewest)d bis %(most)d Klassengrenzen (%(min)d bis %(max)d Klassen)."
        ) % {"fewest": MIN_CLASSES - 1, "most": MAX_CLASSES - 1, "min": MIN_CLASSES,
             "max": MAX_CLASSES}  # fmt: skip
    if any(a >= b for a, b in itertools.pairwise(breaks)):
        return _("Klassengrenzen müssen aufsteigend sein.")
    return ""


class Indicator(models.Model):
    """A statistic with the metadata needed to compute, roll up, classify and explain it."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Anzahl")
        RATE = "rate", _("Quote (Zähler / Nenner × Faktor)")
        MEAN = "mean", _("Mittelwert")
        MEDIAN = "median", _("Median")
        INDEX = "index", _("Index")

    class Polarity(models.TextChoices):
        HIGHER_BETTER = "higher_better", _("höher ist besser")
        HIGHER_WORSE = "higher_worse", _("höher ist schlechter")
        NEUTRAL = "neutral", _("neutral")

    class Computation(models.TextChoices):
        NONE = "", _("aus Beobachtungen")
        SOCIAL_STATUS = "social_status", _("Sozialindex: Status")
        SOCIAL_DYNAMICS = "social_dynamics", _("Sozialindex: Dynamik")
        FACILITY_COUNT = "facility_count", _("Angebote: Anzahl")
        FACILITY_PLACES = "facility_places", _("Angebote: Plätze je 100 der Zielgruppe")
        FACILITY_PERSONS = "facility_persons", _("Angebote: Personen der Zielgruppe je Angebot")

    class Classification(models.TextChoices):
        QUANTILES = "quantiles", _("Quantile")
        EQUAL_INTERVAL = "equal_interval", _("Gleiche Intervalle")
        NATURAL_BREAKS = "natural_breaks", _("Natürliche Brüche (Fisher-Jenks)")
        STD_MEAN = "std_mean", _("Standardabweichung")
        MANUAL = "manual", _("Manuelle Grenzen")

    class Sex(models.TextChoices):
        NONE = "", _("keine Angabe")
        MALE = "m", _("männlich")
        FEMALE = "w", _("weiblich")

    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("Themenfeld")
    )
    name_de = models.CharField(_("Name (deutsch)"), max_length=200)
    name_en = models.CharField(_("Name (englisch)"), max_length=200)
    short_name_de = models.CharField(_("Kurzname (deutsch)"), max_length=60)
    short_name_en = models.CharField(_("Kurzname (englisch)"), max_length=60)
    definition_de = models.TextField(_("Definition (deutsch)"))
    definition_en = models.TextField(_("Definition (englisch)"), blank=True)
    unit_de = models.CharField(_("Einheit (deutsch)"), max_length=60, blank=True)
    unit_en = models.CharField(_("Einheit (englisch)"), max_length=60, blank=True)
    # The words people type when they look for the indicator, beside its name: the map's
    # search finds it by them too.
    keywords_de = models.TextField(
        _("Suchwörter (deutsch)"),
        blank=True,
        help_text=_(
            "Andere Wörter, unter denen man den Indikator sucht, durch Komma getrennt, "
            "z. B. „Senioren, Ältere, über 65“."
        ),
    )
    keywords_en = models.TextField(
        _("Suchwörter (englisch)"),
        blank=True,
        help_text=_("Dasselbe für die englische Seite, z. B. „seniors, elderly, over 65“."),
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    is_proportion = models.BooleanField(
        _("Anteil"),
        default=False,
        help_text=_("Der Zähler ist eine Teilmenge des Nenners (Zähler ≤ Nenner)."),
    )
    numerator_de = models.CharField(_("Zähler (deutsch)"), max_length=300, blank=True)
    numerator_en = models.CharField(_("Zähler (englisch)"), max_length=300, blank=True)
    denominator_de = models.CharField(_("Nenner (deutsch)"), max_length=300, blank=True)
    denominator_en = models.CharField(_("Nenner (englisch)"), max_length=300, blank=True)
    denominator_is_count = models.BooleanField(
        _("Nenner zählt Personen"),
        default=True,
        help_text=_(
            "Der Nenner ist eine Fallzahl und unterliegt der Geheimhaltung "
            "(nicht z. B. eine Fläche)."
        ),
    )
    factor = models.FloatField(_("Faktor"), default=1)
    decimals = models.PositiveSmallIntegerField(_("Nachkommastellen"), default=1)
    polarity = models.CharField(
        _("Polarität"), max_length=15, choices=Polarity.choices, default=Polarity.NEUTRAL
    )
    # The German source keeps its plain name: the API and the downloads have called it
    # "source" from the start.
    source = models.CharField(_("Quelle"), max_length=300)
    source_en = models.CharField(_("Quelle (englisch)"), max_length=300, blank=True)
    licence = models.CharField(_("Lizenz"), max_length=100, blank=True)
    notes_de = models.TextField(_("Hinweise (deutsch)"), blank=True)
    notes_en = models.TextField(_("Hinweise (englisch)"), blank=True)
    is_demo = models.BooleanField(
        _("Demodaten"), default=False, help_text=_("Synthetische Werte, nicht amtlich.")
    )
    classification_method = models.CharField(
        _("Klassifizierung"),
        max_length=15,
        choices=Classification.choices,
        default=Classification.QUANTILES,
    )
    classification_classes = models.PositiveSmallIntegerField(_("Klassenanzahl"), default=5)
    classification_breaks = models.JSONField(
        _("Manuelle Klassengrenzen"),
        default=list,
        blank=True,
        help_text=_(
            "Obergrenzen der Klassen außer der letzten, aufsteigend, z. B. [10, 20, 30]; "
            "gilt bei der Klassifizierung „Manuelle Grenzen“."
        ),
    )
    palette = models.CharField(_("Farbpalette"), max_length=20, default="YlOrRd")
    disclosure_threshold = models.PositiveSmallIntegerField(
        _("Geheimhaltungsschwelle"),
        default=3,
        help_text=_("Werte mit kleinerer Fallzahl werden als „.“ (geheim) gezeigt."),
    )
    computation = models.CharField(
        _("Berechnung"),
        max_length=20,
        choices=Computation.choices,
        default=Computation.NONE,
        blank=True,
        help_text=_(
            "Berechnete Indikatoren werden nicht hochgeladen, sondern aus anderen ermittelt."
        ),
    )
    components = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="composites",
        verbose_name=_("Bestandteile"),
        help_text=_(
            "Indikatoren, aus denen dieser gebildet ist (Geburten und Sterbefälle für den "
            "natürlichen Saldo): Wo ein Bestandteil gesperrt ist, wird auch dieser gesperrt."
        ),
    )
    # Counts by sex and age group together form the population pyramid of the profile.
    sex = models.CharField(
        _("Geschlecht"), max_length=1, choices=Sex.choices, default=Sex.NONE, blank=True
    )
    age_group = models.CharField(
        _("Altersgruppe"),
        max_length=20,
        blank=True,
        help_text=_("z. B. „0–9“ oder „90+“; leer, wenn der Indikator nicht nach Alter gilt."),
    )
    age_from = models.PositiveSmallIntegerField(
        _("Alter von"),
        null=True,
        blank=True,
        help_text=_("Untere Altersgrenze der Gruppe in Jahren, für die Reihenfolge."),
    )
    facility_type = models.SlugField(
        _("Angebotsart"),
        max_length=50,
        blank=True,
        help_text=_("Kennung der Angebotsart, die ein Angebots-Indikator zählt."),
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        ordering = ["theme__order", "order", "slug"]
        verbose_name = _("Indikator")
        verbose_name_plural = _("Indikatoren")
        constraints = [
            models.CheckConstraint(condition=Q(factor__gt=0), name="indicator_factor_positive"),
            models.CheckConstraint(
                condition=Q(classification_classes__gte=MIN_CLASSES)
                & Q(classification_classes__lte=MAX_CLASSES),
                name=f"indicator_classes_{MIN_CLASSES}_to_{MAX_CLASSES}",
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=6), name="indicator_decimals_at_most_6"
            ),
            models.CheckConstraint(
                condition=~Q(is_proportion=True) | Q(kind="rate"),
                name="indicator_proportion_is_rate",
            ),
        ]

    def __str__(self) -> str:
        return self.name_de

    def clean(self):
        self._keep_what_stored_values_depend_on()
        if self.disclosure_threshold is not None and (
            self.disclosure_threshold < self.disclosure_floor
        ):
            raise ValidationError(
                {
                    "disclosure_threshold": _(
                        "Die Geheimhaltungsschwelle darf nicht unter %(floor)d liegen "
                        "(Mindestschwelle ATLAS_DISCLOSURE_FLOOR)."
                    )
                    % {"floor": self.disclosure_floor}
                }
            )
        if self.computation in FACILITY_COMPUTATIONS and (
            self.facility_type not in supply_types([self.facility_type])
        ):
            raise ValidationError(
                {"facility_type": _("Angebots-Indikatoren brauchen eine bekannte Angebotsart.")}
            )
        problem = breaks_problem(self.classification_breaks)
        if problem:
            raise ValidationError({"classification_breaks": problem})
        if self.classification_method == self.Classification.MANUAL and not (
            self.classification_breaks
        ):
            raise ValidationError(
                {"classification_breaks": _("Manuelle Grenzen brauchen Klassengrenzen.")}
            )

    def _keep_what_stored_values_depend_on(self) -> None:
        """The kind and the computation decide how stored values roll up and whether they are
        withheld at all (an index has no case count to hold against the threshold): once an
        indicator has values, changing them would publish its withheld cells."""
        if self._state.adding or not self.observations.exists():
            return
        stored = Indicator.objects.filter(pk=self.pk).values("kind", "computation").first()
        errors = {
            name: _(
                "Lässt sich nicht ändern, solange Werte zu diesem Indikator gespeichert sind: "
                "davon hängen Zusammenfassung und Geheimhaltung der Werte ab. Bitte einen neuen "
                "Indikator anlegen."
            )
            for name in ("kind", "computation")
            if stored is not None and stored[name] != getattr(self, name)
        }
        if errors:
            raise ValidationError(errors)

    @property
    def disclosure_floor(self) -> int:
        """The lowest threshold this indicator may have (ATLAS_DISCLOSURE_FLOOR).

        Supply indicators are computed from the facility register, whose places are public
        anyway: they count facilities, not persons, so no floor applies to them.
        """
        if self.computation in FACILITY_COMPUTATIONS:
            return 0
        return settings.ATLAS_DISCLOSURE_FLOOR

    @property
    def applied_threshold(self) -> int:
        """The threshold the read path applies: the stored one, never below the floor.

        The floor holds here too, so that a threshold lowered around clean() (a queryset
        update, an old row) still discloses nothing.
        """
        return max(self.disclosure_threshold, self.disclosure_floor)

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def short_name(self) -> str:
        return _localised(self, "short_name")

    @property
    def unit(self) -> str:
        return _localised(self, "unit")

    @property
    def definition(self) -> str:
        return _localised(self, "definition")

    @property
    def keywords(self) -> str:
        return _localised(self, "keywords")

    @property
    def notes(self) -> str:
        return _localised(self, "notes")

    @property
    def numerator(self) -> str:
        return _localised(self, "numerator")

    @property
    def denominator(self) -> str:
        return _localised(self, "denominator")

    @property
    def localised_source(self) -> str:
        """The source in the page's language (``source`` is the German one)."""
        if get_language() == "en":
            return self.source_en or self.source
        return self.source


FACILITY_COMPUTATIONS = (
    Indicator.Computation.FACILITY_COUNT,
    Indicator.Computation.FACILITY_PLACES,
    Indicator.Computation.FACILITY_PERSONS,
)
SOCIAL_INDEX_COMPUTATIONS = (
    Indicator.Computation.SOCIAL_STATUS,
    Indicator.Computation.SOCIAL_DYNAMICS,
)


class Release(models.Model):
    """A Datenstand: one upload of values, public only once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    title = models.CharField(_("Titel"), max_length=200)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source_file = models.FileField(_("Quelldatei"), upload_to="releases/%Y/", blank=True)
    source_filename = models.CharField(_("Dateiname"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    note = models.TextField(_("Bemerkung"), blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
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
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Datenstand")
        verbose_name_plural = _("Datenstände")
        permissions = [
            ("publish_release", _("Kann Datenstände veröffentlichen und zurückziehen")),
            ("import_all_themes", _("Kann Werte aller Themenfelder hochladen")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="release_sha256_hex",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="release_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Observation(models.Model):
    """One value of an indicator for a district and year, as delivered in a release."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("normal")
        PROVISIONAL = "provisional", _("vorläufig")
        ESTIMATED = "estimated", _("geschätzt")
        SECRET = ".", _("„.“ Zahlenwert unbekannt oder geheim zu halten")
        NOTHING = "-", _("„-“ nichts vorhanden")
        NOT_APPLICABLE = "x", _("„x“ Tabellenfach gesperrt, weil Aussage nicht sinnvoll")
        UNRELIABLE = "/", _("„/“ keine Angabe, da Zahlenwert nicht sicher genug")
        NOT_YET = "...", _("„...“ Angabe fällt später an")

    # Statuses that carry a number; the DIN 55301 symbols stand in place of one.
    WITH_VALUE = (Status.NORMAL, Status.PROVISIONAL, Status.ESTIMATED)

    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="observations", verbose_name=_("Datenstand")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("Indikator"),
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="observations", verbose_name=_("Gebiet")
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    reference_date = models.DateField(_("Stichtag"))
    value = models.FloatField(_("Wert"), null=True, blank=True)
    numerator = models.FloatField(_("Zähler"), null=True, blank=True)
    denominator = models.FloatField(_("Nenner"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=11, choices=Status.choices, default=Status.NORMAL
    )
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Beobachtung")
        verbose_name_plural = _("Beobachtungen")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "district", "year", "release"],
                name="observation_unique_per_release",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="observation_denominator_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["normal", "provisional", "estimated"]) & Q(value__isnull=False)
                )
                | (
                    Q(status__in=[".", "-", "x", "/", "..."])
                    & Q(value__isnull=True, numerator__isnull=True, denominator__isnull=True)
                ),
                name="observation_value_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900) & Q(year__lte=2100), name="observation_year_range"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year"])]

    def __str__(self) -> str:
        return f"{self.indicator.slug} {self.district.code} {self.year}"


class ThemeAccess(models.Model):
    """Which themes the members of a group (a department) may upload values for."""

    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="theme_access",
        verbose_name=_("Gruppe"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="access", verbose_name=_("Themenfeld")
    )

    class Meta:
        verbose_name = _("Themenfreigabe")
        verbose_name_plural = _("Themenfreigaben")
        constraints = [
            models.UniqueConstraint(fields=["group", "theme"], name="theme_access_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.theme}"


def allowed_theme_ids(user) -> set[int] | None:
    """The themes whose raw data the user may see and upload: None for all (statisticians,
    superusers), else those released to the user's groups (ThemeAccess)."""
    if user is None or user.has_perm("indicators.import_all_themes"):
        return None
    return set(ThemeAccess.objects.filter(group__user=user).values_list("theme_id", flat=True))


class ColumnMapping(models.Model):
    """How the columns of a source's files map to the atlas's, remembered per source and theme.

    A mapping belongs to the theme it is for: departments read and change only those of their
    themes; one without a theme is shared and only statisticians keep it.
    """

    source = models.CharField(_("Quelle"), max_length=120)
    theme = models.ForeignKey(
        Theme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="column_mappings",
        verbose_name=_("Themenfeld"),
        help_text=_("Leer: gemeinsame Zuordnung, nur von der Statistikstelle zu ändern."),
    )
    mapping = models.JSONField(
        _("Zuordnung"),
        default=dict,
        help_text=_(
            "Spalte der Datei → Ziel: gebiet (area), ebene (level), jahr (year), "
            "indikator (indicator), wert (value), zaehler (numerator), nenner (denominator), "
            "status, hinweis (note), ignore, oder „indicator:<Kennung>“ bzw. "
            "„indicator:<Kennung>:<Jahr>“."
        ),
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geändert von"),
    )

    class Meta:
        ordering = ["source", "theme__order", "theme__slug"]
        verbose_name = _("Spaltenzuordnung")
        verbose_name_plural = _("Spaltenzuordnungen")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "theme"], name="column_mapping_unique_per_theme"
            ),
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(theme__isnull=True),
                name="column_mapping_unique_shared",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.theme})" if self.theme_id else self.source


class Identity(models.Model):
    """Numbers of indicators that are equal in every area and year: one indicator's number is
    the signed sum of others' (Einwohner = the 20 age bands; the SGB-II numerator = persons
    in Bedarfsgemeinschaften). Disclosure control withholds the cells of linked indicators
    together, so that no withheld cell follows from the others."""

    class Part(models.TextChoices):
        VALUE = "value", _("Wert")
        NUMERATOR = "numerator", _("Zähler")
        DENOMINATOR = "denominator", _("Nenner")

    # How a term names its part: "slug.zaehler"; English names are understood too.
    PART_NAMES = {
        "wert": Part.VALUE,
        "value": Part.VALUE,
        "zaehler": Part.NUMERATOR,
        "zähler": Part.NUMERATOR,
        "numerator": Part.NUMERATOR,
        "nenner": Part.DENOMINATOR,
        "denominator": Part.DENOMINATOR,
    }

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="identities",
        verbose_name=_("Indikator"),
    )
    part = models.CharField(_("Teil"), max_length=12, choices=Part.choices, default=Part.VALUE)
    terms = models.TextField(
        _("Summe aus"),
        help_text=_(
            "Indikatoren mit Vorzeichen, z. B. „bevoelkerung-m-0-9 + bevoelkerung-w-0-9“ "
            "oder „geburtenrate.zaehler − sterberate.zaehler“; Teile: .wert, .zaehler, "
            ".nenner (ohne Angabe der Wert einer Anzahl, der Zähler einer Quote)."
        ),
    )
    terms_year = models.PositiveSmallIntegerField(
        _("Jahr der Summe"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_(
            "Leer: die Summe aus demselben Jahr. Ein Jahr: die Summe stammt in jedem Jahr aus "
            "diesem, z. B. der Nenner eines Index zum Basisjahr 2012 = Einwohner 2012."
        ),
    )
    note = models.CharField(_("Anmerkung"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Identität zwischen Indikatoren")
        verbose_name_plural = _("Identitäten zwischen Indikatoren")
        ordering = ["indicator__slug", "part"]

    def __str__(self) -> str:
        # The part as a term names it, so the line reads like the terms after it.
        part = {"value": "wert", "numerator": "zaehler", "denominator": "nenner"}[self.part]
        year = f" ({self.terms_year})" if self.terms_year else ""
        return f"{self.indicator.slug}.{part} = {' '.join(self.terms.split())}{year}"

    def clean(self):
        errors = {}
        try:
            terms = self.parsed_terms()
        except ValidationError as exc:
            errors["terms"] = exc.messages
            terms = []
        if self.indicator_id is not None:
            problem = _part_problem(self.indicator, self.part)
            if problem:
                errors["part"] = problem
            if any(t[0] == self.indicator.slug and t[1] == self.part for t in terms):
                errors["terms"] = _("Ein Indikator kann nicht Teil seiner eigenen Summe sein.")
        if errors:
            raise ValidationError(errors)

    def parsed_terms(self, indicators: dict | None = None) -> list[tuple[str, str, int]]:
        """(slug, part, sign) of every term; ValidationError naming the term that is wrong.

        ``indicators`` (slug → Indicator, with its kind) spares a query when many identities
        are read at once; without it the named indicators are looked up.
        """
        # Slugs contain hyphens: a sign stands apart from its term, or leads it ("-a.zaehler").
        tokens = self.terms.replace("−", " - ").split()
        terms, sign = [], 1
        slugs = {}
        for token in tokens:
            if token in ("+", "-"):
                sign = 1 if token == "+" else -1
                continue
            if token[0] in "+-":
                sign, token = (1 if token[0] == "+" else -1), token[1:]
            slug, _dot, name = token.partition(".")
            slugs.setdefault(slug, None)
            part = self.PART_NAMES.get(name.lower()) if name else None
            if name and part is None:
                raise ValidationError(
                    _("„%(term)s“: unbekannter Teil „%(part)s“ (wert, zaehler oder nenner)")
                    % {"term": token, "part": name}
                )
            terms.append((slug, part, sign))
            sign = 1
        if not terms:
            raise ValidationError(_("Mindestens ein Indikator muss genannt sein."))
        known = (
            indicators
            if indicators is not None
            else {i.slug: i for i in Indicator.objects.filter(slug__in=slugs)}
        )
        result = []
        for slug, part, sign in terms:
            indicator = known.get(slug)
            if indicator is None:
                raise ValidationError(_("„%(slug)s“: kein Indikator") % {"slug": slug})
            part = part or _main_part(indicator)
            problem = _part_problem(indicator, part)
            if problem:
                raise ValidationError(f"„{slug}“: {problem}")
            result.append((slug, part, sign))
        return result


def _main_part(indicator: Indicator) -> str:
    return (
        Identity.Part.VALUE if indicator.kind == Indicator.Kind.COUNT else Identity.Part.NUMERATOR
    )


def _part_problem(indicator: Indicator, part: str) -> str:
    """Why the part cannot be used in an identity of this indicator, or ""."""
    kind = indicator.kind
    if kind == Indicator.Kind.COUNT and part == Identity.Part.VALUE:
        return ""
    if kind in (Indicator.Kind.RATE, Indicator.Kind.INDEX, Indicator.Kind.MEAN) and part in (
        Identity.Part.NUMERATOR,
        Identity.Part.DENOMINATOR,
    ):
        return ""
    return str(
        _("Ein Indikator der Art „%(kind)s“ hat keinen Teil „%(part)s“.")
        % {"kind": indicator.get_kind_display(), "part": Identity.Part(part).label}
    )
