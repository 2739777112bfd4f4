"""Checking one value of a file at a time, from its texts: the district valid in its year, a
known indicator that is not computed, numbers in the file's format, a status, and the rules of
the indicator's kind (a share between 0 and its factor, a count not negative, a value that fits
its numerator and denominator)."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.numbers import no_number, reader
from districts.models import District, Level
from indicators.models import Indicator, Observation

from ..export import restore_text
from .layout import YEARS, suggest

# Statuses as statisticians write them, German or English.
STATUS_NAMES = {
    "vorläufig": "provisional", "vorlaeufig": "provisional", "provisional": "provisional",
    "geschätzt": "estimated", "geschaetzt": "estimated", "estimated": "estimated",
    "normal": "normal",
}  # fmt: skip
SYMBOLS = {s.value for s in Observation.Status} - {s.value for s in Observation.WITH_VALUE}
STATUSES = frozenset(Observation.Status.values)
WITH_VALUE = frozenset(str(s.value) for s in Observation.WITH_VALUE)
NOTE_LENGTH = Observation._meta.get_field("note").max_length


def german(number: float) -> str:
    """A number for the import's German messages: six significant digits, decimal comma."""
    return f"{number:.6g}".replace(".", ",")


@dataclass
class Lookup:
    """Districts by level and code (every boundary version, as ids), indicators by slug."""

    # (level slug, code) → [(valid_from, valid_to, id)]
    versions: dict[tuple[str, str], list[tuple]]
    levels_of: dict[str, tuple[str, ...]]  # code → the slugs of its levels, sorted
    indicators: dict[str, Indicator]
    level_names: dict[str, str] = field(default_factory=dict)  # slug or name (lower) → slug
    names: dict[str, str] = field(default_factory=dict)  # code → name, for messages

    @classmethod
    def load(cls) -> "Lookup":
        versions: dict[tuple[str, str], list[tuple]] = {}
        levels_of: dict[str, set[str]] = {}
        names = {}
        # Ids and dates only: boundaries of thousands of districts are not needed here.
        for pk, code, name, level, valid_from, valid_to in District.objects.values_list(
            "id", "code", "name", "level__slug", "valid_from", "valid_to"
        ).order_by("valid_from"):
            versions.setdefault((level, code), []).append((valid_from, valid_to, pk))
            levels_of.setdefault(code, set()).add(level)
            names[code] = name  # the latest version's
        indicators = Indicator.objects.select_related("theme")
        level_names = {}
        for slug, name_de, name_en in Level.objects.values_list("slug", "name_de", "name_en"):
            for name in (slug, name_de, name_en):
                level_names[name.strip().lower()] = slug
        return cls(
            versions,
            {code: tuple(sorted(levels)) for code, levels in levels_of.items()},
            {i.slug: i for i in indicators},
            level_names,
            names,
        )

    def place(self, code: str) -> str:
        """The area of a code as a reader names it, "Altstadt (11)"; "" for an unknown one."""
        name = self.names.get(code)
        return f"{name} ({code})" if name else ""

    def district(self, level: str, code: str, day: datetime.date) -> int | None:
        """The id of the version of the district valid on ``day``."""
        for valid_from, valid_to, pk in self.versions.get((level, code), ()):
            if valid_from <= day and (valid_to is None or valid_to > day):
                return pk
        return None


@dataclass(frozen=True)
class Rules:
    """What the checks need of an indicator, read once instead of per row."""

    id: int
    slug: str
    computed: bool
    count: bool
    proportion: bool
    factor: float
    tolerance: float  # half a unit of the last decimal shown

    @classmethod
    def of(cls, indicator: Indicator) -> "Rules":
        return cls(
            indicator.id, indicator.slug, bool(indicator.computation),
            indicator.kind == Indicator.Kind.COUNT, indicator.is_proportion,
            indicator.factor, 0.5 * 10**-indicator.decimals,
        )  # fmt: skip


