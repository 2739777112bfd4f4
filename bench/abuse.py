"""Abuse costs the attacker: the public mix through nginx while one client hammers downloads.

    DATABASE_URL=postgis://…/atlas_abuse .venv/bin/python bench/abuse.py [--seconds 30]

gunicorn runs as the Dockerfile starts it (sync workers, WEB_CONCURRENCY=3, --timeout 60,
--max-requests 2000), behind nginx with deploy/nginx.conf, with the limits of .env.example
(API 120/minute, downloads 30/minute per client) counted in Redis, and two trusted proxy hops.
wrk plays the TLS proxy: it sends each request with X-Forwarded-For naming a visitor, and nginx
appends its own hop, as in production.

- Visitors: 100 connections walk through the public mix (pages, API, the map's data files and
  the downloads: release XLSX and CSV, the table, the GeoPackage, the catchment XLSX and the
  fact sheet PDF) three times over, each visitor with an address of its own, so each stays
  under both limits.
- The abuser: 4 more connections with one address asking for the heavy downloads only.

Before the clock starts, each path is asked for once (the downloads are then built and kept),
and the first and a repeated request of the release XLSX are timed, beside the time its build
takes in one process (what every request cost before downloads were kept). Prints requests,
errors, 429s and latency percentiles per client class; exits non-zero when a visitor got an
error or a 429. Loopback only: the addresses in X-Forwarded-For are documentation and
benchmarking ranges that no packet goes to.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# This benchmark's own ports (and with them its static and data directories, bench/common.py).
os.environ.setdefault("BENCH_ATLAS_PORT", "8020")
os.environ.setdefault("BENCH_NGINX_PORT", "8021")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    ATLAS_PORT,
    NGINX_PORT,
    PYTHON,
    ROOT,
    collect_static,
    production_env,
    proxy_server,
    wait_for,
)

DEFAULT_DATABASE_URL = "postgis://atlas:atlas@127.0.0.1:5432/atlas_abuse"
ABUSER = "203.0.113.66"
WARM_UP = "192.0.2.10"
PAGES_AND_API = [
    "/",
    "/?indicator=sgb-ii-quote&year=2020",
    "/gebiet/statistischer-bezirk/11/",
    "/bezirk/2/",
    "/bezirk/2/steckbrief/",
    "/daten/",
    "/api/v1/levels",
    "/api/v1/indicators",
    "/api/v1/values?indicator=kinderarmut&level=statistischer-bezirk&year=2023",
    "/api/v1/series?indicator=kinderarmut&level=statistischer-bezirk&codes=11,12,21",
    "/api/v1/profile?level=statistischer-bezirk&code=11",
]
DOWNLOADS = [
    "/daten/{release}/werte.xlsx",
    "/daten/{release}/werte.csv",
    "/daten/tabelle.csv?indicator=kinderarmut&level=statistischer-bezirk&year=2023",
    "/daten/gebiete.gpkg",
    "/daten/erreichbarkeit.xlsx?type=kita&distance=500&level=stadtbezirk",
    "/bezirk/2/steckbrief.pdf",
]
HEAVY = [
    "/daten/{release}/werte.xlsx",
    "/daten/gebiete.gpkg",
    "/bezirk/2/steckbrief.pdf",
    "/daten/{release}/werte.xlsx?theme={theme}",
]

# Per thread: a visitor is `session` requests long; its address is made of its number. done()
# prints, as JSON, the statuses counted in every thread and wrk's latency percentiles.
WRK_SCRIPT = """
local paths = {%(paths)s}
local session = %(session)d
local fixed = "%(fixed)s"
local threads = {}
local nthreads = %(threads)d

setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

counter = 0
statuses = {}

local function visitor_address()
  local n = math.floor(counter / session) * nthreads + id
  return string.format("198.%%d.%%d.%%d", 18 + math.floor(n / 65024) %% 2,
    math.floor(n / 254) %% 256, n %% 254 + 1)
end

