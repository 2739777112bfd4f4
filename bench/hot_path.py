"""1. Hot path: the two requests the map makes, atlas (gunicorn) against nginx with the same bytes.

Target: the atlas answers at least half as many requests per second as nginx does with a
static file of the same body.
"""

import sys

from common import Result, atlas_server, fetch, nginx_server, parser, report, wrk

REQUESTS = {
    "boundaries": "/api/v1/districts?level=statistischer-bezirk&year=2024",
    "values": (
        "/api/v1/values?indicator=kinderarmut&level=statistischer-bezirk&year=2024"
        "&method=quantiles&classes=5"
    ),
}
TARGET_RATIO = 0.5


def main(argv=None) -> list[Result]:
    args = _arguments().parse_args(argv)
    results = []
    with atlas_server(workers=args.workers, threads=args.threads) as atlas:
        bodies = {f"{name}.json": fetch(atlas + path) for name, path in REQUESTS.items()}
        with nginx_server(bodies) as nginx:
            for name, path in REQUESTS.items():
                fetch(atlas + path)  # every worker's cache is warm after the first second
                ours = wrk(atlas + path, duration=args.duration, connections=args.connections)
                theirs = wrk(
                    f"{nginx}/{name}.json", duration=args.duration, connections=args.connections
                )
                ratio = ours.requests_per_s / theirs.requests_per_s
                label = f"{name} ({len(bodies[name + '.json']):,} B)"
                met = ratio >= TARGET_RATIO
                results += [
                    Result("1 hot path", f"{label} atlas req/s", ours.requests_per_s, "req/s"),
                    Result("1 hot path", f"{name} atlas p50 / p99", _pair(ours), "ms"),
                    Result("1 hot path", f"{name} nginx req/s", theirs.requests_per_s, "req/s"),
                    Result("1 hot path", f"{name} nginx p50 / p99", _pair(theirs), "ms"),
                    Result(
                        "1 hot path", f"{name} atlas/nginx", ratio, "", f">= {TARGET_RATIO}", met
                    ),
                ]
                if ours.errors:
                    results.append(Result("1 hot path", f"{name} atlas errors", ours.errors))
    report(results, args.results)
    return results


def _pair(load) -> str:
    return f"{load.p50_ms:.1f} / {load.p99_ms:.1f}"


def _arguments():
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--duration", type=float, default=30, help="seconds per run")
    arguments.add_argument("--connections", type=int, default=32)
    arguments.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    arguments.add_argument(
        "--threads", type=int, default=1, help="threads per worker (gthread workers if > 1)"
    )
    return arguments


if __name__ == "__main__":
    main(sys.argv[1:])
