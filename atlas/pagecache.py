"""Whole public pages, kept per worker process for anonymous visitors, twice over.

``shared_page`` keeps what a view returns. ``SharedResponseMiddleware`` keeps the finished
response, with the headers the middleware below it added, and serves it again before
sessions, language, CSRF, authentication and the content security policy run: for visitors
without a session, whose request matches in everything those could read (URL, host, the
language cookie, Accept, Accept-Language, whether gzip is accepted). It keeps only responses
of views marked ``shared_page`` that set no cookie and carry no CSRF token.

A page is stored per data state (``core.datastate.request_data_state``), build, language,
host, URL and day, so a publish, withdrawal, boundary change or facility upload is visible
on the next request. What belongs to one visitor stays out of the stored copy: only
anonymous GET and HEAD requests are served from it or stored, responses that set a cookie are
not stored, and a CSRF token (a public page with a form) is stored as a placeholder and filled
in with the visitor's own token each time (Django's CSRF middleware then sets its cookie as it
does for a freshly rendered page). The language switch is a link and carries none.
"""

import functools
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import get_language

from core.datastate import request_data_state
from indicators.readcache import LRU

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
PLACEHOLDER = b"\x00csrf-token\x00"

# Each store is bounded by entries and by bytes: the values of a level of thousands of areas
# are megabytes a response.
PAGES = LRU(
    settings.ATLAS_PAGE_CACHE_SIZE,
    max_bytes=settings.ATLAS_PAGE_CACHE_BYTES,
    weigh=lambda page: len(page.content),
)
RESPONSES = LRU(
    settings.ATLAS_PAGE_CACHE_SIZE,
    max_bytes=settings.ATLAS_PAGE_CACHE_BYTES,
    weigh=lambda response: len(response.content),
)
_LOCKS = [threading.Lock() for _ in range(32)]


@dataclass(frozen=True)
class _Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    has_token: bool

    def response(self, request) -> HttpResponse:
        content = self.content
        if self.has_token:
            content = content.replace(PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _key(request) -> tuple | None:
    if (
        request.method not in ("GET", "HEAD")
        or settings.ATLAS_PAGE_CACHE_SIZE <= 0
        or request.user.is_authenticated
    ):
        return None
    state = request_data_state()
    if state is None:
        return None
    return (
        state.fingerprint,
        settings.ATLAS_BUILD_ID,
        get_language(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        # Boundaries "valid today" change at midnight.
        timezone.localdate(),
    )


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in response.get("Cache-Control", "") for word in ("private", "no-store"))
    )


def shared_page(view):
    """Serve the view's page from the per-process store for anonymous visitors (see above)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        page = PAGES.get(key)
        if page is not None:
            response = page.response(request)
            response.shared_page = not page.has_token
            return response
        # Threads of a process asking for the same missing page wait for the first one
        # instead of building it side by side (after a publish, when a worker starts).
        with _LOCKS[hash(key) % len(_LOCKS)]:
            page = PAGES.get(key)
            if page is not None:
                return page.response(request)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if _storable(response):
                response.shared_page = True
                content, tokens = TOKEN.subn(rb"\g<1>" + PLACEHOLDER + rb"\g<2>", response.content)
                headers = tuple(
                    (k, v) for k, v in response.items() if k.lower() != "content-length"
                )
                PAGES.put(key, _Page(response.status_code, headers, content, tokens > 0))
        return response

    wrapped.shared_page = True
    return wrapped


# --- finished responses ----------------------------------------------------------------------

GZIP = re.compile(r"\bgzip\b")
# Cookies that leave a public response as it is (language, CSRF); any other may not.
NEUTRAL_COOKIES = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


@dataclass(frozen=True)
class _Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _response_key(request) -> tuple | None:
    if (
        request.method != "GET"
        or settings.ATLAS_PAGE_CACHE_SIZE <= 0
        or not set(request.COOKIES) <= NEUTRAL_COOKIES
        # Conditional requests get their 304 from the middleware below.
        or "HTTP_IF_NONE_MATCH" in request.META
        or "HTTP_IF_MODIFIED_SINCE" in request.META
    ):
        return None
    # Only the views that keep their pages (and so may read the data state) qualify.
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    if not getattr(view, "shared_page", False):
        return None
    state = request_data_state()
    if state is None:
        return None
    meta = request.META
    return (
        state.fingerprint,
        settings.ATLAS_BUILD_ID,
        timezone.localdate(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        meta.get("HTTP_ACCEPT_LANGUAGE", ""),
        meta.get("HTTP_ACCEPT", ""),
        bool(GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", ""))),
    )


def _finished_storable(response) -> bool:
    return (
        getattr(response, "shared_page", False)
        and _storable(response)
        and not TOKEN.search(response.content)
    )


class SharedResponseMiddleware:
    """Serve a kept finished response before the rest of the stack (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            key = _response_key(request)
        except DatabaseError:
            # Without the database the stack below explains the outage.
            return self.get_response(request)
        if key is None:
            return self.get_response(request)
        kept = RESPONSES.get(key)
        if kept is not None:
            return kept.response()
        response = self.get_response(request)
        if _finished_storable(response):
            headers = tuple((k, v) for k, v in response.items())
            RESPONSES.put(key, _Response(response.status_code, headers, response.content))
        return response
