"""The box: a reader that crashes, loops or allocates costs its child process, never the
worker, and the person who uploaded sees a clear message."""

import sys
import time

import pytest

from core import sandbox
from core.importing import ImportRejected
from core.sandbox import Limits, run_boxed, without_paths

from .conftest import HOSTILE

GENEROUS = Limits(cpu_seconds=60, memory_bytes=8 * 1024**3, wall_seconds=60)


def rejected(**kwargs) -> str:
    with pytest.raises(ImportRejected) as info:
        run_boxed(**kwargs)
    (error,) = info.value.errors
    return str(error)


def test_a_child_that_crashes_becomes_a_message_and_the_worker_lives_on(monkeypatch, tmp_path):
    crash = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    monkeypatch.setattr(sandbox, "CHILD_COMMAND", [sys.executable, "-c", crash])
    message = rejected(task="geodata", path=tmp_path, name="grenzen.geojson", options={})
    assert message == (
        "Datei „grenzen.geojson“: nicht lesbar: beim Lesen abgebrochen "
        "(beschädigt oder kein unterstütztes Format)"
    )


def test_a_child_past_the_wall_clock_limit_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setattr(
        sandbox, "CHILD_COMMAND", [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    started = time.monotonic()
    limits = Limits(cpu_seconds=60, memory_bytes=1024**3, wall_seconds=1)
    message = rejected(task="xlsx", path=tmp_path, name="w.xlsx", options={}, limits=limits)
    assert message == "Datei „w.xlsx“: zu aufwendig zu lesen (Zeitlimit von 1 s)"
    assert time.monotonic() - started < 10


def test_a_wall_clock_limit_beyond_what_poll_takes_lets_the_child_finish(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("a;b\n1;2\n", encoding="utf-8")
    options = {"delimiter": ";", "encoding": "utf-8", "max_cells": 100}
    for seconds in (30 * 24 * 3600, float("inf")):
        limits = Limits(cpu_seconds=10, memory_bytes=1024**3, wall_seconds=seconds)
        answer = sandbox.run_boxed(task="csv", path=table, name="t.csv", options=options,
                                   limits=limits)  # fmt: skip
        assert answer == {"cells": 4}


def test_a_reader_past_the_cpu_limit_is_stopped():
    # Without the cell limit, the expanding sheet keeps openpyxl busy for minutes.
    limits = Limits(cpu_seconds=2, memory_bytes=8 * 1024**3, wall_seconds=60)
    message = rejected(task="xlsx", path=HOSTILE / "aufgeblasen.xlsx", name="a.xlsx",
                       options={"max_cells": 10**12}, limits=limits)  # fmt: skip
    assert message == "Datei „a.xlsx“: zu aufwendig zu lesen (Rechenzeitlimit von 2 s)"


def test_a_reader_past_the_memory_limit_is_stopped():
    # The child with openpyxl loaded takes about 160 MB of address space: the limit leaves it
    # room to start and is reached while reading, in half the time 400 MB takes to fill.
    limits = Limits(cpu_seconds=120, memory_bytes=256 * 1024**2, wall_seconds=120)
    message = rejected(task="xlsx", path=HOSTILE / "aufgeblasen.xlsx", name="a.xlsx",
                       options={"max_cells": 10**12}, limits=limits)  # fmt: skip
    assert message == "Datei „a.xlsx“: zu aufwendig zu lesen (Speicherlimit von 256 MB)"


def test_the_child_gets_none_of_the_workers_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgis://atlas:geheim@db/atlas")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "geheim")
    environment = sandbox.child_environment(str(tmp_path))
    assert "geheim" not in repr(environment)
    assert environment["HOME"] == str(tmp_path)


def test_gdal_in_the_box_refuses_to_read_with_drivers_left_on():
    # Nothing skipped: the child finds more than GeoPackage and Shapefile and reads nothing.
    shapefile = HOSTILE.parent / "boundaries" / "ohne_crs.shp"
    with pytest.raises(ImportRejected, match="nicht sicher eingerichtet"):
        run_boxed(task="geodata", path=shapefile, name="ohne_crs.shp",
                  options={"suffix": ".shp", "skip_drivers": []}, limits=GENEROUS)  # fmt: skip


def test_paths_are_cut_to_their_last_part():
    text = "Failed to open /work/media/uploads/pending/0a1b/grenzen.gpkg: no such file"
    assert without_paths(text) == "Failed to open grenzen.gpkg: no such file"
