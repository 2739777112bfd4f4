"""HTTP behaviour of the public data interfaces (/api/v1/, /ogcapi/, /daten/).

- Validators: an ETag and Last-Modified derived from the state of the published data
  (core/datastate.py), so a conditional request is answered 304 after one small query, before
  any value is read. A read request reads that state once (``request_data_state``); the read
  path keys what it keeps across requests by it.
- Cache-Control: public, but revalidated on every use (no-cache): a withdrawn value must not
  outlive its withdrawal in a shared cache, and the revalidation costs one small query and a
  304. Pages that carry a CSRF token stay private. (The /data/<state>/ files keep their own,
  long lifetime: their URL changes with the state.)
- CORS: anyone may read (GET, HEAD, OPTIONS); no other method gets CORS headers.
- A fixed-window rate limit per client address on /api/v1/ and /ogcapi/, and one of its own
  on the downloads that cost a build (files under /daten/, the fact sheet PDF).
"""

import datetime
import functools
import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from core.clients import client_address
from core.datastate import DataState, current_data_state, one_state_per_request

logger = logging.getLogger(__name__)

DATA_PATHS = ("/api/v1/", "/ogcapi/", "/daten/")
LIMITED_PATHS = ("/api/v1/", "/ogcapi/")
READ_METHODS = ("GET", "HEAD")
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
CORS_EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, Link, Content-Disposition"
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
PERIOD_NAMES = {1: ("Sekunde", "second"), 60: ("Minute", "minute"), 3600: ("Stunde", "hour")}


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return path.startswith(prefixes)


# --- validators ----------------------------------------------------------------------------


class DataStateMiddleware:
    """Public GET and HEAD requests share one reading of the data state (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in READ_METHODS or request.path_info.startswith("/admin/"):
            return self.get_response(request)
        with one_state_per_request():
            return self.get_response(request)


def etag_for(request, state: DataState) -> str:
    """Names one response: the data state, the build, the URL and what was negotiated."""
    parts = [
        state.fingerprint,
        settings.ATLAS_BUILD_ID,
        request.path,
        request.META.get("QUERY_STRING", ""),
        get_language() or "",
        request.headers.get("Accept", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode(), usedforsecurity=False)
    return quote_etag(digest.hexdigest()[:32])


def _shareable(request, response) -> bool:
    """A successful response that carries nothing of one visitor (no cookie, no CSRF token)."""
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
    )


def _public(response, *, etag: str, last_modified: datetime.datetime | None) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, no_cache=True)
    # The language may come from the cookie, the format from Accept (OGC API).
    patch_vary_headers(response, ["Accept", "Accept-Language", "Cookie", "Accept-Encoding"])


class ConditionalGetMiddleware:
    """ETag, Last-Modified and Cache-Control for public reads; 304 without building the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in READ_METHODS or not _under(request.path_info, DATA_PATHS):
            return self.get_response(request)
        try:
            state = current_data_state()
        except DatabaseError:
            # Without the database there is nothing to validate: the view explains the outage.
            return self.get_response(request)
        etag = etag_for(request, state)
        last_modified = state.last_modified
        timestamp = int(last_modified.timestamp()) if last_modified else None
        early = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if early is not None:
            if early.status_code == 304:
                _public(early, etag=etag, last_modified=last_modified)
            return early
        response = self.get_response(request)
        if _shareable(request, response):
            _public(response, etag=etag, last_modified=last_modified)
        elif response.status_code == 200:
            patch_cache_control(response, private=True, no_cache=True)
        return response


# --- CORS ----------------------------------------------------------------------------------


