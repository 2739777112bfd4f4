"""Whole public pages, kept per worker process for anonymous visitors.

``SharedResponseMiddleware`` keeps the finished response of a view marked ``shared_page``,
with the headers the middleware below it added, and serves it again before sessions,
language, CSRF, authentication and the content security policy run: for visitors without a
session, whose request matches in everything those could read (URL, host, the language
cookie, Accept, Accept-Language, whether gzip is accepted).

A page is kept per data state (``core.datastate.request_data_state``), build and day, so any
change of the published data is visible on the next request. Nothing of one visitor is kept:
only GET requests that carry no cookie but the language's and CSRF's are served or kept, and a
response that sets a cookie is not kept. A page with a CSRF token sets the CSRF cookie, so it
is never kept; no public page carries one (the language switch is a link, the forms send GET).
"""

import functools
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from core.datastate import request_data_state
from indicators.readcache import LRU

# Bounded by entries and by bytes: the values of a level of thousands of areas are megabytes.
PAGES = LRU(
    settings.ATLAS_PAGE_CACHE_SIZE,
    max_bytes=settings.ATLAS_PAGE_CACHE_BYTES,
    weigh=lambda page: len(page.content),
)
_LOCKS = [threading.Lock() for _ in range(32)]
GZIP = re.compile(r"\bgzip\b")
# Cookies that leave a public response as it is (language, CSRF); any other may not.
NEUTRAL_COOKIES = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def shared_page(view):
    """Mark a view whose pages ``SharedResponseMiddleware`` may keep (see above)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.shared_page = True
    return wrapped


@dataclass(frozen=True)
class _Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _key(request) -> tuple | None:
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
        # Boundaries "valid today" change at midnight.
        timezone.localdate(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
        meta.get("HTTP_ACCEPT_LANGUAGE", ""),
        meta.get("HTTP_ACCEPT", ""),
        bool(GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", ""))),
    )


def _storable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in response.get("Cache-Control", "") for word in ("private", "no-store"))
    )


class SharedResponseMiddleware:
    """Serve a kept finished response before the rest of the stack (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            key = _key(request)
        except DatabaseError:
            # Without the database the stack below explains the outage.
            return self.get_response(request)
        if key is None:
            return self.get_response(request)
        page = PAGES.get(key)
        if page is not None:
            return page.response()
        # Threads of a process asking for the same missing page wait for the first one
        # instead of building it side by side (after a publish, when a worker starts).
        with _LOCKS[hash(key) % len(_LOCKS)]:
            page = PAGES.get(key)
            if page is not None:
                return page.response()
            response = self.get_response(request)
            if _storable(response):
                headers = tuple(response.items())
                PAGES.put(key, _Page(response.status_code, headers, response.content))
        return response
