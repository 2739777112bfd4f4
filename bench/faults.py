"""Faults against a throwaway PostgreSQL cluster: restart under load, outage, a killed import.

    DATABASE_URL=postgis://…/atlas_with_demo_data .venv/bin/python bench/faults.py

Run as root on Debian (pg_createcluster). Creates cluster 15/faulttest on port 5499, copies the
database named by DATABASE_URL into it with scripts/backup.sh and scripts/restore.sh, serves it
with gunicorn (production settings), then:

1. restarts PostgreSQL while 16 clients keep requesting pages and API calls: how many requests
   failed, whether all failures fall into the restart window, whether the atlas answers again
   without being restarted itself;
2. stops PostgreSQL: what pages, the API, /readyz and /healthz answer; starts it again and
   measures how long until /readyz is 200;
3. kills an import (manage.py import_values) with SIGKILL while it writes: releases and
   observations before and after.

The cluster is dropped at the end.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from production import PATHS, ROOT, get, production_env, start_gunicorn, stop

CLUSTER = ("15", "faulttest")
PORT = 5499
DATABASE = "atlas_fault"
FAULT_URL = f"postgis://atlas:atlas@127.0.0.1:{PORT}/{DATABASE}"


def sh(*command: str, **kwargs) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs).stdout


def as_postgres(sql: str, database: str = "postgres") -> None:
    sh("runuser", "-u", "postgres", "--", "psql", "-p", str(PORT), "-d", database,
       "-v", "ON_ERROR_STOP=1", "-qc", sql)  # fmt: skip


def pg_ctl(action: str) -> None:
    sh("pg_ctlcluster", *CLUSTER, action, *(["-m", "fast"] if action != "start" else []))


def create_cluster(source_url: str, work: Path) -> None:
    sh("pg_createcluster", *CLUSTER, "-p", str(PORT), "--start")
    as_postgres("CREATE ROLE atlas LOGIN PASSWORD 'atlas'")
    as_postgres(f"CREATE DATABASE {DATABASE} OWNER atlas")
    as_postgres("CREATE EXTENSION postgis", DATABASE)
    env = {**os.environ, "BACKUP_DIR": str(work / "backups"),
           "DJANGO_MEDIA_ROOT": str(work / "media-source")}  # fmt: skip
    backup = sh("bash", "scripts/backup.sh", cwd=ROOT, env={**env, "DATABASE_URL": source_url})
    env.update(DATABASE_URL=FAULT_URL, DJANGO_MEDIA_ROOT=str(work / "media"))
    sh("bash", "scripts/restore.sh", backup.strip().splitlines()[-1], cwd=ROOT, env=env)


def counts() -> tuple[int, int]:
    connection = psycopg2.connect(FAULT_URL.replace("postgis://", "postgresql://"))
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM indicators_release),"
                       " (SELECT count(*) FROM indicators_observation)")  # fmt: skip
        result = cursor.fetchone()
    connection.close()
    return result


class Clients:
    """Threads requesting the paths in turn, recording (start, end, status or error)."""

    def __init__(self, base: str, threads: int):
        self.base, self.threads, self.results, self.stop = base, threads, [], threading.Event()

    def _run(self, offset: int) -> None:
        n = offset
        while not self.stop.is_set():
            path = PATHS[n % len(PATHS)]
            n += 1
            started = time.monotonic()
            try:
                outcome = get(self.base + path, timeout=30)[0]
            except OSError as error:
                outcome = type(error).__name__
            self.results.append((started, time.monotonic(), outcome))

    def __enter__(self):
        self.workers = [threading.Thread(target=self._run, args=(i,)) for i in range(self.threads)]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join()


def workers_of(pid: int) -> set[int]:
    """gunicorn's worker processes: same ones before and after means none was restarted."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def restart_under_load(base: str, *, seconds: float, restart_at: float, clients: int) -> bool:
    with Clients(base, clients) as load:
        time.sleep(restart_at)
        window_start = time.monotonic()
        pg_ctl("restart")
        window_end = time.monotonic()
        time.sleep(seconds - restart_at)
    results = load.results
    errors = [r for r in results if r[2] != 200]
    # A request fails because of the restart if it was running during it (or began right
    # after: the connect timeout of a worker's first attempt).
    inside = [r for r in errors if r[0] <= window_end + 1 and r[1] >= window_start]
    after = [r for r in results if r[0] > window_end + 1]
    kinds = {}
    for _, _, outcome in errors:
        kinds[outcome] = kinds.get(outcome, 0) + 1
    print("## PostgreSQL restarted under load")
    print(f"requests: {len(results)} by {clients} clients in {seconds:.0f} s")
    print(f"restart window: {window_end - window_start:.2f} s (pg_ctlcluster restart -m fast)")
    print(f"failed requests: {len(errors)} ({kinds}); inside the window: {len(inside)}, "
          f"outside: {len(errors) - len(inside)}")  # fmt: skip
    print(f"requests after the window: {len(after)}, failed: {sum(r[2] != 200 for r in after)}")
    return len(errors) == len(inside) and all(r[2] == 200 for r in after)


