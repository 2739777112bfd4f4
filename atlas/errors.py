"""The atlas's own 404, 410 and 500 answers (handler404, handler500), wherever DEBUG is off.

Pages get a page in the visitor's language (as every page picks it: ``?lang=``, cookie,
browser). The API (``/api/``) and the map's data files (``/data/``) answer JSON, with the
message in German and English as their other errors do; so does the OGC API (``/ogcapi/``),
unless ``f=html`` or a browser's Accept header asks for its HTML. A download
(``/daten/…``) answers a browser with the page, which leads back to the current files, and a
program (``Accept: */*``, curl, pandas) with JSON. A file of a withdrawn release answers the
same way with 410 Gone (``withdrawn``), naming the releases whose values are public instead.

Nothing of the request's internals reaches the visitor: Django's messages ("No Release matches
the given query", the URL patterns tried) stay out; a message the atlas raises for visitors
(``Http404(_("Unbekannter Stadtbezirk"))``) is shown. A 500 names the request id, under which
the error and its traceback are in the log (atlas/logs.py).
"""

import logging
import re

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape

from .context_processors import site

logger = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/ogcapi/", "/data/")
OGCAPI = "/ogcapi/"
DOWNLOADS = "/daten/"
# Everything under these is read only: other methods get 405, before CSRF would answer 403.
READ_ONLY_PREFIXES = (*JSON_PREFIXES, DOWNLOADS)
READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")
# get_object_or_404's message, which names a model.
DJANGO_NOT_FOUND = re.compile(r"^No .+ matches the given query\.$")

NOT_FOUND = "Diese Adresse gibt es nicht. / There is no such address."
NOT_FOUND_FILE = (
    "Diese Datei gibt es nicht oder nicht mehr (etwa weil ihr Datenstand zurückgezogen wurde). "
    "/ This file does not exist or no longer exists (for example because its release was "
    "withdrawn)."
)
SERVER_ERROR = (
    "Interner Fehler: Die Anfrage konnte nicht beantwortet werden. "
    "/ Internal error: the request could not be answered."
)
# When even the error page cannot be rendered (a template or a static file missing).
BARE_SERVER_ERROR = (
    '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
    "<title>Interner Fehler – Internal error</title></head><body>"
    "<h1>Interner Fehler</h1><p>Die Anfrage konnte nicht beantwortet werden.</p>"
    '<h2 lang="en">Internal error</h2><p lang="en">The request could not be answered.</p>'
    "{reference}</body></html>"
)


def wants_json(request) -> bool:
    path = request.path_info
    if path.startswith(OGCAPI):
        # As every OGC API document: f=html or a browser's Accept header gets the page.
        if "f" in request.GET:
            return request.GET["f"] != "html"
        return request.get_preferred_type(["application/json", "text/html"]) != "text/html"
    if path.startswith(JSON_PREFIXES):
        return True
    if path.startswith(DOWNLOADS) and path != DOWNLOADS:
        return request.get_preferred_type(["application/json", "text/html"]) != "text/html"
    return False


def visitor_message(exception) -> str:
    """The message of an Http404 the atlas raised for visitors; "" for Django's own."""
    if not isinstance(exception, Http404) or isinstance(exception, Resolver404):
        return ""
    message = str(exception.args[0]) if exception.args else ""
    return "" if DJANGO_NOT_FOUND.match(message) else message


def _json(request, body: dict, status: int) -> JsonResponse:
    if request.path_info.startswith("/ogcapi/"):
        # The exception document of OGC API – Features, besides the atlas's own shape.
        code = {404: "NotFound", 405: "MethodNotAllowed"}.get(status, "ServerError")
        body = {"code": code, "description": body["error"]["message"], **body}
    response = JsonResponse(body, status=status)
    if request.path_info.startswith(DOWNLOADS):
        patch_vary_headers(response, ["Accept"])
    return response


def not_found(request, exception=None):
    """handler404."""
    download = request.path_info.startswith(DOWNLOADS) and request.path_info != DOWNLOADS
    message = visitor_message(exception)
    if wants_json(request):
        text = NOT_FOUND_FILE if download else NOT_FOUND
        if message:
            text = f"{message} / {text}"
        return _json(request, {"error": {"code": "not_found", "message": text}}, 404)
    context = {"path": request.path, "message": message, "download": download}
    response = render(request, "404.html", context, status=404)
    if download:
        patch_vary_headers(response, ["Accept"])
    return response


def withdrawn(request, *, release, replacements: list[tuple]):
    """410 for a file of the withdrawn ``release``; ``replacements``: (release, URL of the same
    file of it) for each published release whose values are public now in its place."""
    if wants_json(request):
        body = {"error": {"code": "gone", "message": _withdrawn_message(release, replacements)}}
        body["error"]["replaced_by"] = [
            {"release": r.pk, "title": r.title, "url": request.build_absolute_uri(url)}
            for r, url in replacements
        ]
        response = _json(request, body, 410)
    else:
        context = {"path": request.path, "release": release, "replacements": replacements}
        response = render(request, "410.html", context, status=410)
        patch_vary_headers(response, ["Accept"])
    # Which release replaces it changes with the next publish or withdrawal.
    patch_cache_control(response, no_cache=True)
    return response


def _withdrawn_message(release, replacements: list[tuple]) -> str:
    if not replacements:
        return (
            f"Datenstand {release.pk} „{release.title}“ wurde zurückgezogen; kein anderer "
            f"Datenstand ersetzt ihn. / Release {release.pk} '{release.title}' was withdrawn; "
            "no other release replaces it."
        )
    german = ", ".join(f"Datenstand {r.pk} „{r.title}“ ({url})" for r, url in replacements)
    english = ", ".join(f"release {r.pk} '{r.title}' ({url})" for r, url in replacements)
    return (
        f"Datenstand {release.pk} „{release.title}“ wurde zurückgezogen; ersetzt durch "
        f"{german}. / Release {release.pk} '{release.title}' was withdrawn; replaced by "
        f"{english}."
    )


class ReadOnlyMiddleware:
    """405 with ``Allow`` and a JSON body for a write method under the read-only prefixes.

    Before CSRF, which would answer a POST without a token with its own 403 page: no view
    there takes a write, so a client learns which methods it may use, in the error shape of
    the interface it called.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if request.method in READ_ONLY_METHODS or not path.startswith(READ_ONLY_PREFIXES):
            return self.get_response(request)
        allowed = ", ".join(READ_ONLY_METHODS)
        message = (
            f"Methode {request.method} ist hier nicht erlaubt, nur {allowed} / "
            f"method {request.method} is not allowed here, only {allowed}"
        )
        body = {"error": {"code": "method_not_allowed", "message": message}}
        response = _json(request, body, 405)
        response["Allow"] = allowed
        return response


def server_error(request):
    """handler500, behind atlas.health.server_error (which answers a database outage with 503).

    Rendered without the request's context processors and the database: whatever failed may
    fail again.
    """
    request_id = getattr(request, "id", "")
    if wants_json(request):
        error = {"code": "server_error", "message": SERVER_ERROR, "request_id": request_id}
        return _json(request, {"error": error}, 500)
    try:
        html = render_to_string("500.html", {**site(request), "request_id": request_id})
    except Exception:  # the page itself failed: say it without it
        logger.exception("the error page could not be rendered")
        reference = f"<p><code>{escape(request_id)}</code></p>" if request_id else ""
        html = BARE_SERVER_ERROR.format(reference=reference)
    return HttpResponse(html, status=500)
