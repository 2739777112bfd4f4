"""Log lines that name their request: a request id carried in a context variable, JSON output.

RequestIdMiddleware fills ``current_request`` for the duration of a request;
``RequestContextFilter`` copies it onto every record logged meanwhile, whichever logger wrote
it, so all lines of one request can be found by its id.
"""

import datetime
import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.signals import request_finished


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    method: str
    path: str


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)

# Fields a record may carry through ``extra=`` that belong in the JSON line.
EXTRA_FIELDS = ("status", "duration_ms")


class RequestContextFilter(logging.Filter):
    """Adds request_id, method and path of the current request ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request.get()
        # A record may already name its request (the access line is written as the request
        # ends); keep what it brought.
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id if context else "-"
        if not hasattr(record, "method"):
            record.method = context.method if context else "-"
        if not hasattr(record, "path"):
            record.path = context.path if context else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, request."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "method": getattr(record, "method", "-"),
            "path": getattr(record, "path", "-"),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


access_log = logging.getLogger("atlas.request")

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


request_finished.connect(forget_request, dispatch_uid="atlas.logs.forget_request")
