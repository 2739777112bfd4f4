"""Atom feeds of the releases under /daten/: every publication and every withdrawal as an entry
with its date, what it changed (indicators, years, areas) and links to its files; one feed for
all data and one per theme.

Django's syndication framework writes the feed; the entries' file links (rel="related", one per
format) and the licence (rel="license", rights) are added to its Atom writer.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from indicators.models import Release, Theme
from indicators.selectors import ReleaseChange, release_changes
from indicators.services import downloads

from .downloads import refuse_unknown_parameters
from .pagecache import shared_page

# Entries per feed: a feed reader wants the recent changes, the page /daten/ lists them all.
ENTRIES = 50


class ReleaseAtom(Atom1Feed):
    """Atom with the licence of the data and the files of each entry."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("link", "", {"rel": "license", "href": self.feed["licence_url"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for url, media_type, title in item["files"]:
            attributes = {"rel": "related", "href": url, "type": media_type, "title": title}
            handler.addQuickElement("link", "", attributes)


@dataclass(frozen=True)
class Entry:
    """A release published or withdrawn: one entry of the feed."""

    change: ReleaseChange
    withdrawn: bool
    moment: datetime


def entries(changes: list[ReleaseChange]) -> list[Entry]:
    """The publication of every release, and the withdrawal of those withdrawn, newest first."""
    found = []
    for change in changes:
        release = change.release
        found.append(Entry(change, False, release.published_at))
        if release.status == Release.Status.WITHDRAWN and release.withdrawn_at:
            found.append(Entry(change, True, release.withdrawn_at))
    return sorted(found, key=lambda e: (e.moment, e.withdrawn), reverse=True)


def summary(change: ReleaseChange) -> str:
    """What a release changed: which indicators, which years, how many areas of which level."""
    names = [i.name for i in change.indicators]
    parts = [
        ngettext("%(n)d Indikator: %(names)s", "%(n)d Indikatoren: %(names)s", len(names))
        % {"n": len(names), "names": ", ".join(names)}
    ]
    if change.first_year is not None:
        years = str(change.first_year)
        if change.last_year != change.first_year:
            years += f"–{change.last_year}"
        parts.append(gettext("Jahre %(years)s") % {"years": years})
    if change.areas:
        areas = ", ".join(
            f"{n} {level.name_plural if n != 1 else level.name}" for level, n in change.areas
        )
        parts.append(gettext("Gebiete: %(areas)s") % {"areas": areas})
    if any(i.is_demo for i in change.indicators):
        parts.append(gettext("Demodaten: synthetisch erzeugt, nicht amtlich"))
    return "; ".join(parts) + "."


class ReleaseFeed(Feed):
    feed_type = ReleaseAtom

    def get_object(self, request, theme: str | None = None) -> dict:
        return {
            "theme": get_object_or_404(Theme, slug=theme) if theme else None,
            "absolute": request.build_absolute_uri,
            "url": request.build_absolute_uri(request.path),
        }

    def feed_guid(self, obj) -> str:
        return obj["url"]

    def title(self, obj) -> str:
        title = gettext("Demografie- und Sozialatlas %(city)s: Datenstände") % {
            "city": settings.ATLAS_CITY_NAME
        }
        if obj["theme"]:
            title += f" – {obj['theme'].name}"
        return title

    def subtitle(self, obj) -> str:
        return gettext(
            "Jeder veröffentlichte und jeder zurückgezogene Datenstand: wann, was er ändert "
            "(Indikatoren, Jahre, Gebiete) und seine Dateien."
        )

    def link(self, obj) -> str:
        return reverse("downloads:index")

    def author_name(self, obj) -> str:
        return downloads.publisher()

    def feed_copyright(self, obj) -> str:
        lic = downloads.licence(obj["theme"].slug if obj["theme"] else None)
        return f"{lic.name} ({lic.identifier}), {lic.url}; {lic.attribution}"

    def feed_extra_kwargs(self, obj) -> dict:
        return {"licence_url": downloads.licence(obj["theme"].slug if obj["theme"] else None).url}

    def items(self, obj) -> list[tuple[Entry, dict]]:
        theme = obj["theme"]
        changes = release_changes(theme_id=theme.pk if theme else None, limit=ENTRIES)
        return [(entry, obj) for entry in entries(changes)][:ENTRIES]

    def item_title(self, item) -> str:
        entry, _ = item
        words = {"title": entry.change.release.title, "number": entry.change.release.pk}
        if entry.withdrawn:
            return gettext("Datenstand „%(title)s“ (Nr. %(number)s) zurückgezogen") % words
        return gettext("Datenstand „%(title)s“ (Nr. %(number)s) veröffentlicht") % words

    def item_description(self, item) -> str:
        entry, _ = item
        text = summary(entry.change)
        if entry.withdrawn:
            return gettext(
                "Zurückgezogen: Seine Werte sind nicht mehr öffentlich; wo ein früherer "
                "Datenstand Werte hatte, gelten wieder diese. Er hatte geliefert: %(summary)s"
            ) % {"summary": text}
        return text

    def item_link(self, item) -> str:
        entry, _ = item
        return f"{reverse('downloads:index')}#datenstand-{entry.change.release.pk}"

    def item_guid(self, item) -> str:
        entry, obj = item
        event = "zurueckgezogen" if entry.withdrawn else "veroeffentlicht"
        return obj["absolute"](
            f"{reverse('downloads:index')}#datenstand-{entry.change.release.pk}-{event}"
        )

    def item_guid_is_permalink(self, item) -> bool:
        return False

    def item_pubdate(self, item) -> datetime:
        return item[0].change.release.published_at

    def item_updateddate(self, item) -> datetime:
        return item[0].moment

    def item_extra_kwargs(self, item) -> dict:
        entry, obj = item
        release = entry.change.release
        if entry.withdrawn or release.status != Release.Status.PUBLISHED:
            return {"files": []}  # its files answer 410, naming the releases in its place
        return {"files": files(release, obj["theme"], obj["absolute"])}


def files(release: Release, theme: Theme | None, absolute) -> list[tuple[str, str, str]]:
    """The release's files (of the theme): URL, media type, title."""
    query = f"&theme={theme.slug}" if theme else ""
    csv_url = reverse("downloads:release-csv", args=[release.pk])
    xlsx_url = reverse("downloads:release-xlsx", args=[release.pk])
    return [
        (absolute(f"{csv_url}?dialect=de{query}"), "text/csv", gettext("CSV (deutsch)")),
        (
            absolute(f"{csv_url}?dialect=international{query}"),
            "text/csv",
            gettext("CSV (international)"),
        ),
        (
            absolute(xlsx_url + (f"?theme={theme.slug}" if theme else "")),
            downloads.XLSX_TYPE,
            gettext("Excel (XLSX)"),
        ),
    ]


releases_feed = require_safe(refuse_unknown_parameters(shared_page(ReleaseFeed())))
