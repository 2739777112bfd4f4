"""Run every benchmark, one process each, then print the summary table with targets.

bench/run_all.py                 the full run (the one whose figures go into README.md)
bench/run_all.py --quick         5 s load runs, 100,000 import rows: a check that all works
bench/run_all.py --only 1 3      some benchmarks only
"""

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PYTHON, machine

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "1": ("hot_path.py", ["--duration", "5"]),
    "2": ("payload.py", []),
    "3": ("page_weight.py", []),
    "4": ("page_timing.py", []),
    "5": ("import_throughput.py", ["--rows", "100000"]),
    "6": ("latency.py", ["--duration", "5"]),
    "7": ("scale.py", ["--duration", "5"]),
    "8": ("export_speed.py", []),
    "9": ("round_trip.py", ["--areas", "1000", "--repeat", "2", "--cycles", "1"]),
    "10": ("projection.py", ["--trajectories", "200"]),
    "11": ("reports.py", ["--repeat", "5"]),
}


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--quick", action="store_true")
    arguments.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS, key=int), default=None)
    args = arguments.parse_args()
    results = Path(tempfile.mkstemp(prefix="atlas-bench-", suffix=".jsonl")[1])
    failed = []
    for number in args.only or sorted(BENCHMARKS, key=int):
        script, quick = BENCHMARKS[number]
        print(f"\n== {number}: {script}", flush=True)
        started = time.monotonic()
        command = [PYTHON, str(HERE / script), "--results", str(results)]
        done = subprocess.run(command + (quick if args.quick else []), cwd=HERE)
        if done.returncode:
            failed.append(script)
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    results.unlink()
    print(summary(rows, quick=args.quick))
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


def summary(rows: list[dict], *, quick: bool) -> str:
    """A Markdown table of the figures that have a target, then the machine."""
    info = machine()
    lines = [
        "",
        f"### {datetime.date.today().isoformat()}{' (quick run)' if quick else ''}",
        "",
        f"{info['cpu']}, {info['cores']} cores, {info['ram']} RAM; Python {info['python']}, "
        f"PostgreSQL {info['postgresql']}, PostGIS {info['postgis']}",
        "",
        "| benchmark | figure | value | target | met |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        if not row["target"]:
            continue
        value = row["value"]
        if isinstance(value, float):
            value = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        lines.append(
            f"| {row['benchmark']} | {row['metric'].strip()} | {value} {row['unit']} "
            f"| {row['target']} {row['unit']} | {met} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