def outage(base: str) -> bool:
    pg_ctl("stop")
    print("## PostgreSQL stopped")
    ok = True
    expect = {"/": 503, "/gebiet/statistischer-bezirk/11/": 503, "/api/v1/levels": 503,
              "/readyz": 503, "/healthz": 200}  # fmt: skip
    for path, wanted in expect.items():
        started = time.monotonic()
        status, body = get(base + path)
        text = body.decode()
        note = ""
        if path == "/":
            note = "German text" if "Die Datenbank ist im Moment nicht erreichbar" in text else "?"
            note += ", English text" if "The database cannot be reached" in text else ", ?"
            note += ", no traceback" if "Traceback" not in text else ", TRACEBACK"
        elif path in ("/readyz", "/api/v1/levels"):
            note = text
        print(f"{path}: {status} in {(time.monotonic() - started) * 1000:.0f} ms {note}")
        ok = ok and status == wanted
    pg_ctl("start")
    started = time.monotonic()
    while get(base + "/readyz")[0] != 200:
        time.sleep(0.1)
    print(f"after starting PostgreSQL again, /readyz is 200 within "
          f"{time.monotonic() - started:.1f} s; / answers {get(base + '/')[0]}")  # fmt: skip
    return ok


def big_import_file(path: Path, years: range) -> int:
    connection = psycopg2.connect(FAULT_URL.replace("postgis://", "postgresql://"))
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT slug FROM indicators_indicator WHERE kind IN ('count', 'rate',"
            " 'mean') AND computation = '' AND slug NOT LIKE 'wohnungslose%%'"
        )
        slugs = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT d.code FROM districts_district d JOIN districts_level l"
                       " ON l.id = d.level_id WHERE l.slug = 'statistischer-bezirk'"
                       " AND d.valid_to IS NULL")  # fmt: skip
        codes = [row[0] for row in cursor.fetchall()]
    connection.close()
    lines = ["gebiet,ebene,indikator,jahr,wert"]
    lines += [f"{c},statistischer-bezirk,{s},{y},1" for y in years for s in slugs for c in codes]
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def killed_import(work: Path, env: dict) -> bool:
    path = work / "gross.csv"
    rows = big_import_file(path, range(2025, 2101))
    before = counts()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_values", str(path), "--title", "abgebrochen"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    connection = psycopg2.connect(FAULT_URL.replace("postgis://", "postgresql://"))
    connection.autocommit = True
    writing = False
    with connection.cursor() as cursor:
        while process.poll() is None and not writing:
            # The import's transaction holds this lock from its first observation on.
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE relation = 'indicators_observation'::regclass"
                " AND mode = 'RowExclusiveLock' AND granted AND pid <> pg_backend_pid()"
            )
            writing = cursor.fetchone()[0] > 0
            time.sleep(0.01)
    time.sleep(0.3)
    alive = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(1)
    after = counts()
    connection.close()
    print("## Import killed with SIGKILL while writing")
    print(f"file: {rows} rows; writing seen: {writing}; still running at the kill: {alive}")
    print(f"releases, observations before: {before}, after: {after}")
    return writing and alive and before == after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--restart-at", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8132)
    args = parser.parse_args()
    source = os.environ.get("DATABASE_URL")
    if not source:
        raise SystemExit("DATABASE_URL must name a database with the demo data")

    work = Path(tempfile.mkdtemp(prefix="atlas-faults-"))
    create_cluster(source, work)
    env = production_env(FAULT_URL, DJANGO_MEDIA_ROOT=str(work / "media"))
    process, base = start_gunicorn(env, args.port, workers=2, threads=4, log=work / "gunicorn.log")
    results = {}
    try:
        workers = workers_of(process.pid)
        results["restart"] = restart_under_load(
            base, seconds=args.seconds, restart_at=args.restart_at, clients=args.clients
        )
        results["outage"] = outage(base)
        now = workers_of(process.pid)
        print(f"gunicorn workers before: {sorted(workers)}, after: {sorted(now)}")
        results["gunicorn not restarted"] = workers == now
        results["killed import"] = killed_import(work, env)
    finally:
        stop(process)
        sh("pg_dropcluster", *CLUSTER, "--stop")
    print("## Result")
    for name, ok in results.items():
        print(f"{name}: {'ok' if ok else 'FAILED'}")
    print(f"gunicorn log: {work / 'gunicorn.log'}")
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
