"""The pages' messages for their scripts (map, profile): Django's JavaScript catalogue, one per
language.

The scripts' texts are German (the source) and translated in locale/en/LC_MESSAGES/djangojs.po,
like every other text of the atlas. A page names the catalogue of its language under a version
taken from the translations, so a browser or proxy may keep each for a year: a new
translation gets a new address, and a German and an English page never share one.
"""

import hashlib
from functools import cache
from pathlib import Path

import django
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

DOMAIN = "djangojs"
LANGUAGES = {code for code, _name in settings.LANGUAGES}
KEPT = "public, max-age=31536000, immutable"
# An address of an earlier version (a page kept from before a deployment) gets today's texts,
# kept briefly.
STALE = "public, max-age=300"

_catalogue = JavaScriptCatalog.as_view(domain=DOMAIN, packages=["atlas"])


@cache
def version(lang: str) -> str:
    """A short digest of the language's script translations (none for German) and of Django's
    version, whose formats and functions the catalogue carries too. The .po file, not the
    compiled one, so every machine of a deployment names the same version."""
    digest = hashlib.sha256(f"{lang} {django.get_version()}".encode(), usedforsecurity=False)
    for directory in settings.LOCALE_PATHS:
        source = Path(directory) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if source.exists():
            digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def catalogue_url() -> str:
    """The address of the active language's catalogue (German where no atlas language is)."""
    lang = translation.get_language()
    lang = lang if lang in LANGUAGES else settings.LANGUAGE_CODE
    return reverse("js-catalog", args=[lang, version(lang)])


@require_safe
def catalogue(request, lang: str, version_asked: str):
    """The script catalogue of ``lang`` (German or English); 404 for any other language."""
    if lang not in LANGUAGES:
        raise Http404(lang)
    with translation.override(lang):
        response = _catalogue(request)
    response["Cache-Control"] = KEPT if version_asked == version(lang) else STALE
    return response
