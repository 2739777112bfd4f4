"""Log lines that name their request: a request id carried in a context variable, JSON output.

The request-id middleware (atlas.middleware) fills ``current_request`` for the duration of a
request; ``RequestContextFilter`` copies it onto every record logged meanwhile, whichever logger
wrote it, so all lines of one request can be found by its id.
"""

import datetime
import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass


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
