"""Sustained load: wrk with many connections against gunicorn with production settings.

    DATABASE_URL=postgis://… .venv/bin/python bench/load.py [--connections 200] [--seconds 60]

The database must hold the demo data (manage.py load_demo_data) and collectstatic must have
run (production serves the manifest of static files). Prints requests per second, latency
percentiles (p50, p95, p99, max) and every kind of error wrk counts; non-2xx answers count as
errors.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from production import PATHS, cpu_seconds, get, production_env, start_gunicorn, stop

# Each wrk connection walks through the paths in turn; done() prints the figures as key=value.
WRK_SCRIPT = """
local paths = {%(paths)s}
local counter = 0
wrk.headers["X-Forwarded-Proto"] = "https"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local s = summary
  io.write(string.format("requests=%%d\\nseconds=%%.1f\\n", s.requests, s.duration / 1e6))
  io.write(string.format("errors_connect=%%d\\nerrors_read=%%d\\nerrors_write=%%d\\n",
    s.errors.connect, s.errors.read, s.errors.write))
  io.write(string.format("errors_status=%%d\\nerrors_timeout=%%d\\n", s.errors.status,
    s.errors.timeout))
  for _, p in ipairs({50, 90, 95, 99}) do
    io.write(string.format("p%%d_ms=%%.1f\\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max_ms=%%.1f\\nmean_ms=%%.1f\\n", latency.max / 1000,
    latency.mean / 1000))
end
"""


def run_wrk(
    base: str, paths: list[str], *, connections: int, seconds: int, threads: int
) -> dict[str, float]:
    script = WRK_SCRIPT % {"paths": ", ".join(f'"{p}"' for p in paths)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        done = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
             "--timeout", "30s", "-s", handle.name, base],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(handle.name)
    figures = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            figures[key] = float(value)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--exclude", action="append", default=[], help="leave out paths containing this"
    )
    args = parser.parse_args()
    paths = [p for p in PATHS if not any(text in p for text in args.exclude)]

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("DATABASE_URL must name the database with the demo data")
    log = Path(tempfile.gettempdir()) / "atlas-bench-load-gunicorn.log"
    process, base = start_gunicorn(
        production_env(database_url), args.port, workers=args.workers, threads=args.threads,
        log=log,
    )  # fmt: skip
    try:
        for path in paths:  # every path answers 200 before the clock starts
            status, _ = get(base + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        cpu_before = cpu_seconds(process.pid)
        figures = run_wrk(
            base, paths, connections=args.connections, seconds=args.seconds, threads=2
        )
        cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        stop(process)

    errors = sum(v for k, v in figures.items() if k.startswith("errors_"))
    print("paths: " + " ".join(paths))
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads (gthread); "
        f"wrk: {args.connections} connections, {args.seconds} s, {len(paths)} paths in turn"
    )
    print(
        f"requests: {figures['requests']:.0f} in {figures['seconds']:.1f} s = "
        f"{figures['requests'] / figures['seconds']:.1f} per second"
    )
    # Machine-independent: what one request costs the server, whatever else runs beside it.
    print(
        f"gunicorn CPU: {cpu:.1f} s = {cpu / max(figures['requests'], 1) * 1000:.0f} ms per "
        f"request; load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    percentiles = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms")
    print("latency ms: " + ", ".join(f"{k[:-3]} {figures[k]:.0f}" for k in percentiles))
    print(
        f"errors: {errors:.0f} ("
        + ", ".join(f"{k[7:]} {figures[k]:.0f}" for k in figures if k.startswith("errors_"))
        + ")"
    )
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
