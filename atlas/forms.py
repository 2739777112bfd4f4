"""The map page's query string, parsed by a form: what the map shows lives in the URL.

A value the map cannot show is no error page: a shared, old or mistyped link still opens the
map, on the default for that parameter (the first level, the default indicator, the
indicator's own classification, the latest year). Where the year asked for has no values the
map says which year it shows instead, and why (``MapState.year_note``).
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from core.http import BadParameter
from districts.models import District
from indicators.marks import between_surveys
from indicators.models import CLASS_COUNTS, Indicator
from indicators.presenters import survey_note
from indicators.selectors import available_years, indicator_levels
from projections.catalogue import DEFAULT_SCENARIO
from projections.model import SCENARIOS
from projections.series import Projected
from projections.values import covers, projection_of

MAP_LEVEL = "statistischer-bezirk"
# Levels a visitor can switch the map to (the city alone makes no map).
MAP_LEVELS = ["statistischer-bezirk", "stadtbezirk"]
# Districts a visitor can select for the chart at once.
MAX_SELECTION = 6


class DigitsField(forms.CharField):
    """A number written in ASCII digits, kept as written (no sign, no spaces)."""

    default_error_messages = {"invalid": forms.IntegerField.default_error_messages["invalid"]}

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def _text() -> forms.CharField:
    return forms.CharField(required=False, strip=False)


@dataclass(frozen=True)
class MapState:
    """What the map opens on, every default put in."""

    level: str
    indicators: list[Indicator]  # those with values on the level
    indicator: Indicator | None
    method: str
    classes: int
    breaks: str
    year: str | None
    year_note: str
    start: str  # "from": the first year of a change map, as the script reads it
    selection: list[str]
    chart: str
    scatter: str
    embed: bool
    release: str
    scenario: str
    projected_years: list[int]  # the years the map can show projected (none where pinned)
    projection: Projected | None


class MapQuery(forms.Form):
    level = forms.ChoiceField(choices=[(slug, slug) for slug in MAP_LEVELS], required=False)
    indicator = _text()
    year = DigitsField()
    method = forms.ChoiceField(choices=Indicator.Classification.choices, required=False)
    classes = forms.TypedChoiceField(
        choices=[(str(k), str(k)) for k in CLASS_COUNTS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    breaks = _text()
    sel = _text()
    chart = _text()
    y = _text()
    embed = forms.ChoiceField(choices=[("1", "1")], required=False)
    release = DigitsField()
    scenario = forms.ChoiceField(choices=[(s.slug, s.slug) for s in SCENARIOS], required=False)

    def __init__(self, data, *, within: District | None = None):
        super().__init__(data)
        # "from" is a Python keyword: no attribute of the class can have the name.
        self.fields["from"] = _text()
        self.within = within

    def state(self) -> MapState:
        """The parameters given and valid, the defaults for the others."""
        self.is_valid()
        given = self.cleaned_data
        # A Bezirk view shows the statistical districts of its Stadtbezirk.
        level = (given.get("level") or MAP_LEVEL) if self.within is None else MAP_LEVEL
        with_values = indicator_levels()
        indicators = [
            i
            for i in Indicator.objects.select_related("theme")
            if level in with_values.get(i.id, [])
        ]
        indicator = _chosen(indicators, given.get("indicator"))
        method = given.get("method") or (
            indicator.classification_method if indicator else "quantiles"
        )
        breaks = given.get("breaks", "")
        if method == "manual" and not breaks and indicator:
            breaks = ",".join(str(b) for b in indicator.classification_breaks)
        classes = given.get("classes") or (indicator.classification_classes if indicator else 5)
        scenario, found = _projection(indicator, given.get("scenario"))
        # A map pinned to a release shows what was published then: no projection.
        ahead = found.years if found and covers(found, level) and not given.get("release") else []
        year, year_note = shown_year(indicator, given.get("year") or "", ahead)
        return MapState(
            level=level,
            indicators=indicators,
            indicator=indicator,
            method=method,
            classes=classes,
            breaks=breaks,
            year=year,
            year_note=year_note,
            start=given.get("from", ""),
            selection=[code for code in given.get("sel", "").split(",") if code][:MAX_SELECTION],
            chart=given.get("chart", ""),
            scatter=given.get("y", ""),
            embed=given.get("embed") == "1",
            release=given.get("release", ""),
            scenario=scenario,
            projected_years=ahead,
            projection=found if ahead else None,
        )


def _projection(indicator: Indicator | None, asked: str | None) -> tuple[str, Projected | None]:
    """The scenario shown (the one asked for where the published run has it) and the run's
    quantiles of the indicator in it."""
    if indicator is None:
        return DEFAULT_SCENARIO, None
    try:
        found = projection_of(indicator, asked)
    except BadParameter:
        found = projection_of(indicator, DEFAULT_SCENARIO)
    return (found.scenario if found else DEFAULT_SCENARIO), found


def _chosen(indicators: list[Indicator], asked: str | None) -> Indicator | None:
    """The indicator asked for, else the atlas's default, else the first, of those offered."""
    by_slug = {i.slug: i for i in indicators}
    for slug in (asked, settings.ATLAS_DEFAULT_INDICATOR):
        if slug in by_slug:
            return by_slug[slug]
    return indicators[0] if indicators else None


def shown_year(
    indicator: Indicator | None, asked: str, projected_years: list[int] = ()
) -> tuple[str | None, str]:
    """The year the map opens on, and a note where that is not the year asked for.

    The year asked for where the indicator has values then or a projection, else the nearest
    earlier one with values (indicators differ: a statistic may be collected every other year,
    or its latest year may not be available yet); without a year, the latest with values.
    """
    years = available_years(indicator=indicator) if indicator else []
    if not years:
        return None, ""
    with_values = available_years(indicator=indicator, with_values=True) or years
    if not asked:
        return str(with_values[-1]), ""
    year = int(asked)
    if year in projected_years and year not in years:
        return str(year), ""
    earlier = [y for y in with_values if y <= year]
    shown = earlier[-1] if earlier else with_values[0]
    if shown == year:
        return str(shown), ""
    interval = between_surveys(year, with_values)
    if interval:
        note = _(
            "%(indicator)s %(collected)s: für %(year)s gibt es keinen Wert, gezeigt wird %(shown)s."
        )
    elif year > with_values[-1]:
        note = _("%(indicator)s: Für %(year)s liegen noch keine Werte vor, gezeigt wird %(shown)s.")
    else:
        note = _("%(indicator)s: Für %(year)s gibt es keine Werte, gezeigt wird %(shown)s.")
    facts = {"indicator": indicator.name, "year": year, "shown": shown}
    return str(shown), note % {**facts, "collected": survey_note(interval)}
