"""Shared by bench/load.py and bench/faults.py: gunicorn with production settings."""

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Public pages and API calls a visitor's browser makes, with the demo data.
PATHS = [
    "/",
    "/?indicator=sgb-ii-quote&year=2020",
    "/gebiet/statistischer-bezirk/11/",
    "/bezirk/2/",
    "/api/v1/levels",
    "/api/v1/indicators",
    "/api/v1/districts?level=statistischer-bezirk",
    "/api/v1/values?indicator=kinderarmut&level=statistischer-bezirk&year=2023",
    "/api/v1/values?indicator=einwohner&level=stadtbezirk&year=2020",
    "/api/v1/series?indicator=kinderarmut&level=statistischer-bezirk&codes=11,12,21",
    "/api/v1/profile?level=statistischer-bezirk&code=11",
]


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings as .env.example sets them, behind a TLS proxy on this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATLAS_"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_BEHIND_TLS_PROXY="1",
        DJANGO_SECURE_COOKIES="1",
        DJANGO_SSL_REDIRECT="1",
        DJANGO_HSTS_SECONDS="31536000",
        DJANGO_LOG_LEVEL="WARNING",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        # The rate limit counts per client address, and the load generator is one client.
        ATLAS_API_RATE_LIMIT="0",
    )
    env.update(extra)
    return env


def start_gunicorn(env: dict, port: int, *, workers: int, threads: int, log: Path):
    command = [
        sys.executable, "-m", "gunicorn", "atlas.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--timeout", "60", "--backlog", "2048",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if get(base + "/healthz")[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"gunicorn did not start, see {log}")


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    """Status and body, as the TLS proxy would forward the request."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (gunicorn and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def stop(process) -> None:
    """Ends gunicorn; requests still queued after wrk stopped are not waited for."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
