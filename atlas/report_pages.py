"""The published reports as pages, PDF and Word file (reports/ builds them; this is the site).

A report's document is built once per data state, report revision, language and site address
and kept in the shared cache; the PDF and the Word file are kept as files per state like the
fact sheet (atlas/kept.py). A report pinned to a release reads that release's state forever;
``?stand=aktuell`` shows the same report on the current data.
"""

import hashlib

from django.core.cache import cache
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.http import BadParameter
from indicators.models import Release
from reports.build import build, figures, revision
from reports.document import Document
from reports.models import Report

from .factsheet import local_fetcher
from .kept import Busy, kept, only
from .publicdata import public_state

TEMPLATE = "reports/report.html"
CURRENT = "aktuell"


def report_list(request):
    reports = Report.objects.public().select_related("bezirk")
    return render(request, "reports/list.html", {"reports": reports})


def report_page(request, slug: str):
    report = _published(slug)
    try:
        only(request, "stand")
        current = _current(request)
    except BadParameter as bad:
        return HttpResponse(bad.message, status=400, content_type="text/plain; charset=utf-8")
    document = kept_document(report, site=_site(request), current=current)
    return render(request, TEMPLATE, page_context(report, document, current=current))


def page_context(report: Report, document: Document, *, current: bool, for_print: bool = False):
    base = reverse("report", kwargs={"slug": report.slug})
    return {
        "report": report,
        "document": document,
        "current_view": current,
        "for_print": for_print,
        "pinned_url": base,
        "pdf_url": reverse("report-pdf", kwargs={"slug": report.slug}),
        "docx_url": reverse("report-docx", kwargs={"slug": report.slug}),
    }


def report_pdf(request, slug: str):
    report = _published(slug)
    try:
        only(request)
        site = _site(request)
        name = _file_name(report, site, "pdf")
        pdf = kept(name, lambda: pdf_of(report, site=site, request=request))
    except BadParameter as bad:
        return HttpResponse(bad.message, status=400, content_type="text/plain; charset=utf-8")
    except Busy as busy:
        return busy.response()
    return _attachment(pdf, "application/pdf", f"{report.slug}.pdf")


def report_docx(request, slug: str):
    from reports.word import word_file

    report = _published(slug)
    try:
        only(request)
        site = _site(request)
        name = _file_name(report, site, "docx")
        data = kept(name, lambda: word_file(kept_document(report, site=site)))
    except BadParameter as bad:
        return HttpResponse(bad.message, status=400, content_type="text/plain; charset=utf-8")
    except Busy as busy:
        return busy.response()
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return _attachment(data, mime, f"{report.slug}.docx")


def pdf_of(report: Report, *, site: str, request=None) -> bytes:
    from weasyprint import HTML

    document = kept_document(report, site=site)
    context = page_context(report, document, current=False, for_print=True)
    html = render_to_string(TEMPLATE, context, request=request)
    origin = site + "/"
    # PDF/UA-1: tagged, with headings, table headers and the figures' text alternatives.
    return HTML(string=html, base_url=origin, url_fetcher=local_fetcher(origin)).write_pdf(
        pdf_variant="pdf/ua-1"
    )


def kept_document(report: Report, *, site: str, current: bool = False) -> Document:
    """The report's document, from the shared cache where this state has built it already."""
    language = get_language() or "de"
    key = ":".join(
        ("report", public_state(), revision(report), language, str(current), _digest(site))
    )
    document = cache.get(key)
    if document is None:
        document = _with_newer_data(report, language=language, site=site, current=current)
        cache.set(key, document, timeout=24 * 3600)
    return document


def _with_newer_data(report: Report, *, language: str, site: str, current: bool) -> Document:
    document = build(report, language=language, current=current, site=site)
    if current or not report.release_id or not _released_since(report):
        return document
    if report.release.withdrawn_at is not None:
        # Its own release was taken back: its values are no longer public, not even here.
        newer = _(
            "Die Veröffentlichung, auf der dieser Bericht beruht, wurde zurückgezogen. Ihre "
            "Zahlen zeigt er nicht mehr; an ihrer Stelle stehen die vorher veröffentlichten."
        )
        return Document(
            **{
                **document.__dict__,
                "newer_data": newer,
                "newer_url": f"{document.url}?stand={CURRENT}",
            }
        )
    # Kept as the current document (same language), which the notice below links to.
    now = kept_document(report, site=site, current=True)
    if figures(now) == figures(document):
        return document
    newer = _(
        "Seit dem Datenstand dieses Berichts wurden Zahlen geändert, die er nennt. Er zeigt "
        "weiter die Zahlen seines Datenstands."
    )
    return Document(
        **{**document.__dict__, "newer_data": newer, "newer_url": f"{document.url}?stand={CURRENT}"}
    )


def _released_since(report: Report) -> bool:
    """Whether anything was published or withdrawn after the report's release: only then can
    the current data differ from its numbers."""
    moment = report.release.published_at
    return Release.objects.filter(Q(published_at__gt=moment) | Q(withdrawn_at__gt=moment)).exists()


def _published(slug: str) -> Report:
    return get_object_or_404(Report.objects.public().select_related("bezirk", "release"), slug=slug)


def _current(request) -> bool:
    stand = request.GET.get("stand", "")
    if stand not in ("", CURRENT):
        raise BadParameter(
            "stand",
            _("Der Parameter „stand“ kennt nur „%(current)s“ (die aktuellen Daten).")
            % {"current": CURRENT},
        )
    return stand == CURRENT


def _site(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode(), usedforsecurity=False).hexdigest()[:12]


def _file_name(report: Report, site: str, extension: str) -> str:
    language = get_language() or "de"
    return f"berichte/{report.slug}/{revision(report)}-{language}-{_digest(site)}.{extension}"


def _attachment(data: bytes, mime: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
