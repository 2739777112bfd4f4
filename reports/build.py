"""A report made into its document, in one language, at its pinned data state or on the current
data; and whether a later release changed any number the pinned report states."""

import datetime
import hashlib
from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.presenters import sources
from indicators.selectors import one_read
from indicators.services.downloads import DEMO_NOTE, licence

from . import blocks
from . import document as doc
from .models import Chapter, Report
from .text import html, paragraphs


@dataclass(frozen=True)
class ChapterDraft:
    """A chapter as the editor holds it, saved or not: the preview renders unsaved ones."""

    heading: str
    heading_en: str
    text: str
    text_en: str
    blocks: list[tuple[str, dict]]  # (kind, settings)


def chapters_of(report: Report) -> list[ChapterDraft]:
    chapters = Chapter.objects.filter(report=report).prefetch_related("blocks")
    return [
        ChapterDraft(
            c.heading,
            c.heading_en,
            c.text,
            c.text_en,
            [(b.kind, b.settings) for b in c.blocks.all()],
        )
        for c in chapters
    ]


def revision(report: Report) -> str:
    """A digest of everything the report says apart from the data: its fields, chapters and
    blocks. Kept documents and files carry it, so an edit is never served stale."""
    content = [
        report.slug,
        report.title,
        report.title_en,
        report.author,
        str(report.bezirk_id),
        str(report.release_id),
        str(report.is_demo),
        str(report.status),
        str(report.published_at),
        *(repr(chapter) for chapter in chapters_of(report)),
    ]
    digest = hashlib.sha256("\n".join(content).encode(), usedforsecurity=False)
    return digest.hexdigest()[:16]


def as_of(report: Report) -> datetime.datetime | None:
    """The moment the report reads its numbers at: its release's publication; a draft without
    one reads the current data, as it would if published now."""
    return report.release.published_at if report.release_id else None


def build(
    report: Report,
    *,
    language: str,
    current: bool = False,
    chapters: list[ChapterDraft] | None = None,
    site: str = "",
) -> doc.Document:
    """The report as a document; ``current`` reads today's data instead of the pinned state."""
    moment = None if current else as_of(report)
    scope = blocks.Scope(bezirk=report.bezirk, as_of=moment, site=site)
    drafts = chapters if chapters is not None else chapters_of(report)
    # The blocks ask for the same few tables again and again: each is built once per document.
    with translation.override(language), one_read(as_of=moment):
        built = tuple(_chapter(draft, scope, language, n) for n, draft in enumerate(drafts, 1))
        used = _indicators(drafts)
        terms = licence()
        return doc.Document(
            language=language,
            title=report.title_in(language),
            author=report.author,
            scope=report.bezirk.name if report.bezirk else _("Stadt Bottrop"),
            state=_state(report, moment),
            written=_date(report.published_at or timezone.now()),
            written_on=timezone.localtime(report.published_at or timezone.now()).date(),
            sources=tuple(sources(used)),
            licence=terms.name,
            licence_url=terms.url,
            attribution=terms.attribution,
            demo=report.is_demo or any(i.is_demo for i in used),
            demo_note=_(DEMO_NOTE),
            chapters=built,
            url=site + reverse("report", kwargs={"slug": report.slug}),
            notes=(
                _("≈ ungefähr: über Gebiete umgerechnet, deren Grenzen nicht ineinander liegen."),
                _(". geheim: zum Schutz einzelner Personen nicht veröffentlicht."),
                _(
                    "„signifikant“: das 95-%-Konfidenzintervall des Gebiets schließt den Wert "
                    "der Stadt aus."
                ),
            ),
        )


def _chapter(draft: ChapterDraft, scope: blocks.Scope, language: str, number: int) -> doc.Chapter:
    heading = draft.heading_en if language == "en" and draft.heading_en else draft.heading
    text = draft.text_en if language == "en" and draft.text_en else draft.text
    built = []
    for kind, settings in draft.blocks:
        built += blocks.render(kind, settings, scope)
    return doc.Chapter(
        heading=heading,
        anchor=f"k{number}-{slugify(draft.heading)[:40]}",
        text=paragraphs(text),
        blocks=tuple(built),
        html=html(text),
    )


def _indicators(drafts: list[ChapterDraft]) -> list[Indicator]:
    slugs = set()
    for draft in drafts:
        for _kind, settings in draft.blocks:
            slugs.update(settings.get("indicators") or [])
            slugs.update(s for s in (settings.get("indicator"), settings.get("y")) if s)
    return list(Indicator.objects.filter(slug__in=slugs).order_by("slug"))


def _date(moment: datetime.datetime) -> str:
    day = timezone.localtime(moment).date()
    if translation.get_language() == "en":
        return day.strftime("%-d %B %Y")
    return formats.date_format(day, "j. F Y")


def _state(report: Report, moment: datetime.datetime | None) -> str:
    if moment is None:
        return _("aktueller Datenstand (%(date)s)") % {"date": _date(timezone.now())}
    release = report.release
    if release.withdrawn_at is not None:
        return _("%(date)s (Veröffentlichung „%(title)s“, am %(withdrawn)s zurückgezogen)") % {
            "date": _date(moment),
            "title": release.title,
            "withdrawn": _date(release.withdrawn_at),
        }
    return _("%(date)s (Veröffentlichung „%(title)s“)") % {
        "date": _date(moment),
        "title": release.title,
    }


def figures(document: doc.Document) -> list[tuple]:
    """Every number the document states, in order: equal for two documents exactly when they
    state the same numbers (dates of the state and of writing aside)."""
    stated = []
    for chapter in document.chapters:
        for block in chapter.blocks:
            if isinstance(block, doc.Table):
                stated.append(block.rows)
            elif isinstance(block, doc.Figure):
                stated.append(block.table.rows)
            elif isinstance(block, doc.KeyFigures):
                stated.append(tuple((k.value, k.reference, k.change) for k in block.items))
            elif isinstance(block, doc.Findings):
                stated.append(tuple(s.text for s in block.items))
    return stated
