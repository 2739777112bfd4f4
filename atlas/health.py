"""Liveness and readiness for load balancers and orchestrators, and the database-outage page.

/healthz answers as long as the process serves requests and touches nothing else, so a
database outage never gets the web processes restarted. /readyz checks what a page needs: the
database (SELECT 1); it reports the cache too, but a cache outage only makes pages slower
(atlas/cache.py), so the atlas stays ready and says "degraded".
"""

import logging
import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import errors

logger = logging.getLogger(__name__)

# Seconds after which a client may try again while the database is down.
RETRY_AFTER = 30


def first_line(exception: BaseException) -> str:
    text = str(exception).strip()
    return f"{type(exception).__name__}: {text.splitlines()[0] if text else ''}"


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise DatabaseError("SELECT 1 returned something else")


def _cache() -> None:
    key, token = "atlas:readyz", uuid.uuid4().hex
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise RuntimeError("the cache did not return what was just stored")


# Each dependency, and whether the atlas can serve pages without it.
CHECKS = {"database": (_database, True), "cache": (_cache, False)}


@never_cache
@require_GET
def readyz(request):
    """200 unless a dependency the pages need fails (503); each failure is named."""
    checks, ready, degraded = {}, True, False
    for name, (check, required) in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure of a dependency counts
            logger.warning("readiness: %s unavailable: %s", name, first_line(error))
            checks[name] = "unavailable"
            ready = ready and not required
            degraded = True
        else:
            checks[name] = "ok"
    status = "unavailable" if not ready else "degraded" if degraded else "ok"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)


def database_unavailable(request) -> HttpResponse:
    """503 while the database cannot be reached: JSON for the API, a page for everything else.

    The page is rendered without the request's context processors, which could need the
    database themselves.
    """
    if request.path.startswith(("/api/", "/ogcapi/")):
        response = JsonResponse(
            {
                "error": {
                    "message": (
                        "Die Datenbank ist vorübergehend nicht erreichbar. "
                        "/ The database is temporarily unavailable."
                    )
                }
            },
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def server_error(request):
    """handler500: a database error raised outside a view (in a middleware) still gets the 503;
    any other error the atlas's own 500 (atlas/errors.py)."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return errors.server_error(request)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with an explanation, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # One line without the traceback: while the database is away every request fails the
        # same way, and the cause is in the database's own log.
        logger.error("database unavailable: %s", first_line(exception))
        return database_unavailable(request)
