"""Reading an uploaded file in a child process with limits on CPU time, memory and wall-clock
time, so a hostile or broken file costs that child, never a web worker or an import's lock.

The child (core.boxed) starts from a clean interpreter without Django, without the
worker's environment (no database URL, no secrets) and, where the kernel allows it, without
network. It answers with plain JSON, never pickle: the parent must not trust what a child
that parsed a hostile file says beyond its data.
"""

import contextlib
import json
import math
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.importing import ImportRejected, RowError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The worker's environment is not passed on; only what Python and the libraries need.
PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "GDAL_DATA", "PROJ_DATA", "PROJ_LIB")
CHILD_COMMAND = [sys.executable, "-s", "-m", "core.boxed"]
QUIET_LIBRARIES = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
}

LONGEST_POLL_SECONDS = (2**31 - 1) / 1000


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    memory_bytes: int
    wall_seconds: float

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            cpu_seconds=settings.ATLAS_UPLOAD_CPU_SECONDS,
            memory_bytes=settings.ATLAS_UPLOAD_MEMORY_BYTES,
            wall_seconds=settings.ATLAS_UPLOAD_WALL_SECONDS,
        )


def run_boxed(*, task: str, path: Path, name: str, options: dict, limits: Limits | None = None):
    """The answer of core.boxed's ``task`` for the file at ``path`` (shown to people as
    ``name``). Raises ImportRejected when the reader refuses the file, or when the child
    runs out of time or memory or crashes."""
    limits = limits or Limits.from_settings()
    request = {
        "task": task,
        "path": str(Path(path).resolve()),
        "options": options,
        "limits": {"cpu_seconds": limits.cpu_seconds, "memory_bytes": limits.memory_bytes},
    }
    with tempfile.TemporaryDirectory(prefix="atlas-box-") as folder:
        answer_path = Path(folder) / "answer.json"
        with answer_path.open("wb") as answer, tempfile.TemporaryFile() as errors:
            returncode = _run(request, folder=folder, stdout=answer, stderr=errors, limits=limits)
        if returncode is None:
            seconds = f"{limits.wall_seconds:g}"
            raise _rejected(name, f"zu aufwendig zu lesen (Zeitlimit von {seconds} s)")
        text = answer_path.read_text(encoding="utf-8", errors="replace") if returncode == 0 else ""
    return _outcome(returncode, text, name=name, limits=limits)


def _run(request: dict, *, folder: str, stdout, stderr, limits: Limits) -> int | None:
    """The child's exit status, or None when it was stopped at the wall-clock limit."""
    child = subprocess.Popen(
        CHILD_COMMAND,
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=stderr,
        cwd=folder,
        env=child_environment(folder),
        start_new_session=True,  # its own process group: a kill takes whatever it started
        close_fds=True,
    )
    try:
        # The request is far smaller than a pipe's buffer: writing it never waits for the
        # child. A child that died at once says so by its exit status.
        with contextlib.suppress(BrokenPipeError):
            child.stdin.write(json.dumps(request).encode())
        with contextlib.suppress(BrokenPipeError):
            child.stdin.close()
        ended = _ended_within(child, limits.wall_seconds)
    except BaseException:
        _kill(child)  # never a child left running without its limit
        raise
    if not ended:
        _kill(child)
        return None
    return child.wait()


def _ended_within(child: subprocess.Popen, seconds: float) -> bool:
    """Whether the child ends within ``seconds``, learnt the moment it ends: Popen.wait with a
    timeout polls at growing intervals and oversleeps a short child by tens of milliseconds,
    the time of a whole check of a small file."""
    try:
        handle = os.pidfd_open(child.pid)
    except (OSError, AttributeError):  # a kernel before 5.3, or not Linux
        try:
            child.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True
    # poll() takes at most 2**31 - 1 milliseconds (24.8 days); a longer limit is none.
    milliseconds = max(0, math.ceil(seconds * 1000)) if seconds < LONGEST_POLL_SECONDS else None
    try:
        poller = select.poll()
        poller.register(handle, select.POLLIN)
        return bool(poller.poll(milliseconds))
    finally:
        os.close(handle)


def child_environment(folder: str) -> dict[str, str]:
    """What the child sees of the environment: nothing of the worker's but the system paths."""
    environment = {k: v for k, v in os.environ.items() if k in PASSED_ENVIRONMENT}
    environment.update(QUIET_LIBRARIES, PYTHONPATH=str(PROJECT_ROOT), HOME=folder, TMPDIR=folder)
    return environment


def _kill(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _outcome(returncode: int, text: str, *, name: str, limits: Limits):
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise _rejected(name, f"zu aufwendig zu lesen (Rechenzeitlimit von {limits.cpu_seconds} s)")
    if returncode == -signal.SIGXFSZ:
        raise _rejected(name, "zu aufwendig zu lesen (Ergebnis zu groß)")
    try:
        answer = json.loads(text) if returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        # A crash (SIGSEGV, an abort in a library) or an unexpected error in the reader.
        raise _rejected(name, "nicht lesbar: beim Lesen abgebrochen (beschädigt oder kein "
                        "unterstütztes Format)")  # fmt: skip
    if "ok" in answer:
        return answer["ok"]
    if answer.get("limit") == "memory":
        megabytes = limits.memory_bytes / 2**20
        raise _rejected(name, f"zu aufwendig zu lesen (Speicherlimit von {megabytes:.0f} MB)")
    row, field, value, message = answer.get("refused") or (None, "", "", "nicht lesbar")
    message = without_paths(str(message))
    if row is None and field in ("", "Datei"):
        raise _rejected(name, message)
    raise ImportRejected([RowError(row, str(field), str(value), message)])


def _rejected(name: str, message: str) -> ImportRejected:
    return ImportRejected([RowError(None, "Datei", name, message)])


ABSOLUTE_PATH = re.compile(r"(?<![\w.])(?:/[^\s/'\"„“:]+)+/([^\s/'\"„“:]+)")


def without_paths(text: str) -> str:
    """``text`` with every absolute file path shortened to its last part: messages must not
    show the server's folders."""
    return ABSOLUTE_PATH.sub(r"\1", text)