class Checker:
    """Checks one value at a time, from its texts, into a row for the staging table."""

    def __init__(self, lookup: Lookup, *, german: bool):
        self.lookup = lookup
        self.rules = {slug: Rules.of(i) for slug, i in lookup.indicators.items()}
        self.number = reader(german=german)
        self.no_number = no_number(german=german)
        self.years: dict[str, int | None] = {}
        self.days: dict[int | None, datetime.date] = {}
        self.suggestions: dict[tuple[str, str], str] = {}
        self.level_slugs = sorted(set(lookup.level_names.values()))

    def year(self, text: str) -> int | None:
        try:
            return self.years[text]
        except KeyError:
            pass
        try:
            year = int(text)
        except ValueError:
            year = None
        if year is not None and year not in YEARS:
            year = None
        self.years[text] = year
        return year

    def day(self, year: int | None) -> datetime.date:
        """The reference date of a year's values (31 Dec); today where the year is unknown."""
        day = self.days.get(year)
        if day is None:
            day = self.days[year] = datetime.date(year, 12, 31) if year else datetime.date.today()
        return day

    def suggest(self, kind: str, word: str) -> str:
        key = (kind, word)
        if key not in self.suggestions:
            options = {
                "indicator": self.lookup.indicators,
                "level": self.level_slugs,
                "area": self.lookup.levels_of,
            }[kind]
            self.suggestions[key] = suggest(word, options)
        return self.suggestions[key]

    def check(self, area, given, slug, year_text, value_text, numerator_text, denominator_text,
              status_text, note, *, explain: bool = True):  # fmt: skip
        """([(field, message)], staged row or None) for one value given as the texts of
        FIELDS. A row is staged once its key is known, even with errors in its numbers, so
        duplicates are found among all of them; it carries whether it is valid.

        Without ``explain``, messages leave out the suggestions (for errors not listed).
        """
        if area[:1] == "'" or note[:1] == "'":
            # The admin's export keeps text that looks like a formula behind an apostrophe.
            area, note = restore_text(area), restore_text(note)
        bad = []
        rules = self.rules.get(slug)
        if rules is None:
            hint = self.suggest("indicator", slug) if explain else ""
            bad.append(("indicator", "unbekannter Indikator" + hint))
        elif rules.computed:
            bad.append(("indicator", "wird vom Atlas berechnet und nicht hochgeladen"))
        year = self.year(year_text)
        if year is None:
            bad.append(("year", f"kein Jahr zwischen {YEARS.start} und {YEARS.stop - 1}"))
        district = None
        levels = self.lookup.levels_of.get(area, ())
        if given:
            level = self.lookup.level_names.get(given.lower(), "")
        else:
            level = levels[0] if len(levels) == 1 else ""
        if given and not level:
            hint = self.suggest("level", given) if explain else ""
            bad.append(("level", "unbekannte Ebene" + hint))
        elif not given and len(levels) > 1:
            bad.append(("area", "Schlüssel auf mehreren Ebenen vorhanden; Spalte „ebene“ angeben"))
        elif level in levels:
            district = self.lookup.district(level, area, self.day(year))
            if district is None and year is not None:
                bad.append(("area", f"Gebiet hatte am 31.12.{year} keine gültige Grenze"))
        else:
            hint = self.suggest("area", area) if explain else ""
            bad.append(("area", "unbekanntes Gebiet" + hint))

        symbol = value_text in SYMBOLS
        value = numerator = denominator = None
        if value_text and not symbol:
            value = self.number(value_text)
            if value is None:
                bad.append(("value", self.no_number))
        if numerator_text:
            numerator = self.number(numerator_text)
            if numerator is None:
                bad.append(("numerator", self.no_number))
        if denominator_text:
            denominator = self.number(denominator_text)
            if denominator is None:
                bad.append(("denominator", self.no_number))
        status = status_text or (value_text if symbol else "normal")
        status = STATUS_NAMES.get(status.lower(), status)
        if symbol and status == "normal":
            # A symbol typed over the number of an exported row, whose status says "normal".
            status = value_text
        if symbol and status in WITH_VALUE:
            bad.append(
                ("value", f"Zeichen „{value_text}“ statt einer Zahl, aber Status „{status_text}“")
            )
        elif status not in STATUSES:
            bad.append(
                ("status", "unbekannter Status; erlaubt: normal, vorläufig, geschätzt, . - x / ...")
            )
        elif status not in WITH_VALUE:
            beside = f"Zahl neben dem Zeichen „{status}“, das für keine Zahl steht"
            for name, number in (("value", value), ("numerator", numerator),
                                 ("denominator", denominator)):  # fmt: skip
                if number is not None:
                    bad.append((name, beside))
        if bad:
            return bad, None

        if value is None and status in WITH_VALUE:
            if numerator is not None and denominator:
                value = numerator / denominator * rules.factor
            else:
                bad.append(("value", "Wert fehlt"))
        if denominator is not None and denominator <= 0:
            bad.append(("denominator", "Nenner muss größer als 0 sein"))
        if rules.count and value is not None and value < 0:
            bad.append(("value", "Anzahl darf nicht negativ sein"))
        if rules.proportion and numerator is not None and denominator is not None:
            if numerator < 0:
                bad.append(("numerator", "Zähler darf nicht negativ sein"))
            elif numerator > denominator:
                bad.append(("numerator", "Zähler größer als Nenner"))
        if rules.proportion and value is not None and not 0 <= value <= rules.factor:
            bad.append(("value", f"Anteil außerhalb von 0 bis {german(rules.factor)}"))
        if value is not None and numerator is not None and denominator and denominator > 0:
            expected = numerator / denominator * rules.factor
            if abs(value - expected) > rules.tolerance + 1e-9 * abs(expected):
                expected_text = german(expected)
                # A corrected rate is a corrected count: say which cells to change with it.
                bad.append(
                    (
                        "value",
                        f"passt nicht zu Zähler/Nenner (erwartet {expected_text}); "
                        "Zähler oder Nenner mit ändern",
                    )
                )
        if len(note) > NOTE_LENGTH:
            bad.append(("note", _("länger als %(length)d Zeichen") % {"length": NOTE_LENGTH}))
        elif "\x00" in note:
            bad.append(("note", _("enthält ein Nullzeichen")))
        return bad, (rules.id, district, year, value, numerator, denominator, status, note,
                     not bad)  # fmt: skip
