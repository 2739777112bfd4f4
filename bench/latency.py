"""6. Server latency of a profile page and of the values API at 50 concurrent connections.

wrk against gunicorn with the production settings; percentiles from wrk's full histogram.
Target: p95 below 50 ms.
"""

import statistics
import sys
import time

from common import WRK_TIMEOUT_S, Result, atlas_server, fetch, parser, report, wrk

REQUESTS = {
    "profile page": "/gebiet/statistischer-bezirk/11/?year=2023",
    "values API": (
        "/api/v1/values?indicator=kinderarmut&level=statistischer-bezirk&year=2024"
        "&method=quantiles&classes=5"
    ),
}
TARGET_P95_MS = 50.0


def main(argv=None) -> list[Result]:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--duration", type=float, default=30, help="seconds per run")
    arguments.add_argument("--connections", type=int, default=50)
    arguments.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = arguments.parse_args(argv)
    results = []
    for name, path in REQUESTS.items():
        # A fresh server per request: a slow page leaves a queue behind that would delay the next.
        with atlas_server(workers=args.workers) as atlas:
            fetch(atlas + path)
            alone = []
            for _ in range(3):
                started = time.perf_counter()
                fetch(atlas + path)
                alone.append((time.perf_counter() - started) * 1000)
            load = wrk(atlas + path, duration=args.duration, connections=args.connections)
            load.connections = args.connections
        results += [
            Result("6 latency", f"{name} alone (median of 3)", statistics.median(alone), "ms"),
            Result("6 latency", f"{name} p50 of answered", load.p50_ms, "ms"),
            _p95(name, load),
            Result("6 latency", f"{name} p99 of answered", load.p99_ms, "ms"),
            Result("6 latency", f"{name} req/s", load.requests_per_s, "req/s"),
        ]
        if load.errors:
            results.append(
                Result("6 latency", f"{name} errors (of which timeouts > {WRK_TIMEOUT_S} s)",
                       f"{load.errors} ({load.timeouts})")
            )  # fmt: skip
    report(results, args.results)
    return results


def _p95(name: str, load) -> Result:
    """p95 of the answered requests; if more than 5 % timed out, p95 is above the timeout."""
    target = f"< {TARGET_P95_MS:g}"
    if load.requests < load.connections:
        # Most connections still waited for their first answer when the run ended: the
        # answered few are the lucky ones. In a steady state each request waits about
        # connections / throughput (Little's law).
        waits = load.connections / load.requests_per_s if load.requests else float("inf")
        return Result("6 latency", f"{name} p95 ({load.requests} answered, ~{waits:.0f} s wait)",
                      "> run", "", target, False)  # fmt: skip
    if load.timeouts > 0.05 * (load.requests + load.timeouts):
        return Result("6 latency", f"{name} p95", f"> {WRK_TIMEOUT_S * 1000}", "ms", target, False)
    return Result("6 latency", f"{name} p95", load.p95_ms, "ms", target,
                  load.p95_ms < TARGET_P95_MS)  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