request = function()
  local path = paths[(counter %% #paths) + 1]
  local address = fixed ~= "" and fixed or visitor_address()
  counter = counter + 1
  return wrk.format("GET", path, {["X-Forwarded-For"] = address,
                                  ["X-Forwarded-Proto"] = "https"})
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[#counts + 1] = string.format('"%%d": %%d', status, n)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, '
      .. '"timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "statuses": [{%%s}]}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    table.concat(counts, "}, {")))
end
"""


def wrk_command(base: str, paths: list[str], *, connections: int, threads: int, seconds: int,
                fixed: str, session: int, script_dir: Path) -> tuple[list[str], Path]:  # fmt: skip
    script = script_dir / f"wrk-{fixed or 'visitors'}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "paths": ", ".join(f'"{p}"' for p in paths),
            "session": session,
            "fixed": fixed,
            "threads": threads,
        }
    )
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", str(script), base]  # fmt: skip
    return command, script


def figures_of(stdout: str) -> dict:
    figures = json.loads(stdout[stdout.index("{") :].splitlines()[0])
    counts: dict[int, int] = {}
    for entry in figures.pop("statuses"):
        for status, n in entry.items():
            counts[int(status)] = counts.get(int(status), 0) + n
    figures["statuses"] = counts
    return figures


def get(url: str, address: str) -> tuple[int, bytes, float]:
    """Status, body and seconds of one request as the TLS proxy forwards it."""
    request = urllib.request.Request(
        url, headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


BUILD_TIMING = """
import time
from indicators.models import Release
from indicators.services import downloads
release = Release.objects.filter(status="published").order_by("-published_at").first()
times = []
for _ in range(3):
    started = time.perf_counter()
    downloads.to_xlsx(downloads.release_download(release))
    times.append(time.perf_counter() - started)
print(min(times), max(times))
"""


def build_seconds(env: dict) -> tuple[float, float]:
    """Fastest and slowest of three builds of the release XLSX in one process: what each
    request for it cost while downloads were built per request."""
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", BUILD_TIMING],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    fastest, slowest = done.stdout.split()[-2:]
    return float(fastest), float(slowest)


def start_gunicorn(env: dict, log: Path) -> subprocess.Popen:
    """As the Dockerfile's CMD, on this benchmark's port."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "atlas.wsgi:application",
        "--bind", f"127.0.0.1:{ATLAS_PORT}", "--timeout", "60",
        "--max-requests", "2000", "--max-requests-jitter", "200",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    wait_for(f"http://127.0.0.1:{ATLAS_PORT}/healthz", timeout=90)
    return process


def line(name: str, figures: dict, *, allowed: set[int]) -> tuple[int, int]:
    statuses = figures["statuses"]
    sockets = sum(figures[k] for k in ("connect", "read", "write", "timeout"))
    errors = sockets + sum(n for s, n in statuses.items() if s not in allowed)
    refused = statuses.get(429, 0)
    seconds = figures["duration_us"] / 1e6
    print(
        f"{name:<9} requests {figures['requests']:>6} ({figures['requests'] / seconds:.0f}/s), "
        f"errors {errors}, 429 {refused}, p50 {figures['p50_us'] / 1000:.0f} ms, "
        f"p95 {figures['p95_us'] / 1000:.0f} ms, p99 {figures['p99_us'] / 1000:.0f} ms; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    return errors, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--abuser-connections", type=int, default=4)
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    kept = Path(tempfile.mkdtemp(prefix=f"atlas-bench-downloads-{ATLAS_PORT}-"))
    env = {
        **production_env(database),
        "WEB_CONCURRENCY": "3",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "ATLAS_API_RATE_LIMIT": "120/minute",
        "ATLAS_DOWNLOAD_RATE_LIMIT": "30/minute",
        "ATLAS_TRUSTED_PROXIES": "2",
        "ATLAS_DOWNLOAD_ROOT": str(kept),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    collect_static(env)
    fastest, slowest = build_seconds(env)
    log = Path(tempfile.gettempdir()) / f"atlas-bench-abuse-gunicorn-{ATLAS_PORT}.log"
    process = start_gunicorn(env, log)
    try:
        with proxy_server(f"http://127.0.0.1:{ATLAS_PORT}", port=NGINX_PORT) as base:
            releases = json.loads(get(base + "/api/v1/releases", WARM_UP)[1])
            release = releases["results"][0]["id"]
            theme = json.loads(get(base + "/api/v1/themes", WARM_UP)[1])["themes"][0]["slug"]
            page = get(base + "/", WARM_UP)[1].decode()
            state = re.search(r"/data/([0-9a-f]{16})/", page).group(1)
            data_files = [
                f"/data/{state}/boundaries/statistischer-bezirk/2023.json",
                f"/data/{state}/values/kinderarmut/statistischer-bezirk/2023.json",
            ]
            downloads = [p.format(release=release, theme=theme) for p in DOWNLOADS]
            heavy = [p.format(release=release, theme=theme) for p in HEAVY]
            first = get(base + downloads[0], WARM_UP)
            repeat = get(base + downloads[0], WARM_UP)
            print(
                f"release XLSX ({len(first[1]) / 1024:.0f} KiB): build in one process "
                f"{fastest:.2f}–{slowest:.2f} s (every request, before); through nginx now "
                f"first {first[2]:.2f} s (status {first[0]}), repeat {repeat[2] * 1000:.0f} ms "
                f"(status {repeat[0]})"
            )
            mix = PAGES_AND_API + data_files + downloads
            for path in [*mix, *heavy]:  # every path answers 200 before the clock starts
                status, body, _ = get(base + path, WARM_UP)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}: {body[:200]!r}")
            with tempfile.TemporaryDirectory() as folder:
                visitors, _ = wrk_command(
                    base, mix, connections=args.connections, threads=2,
                    seconds=args.seconds, fixed="", session=3 * len(mix),
                    script_dir=Path(folder),
                )  # fmt: skip
                abuser, _ = wrk_command(
                    base, heavy, connections=args.abuser_connections, threads=1,
                    seconds=args.seconds, fixed=ABUSER, session=1, script_dir=Path(folder),
                )  # fmt: skip
                runs = [
                    subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
                    for command in (visitors, abuser)
                ]
                outputs = [run.communicate()[0] for run in runs]
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    public, attacker = (figures_of(output) for output in outputs)
    print(
        f"gunicorn as the Dockerfile (3 sync workers) behind nginx (deploy/nginx.conf); "
        f"{args.seconds} s; visitors: {args.connections} connections, {len(mix)} paths, "
        f"{3 * len(mix)} requests ({3 * len(downloads)} downloads) per visitor address; "
        f"abuser: {args.abuser_connections} connections, one address, {len(heavy)} downloads"
    )
    errors, refused = line("visitors", public, allowed={200})
    line("abuser", attacker, allowed={200, 429})
    sys.exit(1 if errors or refused else 0)


if __name__ == "__main__":
    main()
