"""Downloads and fact sheet PDFs, built once per state of the published data and kept.

A download costs up to seconds of CPU to build (a release as XLSX, the GeoPackage, a PDF);
built on every request, a few clients could keep every worker busy. So each is built once per
data state (``atlas.publicdata.public_state``) into a file under
``ATLAS_DOWNLOAD_ROOT/<state>/<name>`` that every worker reads. The name is made by the view
from the parsed parameters, never from the query string, so the same download asked for in
another spelling is the same file, and unknown parameters are refused before (``only``).

A publish, withdrawal or metadata change makes a new state, and with it new files; the old
state's directory is deleted with the map's data files (``publicdata.remove_old_states``).

Requests that find the file missing at the same time do not all build it: a lock per file
lets one build while the others wait up to ``ATLAS_DOWNLOAD_WAIT_SECONDS`` and then get
``503 Retry-After`` instead of a worker each.
"""

import fcntl
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse

from core.http import BadParameter

from .publicdata import download_root, public_state, settle

logger = logging.getLogger(__name__)

# Parameters any public URL may carry: the language (atlas/middleware.py).
SITE_PARAMETERS = ("lang",)
POLL_SECONDS = 0.05


class Busy(Exception):
    """The same file is being built by another request, longer than a request waits."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after

    def response(self) -> JsonResponse:
        seconds = self.retry_after
        response = JsonResponse(
            {
                "error": {
                    "code": "busy",
                    "message": (
                        f"Die Datei wird gerade erstellt. Bitte in {seconds} s erneut versuchen. "
                        f"/ The file is being built. Please retry in {seconds} s."
                    ),
                    "retry_after": seconds,
                }
            },
            status=503,
        )
        response["Retry-After"] = str(seconds)
        return response


def only(request, *names: str) -> None:
    """Refuse a query parameter the view does not read (BadParameter naming it): a made-up
    one would otherwise look like another URL to every cache in front of the atlas."""
    allowed = (*names, *SITE_PARAMETERS)
    for name in request.GET:
        if name not in allowed:
            listed = ", ".join(names) or "keine / none"
            raise BadParameter(
                name,
                f"Unbekannter Parameter „{name}“; möglich sind: {listed} / "
                f"unknown parameter '{name}'; allowed: {listed}",
            )


def kept(name: str, build: Callable[[], bytes]) -> bytes:
    """The file ``name`` of the current state; ``build`` makes it where it is not there yet.

    Raises Busy when another request is building it and does not finish in time.
    """
    if name.startswith("/") or ".." in Path(name).parts:
        raise ValueError(f"not a name below the download root: {name!r}")
    for _ in range(3):
        state = public_state()
        path = download_root() / state / name
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        try:
            return _build_once(state, path, build)
        except FileNotFoundError:
            # The state's directory was deleted meanwhile: the state changed, start over.
            continue
    return build()


def _build_once(state: str, path: Path, build: Callable[[], bytes]) -> bytes:
    first = not (download_root() / state).is_dir()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        _acquire(lock)
        # Built by the request that held the lock before: read, do not build again.
        if path.is_file():
            return path.read_bytes()
        started = time.monotonic()
        body = build()
        _write(path, body)
        logger.info("built %s in %.2f s", path.name, time.monotonic() - started)
    settle(state, first=first)
    return body


def _acquire(lock) -> None:
    wait = settings.ATLAS_DOWNLOAD_WAIT_SECONDS
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise Busy(max(1, round(wait))) from None
            time.sleep(POLL_SECONDS)


def _write(path: Path, body: bytes) -> None:
    """Complete or not at all: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
