"""Request ids with one access log line per request, and a clear 503 while the database is down."""

import logging
import re
import time
import uuid

from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError

from . import health
from .logs import RequestContext, current_request

access_log = logging.getLogger("atlas.request")
logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# An id from a proxy is kept only if it cannot break a log line or a header: letters, digits
# and . _ - up to 64 characters (a UUID fits).
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(request) -> str:
    """The caller's X-Request-ID where it is well-formed, else a new random one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if VALID_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Names every request, returns the name in X-Request-ID and logs the request as it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.id = request_id_of(request)
        # Cleared when the response is closed (request_finished), not here: Django logs
        # 4xx and 5xx responses only after the middleware has returned.
        current_request.set(RequestContext(request.id, request.method, request.path))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        access_log.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={"status": response.status_code, "duration_ms": duration_ms},
        )
        return response


def forget_request(**kwargs) -> None:
    current_request.set(None)


request_finished.connect(forget_request, dispatch_uid="atlas.middleware.forget_request")


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
        logger.error("database unavailable: %s", health.first_line(exception))
        return health.database_unavailable(request)
