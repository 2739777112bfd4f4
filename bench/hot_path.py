"""1. Hot path: the two requests the map makes, in the production set-up against nginx alone.

The production set-up is nginx configured as deploy/nginx.conf in front of gunicorn: the map's
data files (/data/<state>/…, atlas/publicdata.py) come from the directory the atlas renders
them into, anything not rendered yet from the atlas. The baseline is nginx serving the same
bytes as plain static files. Target: at least half of the baseline's requests per second.
"""

import sys
import urllib.request

from common import Result, atlas_server, fetch, nginx_server, parser, proxy_server, report, wrk

# Any state: the atlas redirects to the current one, whose URL the benchmark then loads.
REQUESTS = {
    "boundaries": "/data/0000000000000000/boundaries/statistischer-bezirk/2024.json",
    "values": "/data/0000000000000000/values/kinderarmut/statistischer-bezirk/2024.json",
}
TARGET_RATIO = 0.5


def current_path(base: str, path: str) -> str:
    """The URL of the current state that ``path`` redirects to (rendering the file on the way)."""
    with urllib.request.urlopen(base + path, timeout=600) as response:
        response.read()
        return response.geturl().removeprefix(base)


def main(argv=None) -> list[Result]:
    args = _arguments().parse_args(argv)
    results = []
    with atlas_server(workers=args.workers, threads=args.threads) as atlas:
        with proxy_server(atlas) as front:
            paths = {name: current_path(front, path) for name, path in REQUESTS.items()}
            bodies = {f"{name}.json": fetch(front + path) for name, path in paths.items()}
            ours = {
                name: wrk(front + path, duration=args.duration, connections=args.connections)
                for name, path in paths.items()
            }
        with nginx_server(bodies) as nginx:
            for name in paths:
                theirs = wrk(
                    f"{nginx}/{name}.json", duration=args.duration, connections=args.connections
                )
                ratio = ours[name].requests_per_s / theirs.requests_per_s
                label = f"{name} ({len(bodies[name + '.json']):,} B)"
                met = ratio >= TARGET_RATIO
                results += [
                    Result(
                        "1 hot path",
                        f"{label} nginx+atlas req/s",
                        ours[name].requests_per_s,
                        "req/s",
                    ),
                    Result("1 hot path", f"{name} nginx+atlas p50 / p99", _pair(ours[name]), "ms"),
                    Result("1 hot path", f"{name} nginx req/s", theirs.requests_per_s, "req/s"),
                    Result("1 hot path", f"{name} nginx p50 / p99", _pair(theirs), "ms"),
                    Result(
                        "1 hot path", f"{name} atlas/nginx", ratio, "", f">= {TARGET_RATIO}", met
                    ),
                ]
                if ours[name].errors:
                    results.append(Result("1 hot path", f"{name} atlas errors", ours[name].errors))
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
