"""5. Import throughput: a million observation rows through the import service, against COPY.

Synthetic: 10,000 square districts × 10 indicators × 10 years in the long upload layout,
validated and committed by indicators.services.import_values (published), in a process of its
own so its peak memory (VmHWM) is its own. The baseline is a raw COPY of the very rows the
import wrote into a copy of the observations table (same columns and indexes, no foreign
keys), in the same run. Target: import at most 5 × the COPY time. Everything runs in the
scratch database beside the benchmark database (atlas_bench_import), dropped at the end.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PYTHON, Result, django_setup, parser, production_env, report

INDICATORS = 10
YEARS = range(2015, 2025)
LEVEL = "synthetische-gemeinde"
TARGET_RATIO = 5.0


def main(argv=None) -> list[Result]:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--rows", type=int, default=1_000_000, help="about this many rows")
    arguments.add_argument(
        "--profile", action="store_true", help="print where the import spends its time"
    )
    arguments.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = arguments.parse_args(argv)
    if args.child:
        return _child(args.child, profile=args.profile)

    from synthetic import scratch_database

    with scratch_database() as url, tempfile.TemporaryDirectory() as scratch:
        django_setup(url)
        csv_path, rows = _prepare(Path(scratch), args.rows)
        csv_mb = csv_path.stat().st_size / 1e6
        child = subprocess.run(
            [PYTHON, __file__, "--child", str(csv_path), *(["--profile"] if args.profile else [])],
            # A million rows are about 40 MB and 7 million cells, above the limits the site
            # sets for the uploads of its forms; the checking pass over the file is measured.
            env={
                **production_env(url),
                "DJANGO_MEDIA_ROOT": scratch,
                "ATLAS_UPLOAD_MAX_BYTES": str(1024**3),
                "ATLAS_UPLOAD_MAX_CELLS": str(10**9),
                "ATLAS_UPLOAD_CPU_SECONDS": "600",
                "ATLAS_UPLOAD_WALL_SECONDS": "600",
                "ATLAS_UPLOAD_MEMORY_BYTES": str(4 * 1024**3),
            },
            capture_output=True,
            text=True,
        )
        if child.returncode:
            sys.exit(f"the import failed:\n{child.stderr[-3000:]}")
        if args.profile:
            print(child.stderr)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        copy_seconds = _copy_baseline(figures["release"])
        from django.db import connections

        connections.close_all()
    ratio = figures["seconds"] / copy_seconds
    results = [
        Result("5 import", f"rows ({csv_mb:.0f} MB CSV)", f"{rows:,}"),
        Result("5 import", "import service", figures["seconds"], "s"),
        Result("5 import", "import service rows/s", rows / figures["seconds"], "rows/s"),
        Result("5 import", "COPY of the same rows", copy_seconds, "s"),
        Result("5 import", "import / COPY", ratio, "×", f"<= {TARGET_RATIO:g}",
               ratio <= TARGET_RATIO),
        Result("5 import", "peak memory (VmHWM)", figures["vmhwm_kib"] / 1024, "MiB"),
        Result("5 import", "memory before the import", figures["before_kib"] / 1024, "MiB"),
    ]  # fmt: skip
    report(results, args.results)
    return results


def _prepare(scratch: Path, rows: int) -> tuple[Path, int]:
    from synthetic import indicators, long_csv, square_districts

    areas = max(1, rows // (INDICATORS * len(YEARS)))
    codes = square_districts(LEVEL, areas)
    slugs = indicators(INDICATORS)
    path = scratch / "werte.csv"
    return path, long_csv(path, level_slug=LEVEL, codes=codes, slugs=slugs, years=YEARS)


def _child(path: Path, *, profile: bool) -> list:
    """The import itself, timed, in a fresh process; prints its figures as JSON."""
    django_setup(os.environ["DATABASE_URL"])
    from indicators.services.import_values import import_values

    before = _vm("VmRSS")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = import_values(path=path, title="Benchmark", publish=True)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    figures = {
        "seconds": seconds,
        "release": result.release.pk,
        "rows": result.rows,
        "vmhwm_kib": _vm("VmHWM"),
        "before_kib": before,
    }
    print(json.dumps(figures))
    return []


def _vm(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s*(\d+)", status).group(1))


def _copy_baseline(release_id: int) -> float:
    """Seconds for COPY of the release's rows into a copy of the table, committed."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'indicators_observation' AND column_name <> 'id' "
            "ORDER BY ordinal_position"
        )
        columns = ", ".join(row[0] for row in cursor.fetchall())
        cursor.execute("DROP TABLE IF EXISTS bench_observation_copy")
        cursor.execute("CREATE TABLE bench_observation_copy (LIKE indicators_observation "
                       "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)")  # fmt: skip
        buffer = io.StringIO()
        cursor.cursor.copy_expert(
            f"COPY (SELECT {columns} FROM indicators_observation WHERE release_id = {release_id})"
            " TO STDOUT",
            buffer,
        )
    buffer.seek(0)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY bench_observation_copy ({columns}) FROM STDIN", buffer)
    return time.perf_counter() - started


if __name__ == "__main__":
    main(sys.argv[1:])
