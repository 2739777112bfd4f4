"""6. Server latency of a profile page and of the values API at 50 concurrent connections.

wrk against gunicorn with the production settings; percentiles from wrk's full histogram.
Target: p95 below 50 ms.
"""

import sys

from common import Result, atlas_server, fetch, parser, report, wrk

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
    with atlas_server(workers=args.workers) as atlas:
        for name, path in REQUESTS.items():
            fetch(atlas + path)
            load = wrk(atlas + path, duration=args.duration, connections=args.connections)
            results += [
                Result("6 latency", f"{name} p50", load.p50_ms, "ms"),
                Result("6 latency", f"{name} p95", load.p95_ms, "ms", f"< {TARGET_P95_MS:g}",
                       load.p95_ms < TARGET_P95_MS),
                Result("6 latency", f"{name} p99", load.p99_ms, "ms"),
                Result("6 latency", f"{name} req/s", load.requests_per_s, "req/s"),
            ]  # fmt: skip
            if load.errors:
                results.append(Result("6 latency", f"{name} errors", load.errors))
    report(results, args.results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
