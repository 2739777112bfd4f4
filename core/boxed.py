"""The child side of core.sandbox: ``python -m core.boxed`` reads one task as JSON on stdin,
limits itself, runs the task's reader on an uploaded file and writes plain JSON to stdout.

It runs without Django and without the parent's environment: a hostile file may make a
reader loop, allocate or crash, and all it costs is this process. Nothing here may import
Django or an app of the atlas.
"""

import ctypes
import importlib
import json
import resource
import sys

# Task name → module with a ``run(path, options) -> dict`` function, imported only when asked,
# so a table check does not pay for GDAL.
TASKS = {"geodata": "core.geofiles", "xlsx": "core.sheets", "csv": "core.sheets"}
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


class Refused(Exception):
    """A file the reader will not read, with what to tell the person who uploaded it."""

    def __init__(self, message: str, *, row: int | None = None, field: str = "", value: str = ""):
        super().__init__(message)
        self.row, self.field, self.value, self.message = row, field, value, message


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # The soft limit sends SIGXCPU, the hard one a second later SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # The answer goes to a file: a reader cannot fill the disk with it.
    resource.setrlimit(resource.RLIMIT_FSIZE, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _leave_the_network() -> bool:
    """Move into an empty network namespace where the kernel allows it (not in every
    container): then not even a reader bug can reach a server. GDAL's own settings
    (core.geofiles) keep the network off where this fails."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def main() -> int:
    request = json.loads(sys.stdin.read())
    limits = request["limits"]
    _leave_the_network()
    _limit(limits["memory_bytes"], limits["cpu_seconds"])
    try:
        module = importlib.import_module(TASKS[request["task"]])
        answer = {"ok": module.run(request["task"], request["path"], request["options"])}
    except Refused as refused:
        answer = {"refused": [refused.row, refused.field, refused.value, refused.message]}
    except MemoryError:
        answer = {"limit": "memory"}
    except RecursionError:
        answer = {"refused": [None, "", "", "zu tief verschachtelt"]}
    json.dump(answer, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    # Run as the module core.boxed, so the readers' Refused is the class caught above.
    from core.boxed import main as boxed_main

    sys.exit(boxed_main())