class CorsMiddleware:
    """Read-only cross-origin access: any origin may GET and HEAD; OPTIONS answers preflights."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _under(request.path_info, DATA_PATHS):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = CORS_METHODS
            response["Access-Control-Allow-Methods"] = CORS_METHODS
            response["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
            if request.method not in READ_METHODS:
                return response
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response


# --- rate limit ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int
    text: str


@functools.lru_cache(maxsize=16)
def parse_rate(text: str, setting: str = "ATLAS_API_RATE_LIMIT") -> Rate | None:
    """ "120/minute" → 120 requests per 60 seconds; "", "0" or "0/minute" → no limit."""
    text = (text or "").strip()
    count, _, period = text.partition("/")
    try:
        requests = int(count or "0")
    except ValueError:
        requests = -1
    period = period.strip().lower() or "minute"
    if requests < 0 or period not in PERIODS:
        raise ImproperlyConfigured(
            f"{setting} must look like 120/minute (second, minute, hour, day), got {text!r}"
        )
    if requests == 0:
        return None
    return Rate(requests, PERIODS[period], f"{requests}/{period}")


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


_counting_failed = False


def _count_or_zero(key: str, timeout: int) -> int:
    """The request's number in its window; 0 while the cache cannot count (fail open).

    Without the cache the atlas cannot tell clients apart across workers; refusing everyone
    would turn a cache outage into an outage of the API.
    """
    global _counting_failed
    try:
        count = _count(key, timeout)
    except Exception as error:  # any cache failure: the client library's errors vary
        if not _counting_failed:
            logger.warning("rate limit suspended, the cache is unavailable: %s", error)
            _counting_failed = True
        return 0
    _counting_failed = False
    return count


def too_many(rate: Rate, retry_after: int) -> JsonResponse:
    german, english = PERIOD_NAMES.get(rate.seconds, ("Tag", "day"))
    message = (
        f"Zu viele Anfragen: höchstens {rate.requests} je {german}. Bitte in {retry_after} s "
        f"erneut versuchen. / Too many requests: at most {rate.requests} per {english}. "
        f"Please retry in {retry_after} s."
    )
    response = JsonResponse(
        {
            "error": {
                "code": "rate_limited",
                "message": message,
                "limit": rate.text,
                "retry_after": retry_after,
            }
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """At most ATLAS_API_RATE_LIMIT requests per client and window on /api/v1/ and /ogcapi/,
    and, counted apart, at most ATLAS_DOWNLOAD_RATE_LIMIT on the downloads whose first build
    costs seconds (HEAVY_DOWNLOADS): a client fetching files cannot use up its API requests,
    nor one asking for files all day keep the workers building.

    Fixed windows counted in the shared cache (Redis in production), so every worker counts
    the same requests. Without the cache nobody is limited.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # A typo fails at start, not per request.
        for setting in LIMITS.values():
            parse_rate(getattr(settings, setting), setting)

    def __call__(self, request):
        kind = _limited_kind(request.path_info)
        rate = kind and parse_rate(getattr(settings, LIMITS[kind]), LIMITS[kind])
        if not rate:
            return self.get_response(request)
        now = time.time()
        window = int(now // rate.seconds)
        client = hashlib.sha256(client_address(request).encode(), usedforsecurity=False)
        key = f"ratelimit:{KEY_PREFIXES[kind]}{rate.text}:{client.hexdigest()[:24]}:{window}"
        if _count_or_zero(key, rate.seconds + 1) > rate.requests:
            retry_after = max(1, math.ceil((window + 1) * rate.seconds - now))
            return too_many(rate, retry_after)
        return self.get_response(request)


# Files under /daten/ and the fact sheet PDF: built once per data state (atlas/kept.py), but
# the first build of each costs up to seconds, and there are many (release × theme × format).
HEAVY_DOWNLOADS = re.compile(r"^/daten/.+\.(?:csv|xlsx|gpkg|zip)$|^/bezirk/[^/]+/steckbrief\.pdf$")
LIMITS = {"api": "ATLAS_API_RATE_LIMIT", "download": "ATLAS_DOWNLOAD_RATE_LIMIT"}
KEY_PREFIXES = {"api": "", "download": "download:"}


def _limited_kind(path: str) -> str | None:
    """Which limit counts a request for ``path``: "api", "download" or none."""
    if _under(path, LIMITED_PATHS):
        return "api"
    if HEAVY_DOWNLOADS.match(path):
        return "download"
    return None
