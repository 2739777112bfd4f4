"""Whole public pages, kept per worker process for anonymous visitors.

A page is stored per data state (``atlas.httpcache.request_data_state``), build, language,
host, URL and day, so a publish, withdrawal, boundary change or facility upload is visible
on the next request. What belongs to one visitor stays out of the stored copy: only
anonymous GET and HEAD requests are served from it or stored, responses that set a cookie are
not stored, and the CSRF token of the language switch is stored as a placeholder and filled
in with the visitor's own token each time (Django's CSRF middleware then sets its cookie as it
does for a freshly rendered page).
"""

import functools
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from atlas.httpcache import request_data_state
from indicators.readcache import LRU

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
PLACEHOLDER = b"\x00csrf-token\x00"

PAGES = LRU(settings.ATLAS_PAGE_CACHE_SIZE)
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
            return page.response(request)
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
                content, tokens = TOKEN.subn(rb"\g<1>" + PLACEHOLDER + rb"\g<2>", response.content)
                headers = tuple(
                    (k, v) for k, v in response.items() if k.lower() != "content-length"
                )
                PAGES.put(key, _Page(response.status_code, headers, content, tokens > 0))
        return response

    return wrapped
