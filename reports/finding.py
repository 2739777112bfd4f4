"""A finding and the words every kind of finding is written with: both languages from one
rendering, values in each language's number format, lists of areas, notes for what is left
out, and the atlas view that shows it.

Every number a finding states is a number the read path publishes, or is computed from such
numbers alone, so a finding can tell nobody more than the published tables already do.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, override

from districts.models import District, Level
from indicators import units
from indicators.models import Indicator, Release
from indicators.presenters import shown
from indicators.selectors import AreaValue

LANGUAGES = ("de", "en")
# A view of the map holds at most this many chosen areas (atlas/forms.py, MAX_SELECTION).
MAX_CHOSEN = 6
# Longer lists of areas end in "and n more": a sentence, not a table.
MAX_NAMED = 10


@dataclass(frozen=True)
class Finding:
    kind: str  # "versus_city", "change", "trend_turned", "concentration", "social_index", …
    de: str  # the sentence in German (German number format)
    en: str  # the sentence in English (English number format)
    url: str  # the atlas view that shows it: path and query
    areas: tuple[str, ...] = ()  # codes of the areas it names


def written(kind: str, render: Callable[[], str], url: str, areas: Iterable[str] = ()) -> Finding:
    """A finding whose sentence ``render`` writes in the active language, once in each."""
    texts = {}
    for language in LANGUAGES:
        with override(language):
            texts[language] = render()
    return Finding(kind, texts["de"], texts["en"], url, tuple(areas))


def percent_unit(indicator: Indicator) -> bool:
    return (indicator.unit_de or "").strip() == "%"


def number(value: float, decimals: int, *, percent: bool = False, approximate: bool = False) -> str:
    """A number as a sentence writes it: in the language's format, with "%" where that is
    the unit (other units are named by the indicator), "rund" before an estimate."""
    text = shown(value, decimals)
    if percent:
        text += "\u00a0%"
    return _("rund %(value)s") % {"value": text} if approximate else text


def value(area: AreaValue, indicator: Indicator) -> str:
    """An area's value with the indicator's decimals and unit."""
    return number(
        area.cell.value,
        indicator.decimals,
        percent=percent_unit(indicator),
        approximate=area.approximate,
    )


def percent(share: float, *, approximate: bool = False) -> str:
    """A share (0–1) in %, to the one decimal shares of the city are shown with."""
    return number(100 * share, units.PERCENT_DECIMALS, percent=True, approximate=approximate)


def listed(items: Sequence[str]) -> str:
    """ "A, B und C"; beyond MAX_NAMED items, the first of them and "n weitere"."""
    items = list(items)
    if len(items) > MAX_NAMED:
        rest = len(items) - MAX_NAMED + 1
        items = [
            *items[: MAX_NAMED - 1],
            ngettext("%(n)s weiteres", "%(n)s weitere", rest) % {"n": rest},
        ]
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s und %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def areas_word(level: Level, count: int) -> str:
    """ "17 Bezirke", "3 Stadtbezirke", "5 Gebiete" (after "von": ``areas_dative``)."""
    if level.slug == "statistischer-bezirk":
        return ngettext("%(n)s Bezirk", "%(n)s Bezirke", count) % {"n": count}
    if level.slug == "stadtbezirk":
        return ngettext("%(n)s Stadtbezirk", "%(n)s Stadtbezirke", count) % {"n": count}
    return ngettext("%(n)s Gebiet", "%(n)s Gebiete", count) % {"n": count}


def areas_dative(level: Level, count: int) -> str:
    """ "17 Bezirken": a count after "von", "in", "für"."""
    if level.slug == "statistischer-bezirk":
        return npgettext("dative", "%(n)s Bezirk", "%(n)s Bezirken", count) % {"n": count}
    if level.slug == "stadtbezirk":
        return npgettext("dative", "%(n)s Stadtbezirk", "%(n)s Stadtbezirken", count) % {"n": count}
    return npgettext("dative", "%(n)s Gebiet", "%(n)s Gebieten", count) % {"n": count}


def not_published(level: Level, count: int) -> str:
    """The neutral note for areas left out because a value is withheld or missing."""
    if not count:
        return ""
    return " " + _("Für %(areas)s wird kein Wert veröffentlicht.") % {
        "areas": areas_word(level, count)
    }


def marks(areas: Iterable[AreaValue | None]) -> str:
    """A note where a value the sentence states is provisional or estimated."""
    statuses = [a.cell.status for a in areas if a is not None and a.has_value]
    note = ""
    if statuses and all(status == "provisional" for status in statuses):
        note += " " + _("Die Werte sind vorläufig.")
    elif "provisional" in statuses:
        note += " " + _("Die Werte sind zum Teil vorläufig.")
    if "estimated" in statuses:
        note += " " + _("Die Werte sind zum Teil geschätzt.")
    return note


def published(area: AreaValue | None) -> bool:
    """The area has a number to state (not withheld, not missing)."""
    return area is not None and area.has_value


def unstated(areas: Iterable[AreaValue | None]) -> int:
    """How many of the areas have no number to state: withheld, missing or not applicable."""
    return sum(1 for a in areas if not published(a))


def view_url(
    *,
    indicator: Indicator | None,
    level: Level,
    year: int,
    within: District | None = None,
    as_of: datetime.datetime | None = None,
    **extra: str,
) -> str:
    """The map view that shows a finding, with the query keys of the map's URL
    (static/atlas/js/map/state.js): a Bezirk's view under /bezirk/<code>/, a pinned state as
    the release published at ``as_of``."""
    if within is not None:
        path = reverse("bezirk", args=[within.code])
        query = {}
    else:
        path = reverse("map")
        query = {} if level.slug == "statistischer-bezirk" else {"level": level.slug}
    if indicator is not None:
        query = {"indicator": indicator.slug, **query}
    query["year"] = str(year)
    query.update({key: text for key, text in extra.items() if text})
    if as_of is not None:
        release = (
            Release.objects.filter(status=Release.Status.PUBLISHED, published_at=as_of)
            .values_list("pk", flat=True)
            .first()
        )
        if release is not None:
            query["release"] = str(release)
    return f"{path}?{urlencode(query, safe=',')}"


def chosen(codes: Sequence[str]) -> str:
    """The map's "sel" parameter for the first areas a finding names."""
    return ",".join(codes[:MAX_CHOSEN])
