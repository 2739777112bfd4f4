"""What the benchmarks share: the production server, nginx, wrk, results and the summary row.

Every timing is compared within one run (atlas against nginx, importer against COPY), so a
busy machine makes the figures noisy but keeps the ratios meaningful.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_DATABASE_URL = "postgis://atlas:atlas@127.0.0.1:5432/atlas_bench"
# The benchmarks' own ports, away from the development server's 8000.
ATLAS_PORT = int(os.environ.get("BENCH_ATLAS_PORT", "8120"))
NGINX_PORT = int(os.environ.get("BENCH_NGINX_PORT", "8121"))
# Per port, so that benchmarks of two checkouts on one machine never share collected files.
STATIC_ROOT = Path(tempfile.gettempdir()) / f"atlas-bench-static-{ATLAS_PORT}"
# The map's published data files (atlas/publicdata.py); nginx's workers must read them.
PUBLIC_DATA_ROOT = Path(tempfile.gettempdir()) / f"atlas-bench-public-data-{ATLAS_PORT}"
# A request still unanswered after this long counts as an error (a timeout), not as a latency.
WRK_TIMEOUT_S = 30
WRK_SCRIPT = Path(__file__).resolve().parent / "percentiles.lua"


@dataclass
class Result:
    """One figure of one benchmark, with its target and whether it is met (None: no target)."""

    benchmark: str
    metric: str
    value: float | str
    unit: str = ""
    target: str = ""
    met: bool | None = None

    def line(self) -> str:
        verdict = {True: "met", False: "NOT met", None: ""}[self.met]
        if isinstance(self.value, float):
            value = f"{self.value:,.3f}" if abs(self.value) < 10 else f"{self.value:,.1f}"
        else:
            value = str(self.value)
        target = f"(target {self.target})" if self.target else ""
        return f"  {self.metric:<48} {value:>14} {self.unit:<8} {target} {verdict}".rstrip()


def parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--results", type=Path, help="append the figures as JSON lines to this file"
    )
    return parser


def report(results: list[Result], path: Path | None) -> None:
    """Print the figures and, for the summary, append them to ``path``."""
    for result in results:
        print(result.line(), flush=True)
    if path:
        with path.open("a") as out:
            for result in results:
                out.write(json.dumps(asdict(result)) + "\n")


def database_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def production_env(database: str | None = None) -> dict[str, str]:
    """The environment of a production deployment: DEBUG off, whitenoise's manifest storage."""
    return {
        **os.environ,
        "DATABASE_URL": database or database_url(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-deployment",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_STATIC_ROOT": str(STATIC_ROOT),
        "ATLAS_PUBLIC_DATA_ROOT": str(PUBLIC_DATA_ROOT),
        # The rate limit counts per client address, and wrk is one client.
        "ATLAS_API_RATE_LIMIT": "0",
    }


def manage(*args: str, env: dict | None = None) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env or production_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def django_setup(database: str | None = None) -> None:
    """Django in this process, on the benchmark database (for setting up data)."""
    os.environ["DATABASE_URL"] = database or database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlas.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def fetch(url: str, headers: dict | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.read()


def collect_static(env: dict) -> None:
    """collectstatic (with whitenoise's compression) unless STATIC_ROOT is newer than static/."""
    manifest = STATIC_ROOT / "staticfiles.json"
    sources = [p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file()]
    if manifest.exists() and manifest.stat().st_mtime > max(sources):
        return
    manage("collectstatic", "--no-input", "-v", "0", env=env)


@contextlib.contextmanager
def atlas_server(
    *, workers: int = 3, threads: int = 1, database: str | None = None, port: int = ATLAS_PORT
):
    """gunicorn with the production settings; yields its base URL. With ``threads`` > 1 the
    workers are gthread workers, which keep connections alive.
    """
    env = production_env(database)
    collect_static(env)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "atlas.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the server's lifetime
        prefix="atlas-bench-gunicorn-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/api/v1/levels")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
        os.unlink(log.name)


NGINX_CONF = """\
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    default_type application/json;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


@contextlib.contextmanager
def _running_nginx(prefix: Path, conf: Path, *, port: int, probe: str):
    """Start nginx with ``conf`` under ``prefix``, wait until ``probe`` answers, yield the base
    URL; stop it and remove ``prefix`` afterwards."""
    subprocess.run(["nginx", "-p", str(prefix), "-c", str(conf)], check=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/{probe}")
        yield base
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(
                ["nginx", "-p", str(prefix), "-c", str(conf), "-s", "stop"],
                check=True,
                capture_output=True,
            )
        time.sleep(0.5)
        shutil.rmtree(prefix, ignore_errors=True)


@contextlib.contextmanager
def nginx_server(files: dict[str, bytes], *, port: int = NGINX_PORT):
    """nginx serving ``files`` (name -> bytes) as static files; yields its base URL."""
    prefix = Path(tempfile.mkdtemp(prefix="atlas-bench-nginx-"))
    # nginx's workers drop root privileges and must be able to read the files.
    prefix.chmod(0o755)
    root = prefix / "root"
    root.mkdir(mode=0o755)
    for name, body in files.items():
        (root / name).write_bytes(body)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, root=root, port=port))
    with _running_nginx(prefix, conf, port=port, probe=next(iter(files))) as base:
        yield base


def production_nginx_conf(*, prefix: Path, atlas: str, port: int) -> tuple[str, str]:
    """A main configuration (as for the static baseline) and deploy/nginx.conf as production
    runs it, pointed at this machine's atlas, public-data directory and port.
    """
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "server web:8000;": f"server {atlas.removeprefix('http://')};",
        "listen 8000;": f"listen 127.0.0.1:{port};",
        "alias /srv/public-data/;": f"alias {PUBLIC_DATA_ROOT}/;",
        "include /etc/nginx/atlas-proxy.conf;": f"include {ROOT / 'deploy' / 'nginx-proxy.conf'};",
    }
    for old, new in replacements.items():
        if old not in site:
            raise RuntimeError(f"deploy/nginx.conf no longer contains {old!r}")
        site = site.replace(old, new)
    main = NGINX_CONF.split("    server {{")[0].format(prefix=prefix)
    return f"{main}    include {prefix}/site.conf;\n}}\n", site


@contextlib.contextmanager
def proxy_server(atlas: str, *, port: int = NGINX_PORT):
    """nginx configured as deploy/nginx.conf in front of ``atlas``; yields its base URL."""
    prefix = Path(tempfile.mkdtemp(prefix="atlas-bench-proxy-"))
    prefix.chmod(0o755)
    PUBLIC_DATA_ROOT.mkdir(mode=0o755, exist_ok=True)
    PUBLIC_DATA_ROOT.chmod(0o755)
    main, site = production_nginx_conf(prefix=prefix, atlas=atlas, port=port)
    (prefix / "site.conf").write_text(site)
    conf = prefix / "nginx.conf"
    conf.write_text(main)
    with _running_nginx(prefix, conf, port=port, probe="nginx-health") as base:
        yield base


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    timeouts: int
    requests: int


def wrk(url: str, *, duration: float, connections: int, threads: int = 2) -> Load:
    """Load ``url`` with wrk; latency percentiles from wrk's full histogram."""
    done = subprocess.run(
        [
            "wrk",
            f"--threads={min(threads, connections)}",
            f"--connections={connections}",
            f"--duration={max(1, round(duration))}s",
            f"--timeout={WRK_TIMEOUT_S}s",
            f"--script={WRK_SCRIPT}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    return Load(
        requests_per_s=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        errors=figures["errors"],
        timeouts=figures["timeouts"],
        requests=figures["requests"],
    )


def machine() -> dict[str, str]:
    """CPU, cores, RAM, Python and PostgreSQL versions, for the dated results."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    meminfo = Path("/proc/meminfo").read_text()
    kib = int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1))
    try:
        postgres = subprocess.run(
            ["psql", to_libpq(database_url()), "-XtAc", "SHOW server_version"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        postgis = subprocess.run(
            ["psql", to_libpq(database_url()), "-XtAc", "SELECT postgis_lib_version()"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        postgres = postgis = "unknown"
    return {
        "cpu": model.group(1).strip() if model else "unknown",
        "cores": str(os.cpu_count()),
        "ram": f"{kib / 1024 / 1024:.1f} GiB",
        "python": sys.version.split()[0],
        "postgresql": postgres,
        "postgis": postgis,
    }


def to_libpq(url: str) -> str:
    """A libpq URL (psql, psycopg) from the atlas's postgis:// one."""
    return re.sub(r"^postgis://", "postgresql://", url)
