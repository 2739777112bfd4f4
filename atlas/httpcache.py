"""HTTP behaviour of the public data interfaces (/api/v1/, /ogcapi/, /daten/).

- Validators: an ETag and Last-Modified derived from the state of the published data (releases,
  boundaries and their overlaps, facilities, the metadata of indicators, themes, levels and
  facility types), so a conditional request is answered 304 after one small query, before any
  value is read. A read request reads that state once (``request_data_state``); the read path
  keys what it keeps across requests by it.
- Cache-Control: public, but revalidated on every use (no-cache): a withdrawn value must not
  outlive its withdrawal in a shared cache, and the revalidation costs one small query and a
  304. Pages that carry a CSRF token stay private. (The /data/<state>/ files keep their own,
  long lifetime: their URL changes with the state.)
- CORS: anyone may read (GET, HEAD, OPTIONS); no other method gets CORS headers.
- A fixed-window rate limit per client address on /api/v1/ and /ogcapi/, and one of its own
  on the downloads that cost a build (files under /daten/, the fact sheet PDF).
"""

import contextlib
import datetime
import functools
import hashlib
import logging
import math
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from atlas.models import DataVersion
from core.clients import client_address
from districts.models import District, Level, Overlap
from facilities.models import Facility, FacilityType, FacilityUpload
from indicators.models import Identity, Indicator, Release, Theme

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


@dataclass(frozen=True)
class DataState:
    """What the public data interfaces show depends on nothing else than this."""

    fingerprint: str
    last_modified: datetime.datetime | None


# What the state covers; migration atlas.0001 puts a trigger on each of their tables.
TRACKED_MODELS = (Release, Indicator, Identity, Theme, District, Level, Overlap, Facility,
                  FacilityType, FacilityUpload)  # fmt: skip

# The last state this process computed, with the database and data version it belongs to.
_KNOWN: dict[str, tuple[tuple, DataState]] = {}


def data_state() -> DataState:
    """The state of releases, boundaries, facilities and metadata.

    One small query reads the data version (``atlas.models.DataVersion``), which the database
    counts up with every change to the tracked tables; only when it moved does the full state
    (counts, latest changes and digests of the metadata) get computed, in one query without
    values.
    """
    row = _data_version()
    # Without the row (a flushed test database until its first write) nothing is kept.
    key = (connection.alias, connection.settings_dict["NAME"], *row) if row else None
    known = _KNOWN.get("state")
    if key is not None and known is not None and known[0] == key:
        return known[1]
    state = _full_data_state()
    if key is not None:
        # The version itself is part of it: any write counts, also one the digests miss.
        state = DataState(f"{row[0]}@{row[1].isoformat()}|{state.fingerprint}", state.last_modified)
        _KNOWN["state"] = (key, state)
    return state


def _data_version():
    """The row of the data version, or None. The query doubles as the connection's health
    check (``CONN_HEALTH_CHECKS``): on a persistent connection the database dropped (a
    restart) it is made once more on a new connection, instead of a ``SELECT 1`` before it on
    every request.
    """
    query = f"SELECT version, changed_at FROM {DataVersion._meta.db_table} WHERE id = 1"
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchone()
    except (InterfaceError, OperationalError):
        if not checking:
            raise
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()


def _full_data_state() -> DataState:
    release, district, overlap = (m._meta.db_table for m in (Release, District, Overlap))
    facility, upload = Facility._meta.db_table, FacilityUpload._meta.db_table
    metadata = [m._meta.db_table for m in (Indicator, Identity, Theme, Level, FacilityType)]
    digests = ", ".join(
        f"(SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t)"
        for table in metadata
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT (SELECT count(*) FROM {release}),
                   (SELECT max(published_at) FROM {release}),
                   (SELECT max(withdrawn_at) FROM {release}),
                   (SELECT count(*) FROM {district}),
                   (SELECT max(updated_at) FROM {district}),
                   (SELECT max(updated_at) FROM {facility}),
                   (SELECT max(created_at) FROM {upload}),
                   (SELECT count(*) FROM {facility}),
                   (SELECT count(*) || ':' || COALESCE(sum(population_share), 0) FROM {overlap}),
                   {digests}
            """
        )
        row = cursor.fetchone()
    changes = [moment for moment in row[1:7] if isinstance(moment, datetime.datetime)]
    return DataState("|".join(str(part) for part in row), max(changes, default=None))


# The data state of the current read request, read at most once; None outside of one.
_REQUEST_STATE: ContextVar[dict | None] = ContextVar("request_data_state", default=None)


@contextlib.contextmanager
def one_state_per_request():
    """Within the block, request_data_state() reads the data state at most once."""
    token = _REQUEST_STATE.set({})
    try:
        yield
    finally:
        _REQUEST_STATE.reset(token)


def request_data_state() -> DataState | None:
    """The data state of the current public read request, or None outside of one.

    None means: nothing may be taken from or put into a cache shared between requests (a
    write, the admin, a management command).
    """
    scope = _REQUEST_STATE.get()
    if scope is None:
        return None
    if "state" not in scope:
        scope["state"] = data_state()
    return scope["state"]


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
            state = request_data_state() or data_state()
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
