"""Imports as separate processes against the test database: killed midway, or two at once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from indicators.models import Indicator, Observation, Release

pytestmark = pytest.mark.django_db(transaction=False)


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def big_file(path, *, years, value=1):
    """Value 1 (or ``value``) for every statistical district and indicator over many years."""
    slugs = list(
        Indicator.objects.filter(kind__in=["count", "rate", "mean"], computation="")
        .exclude(slug__startswith="wohnungslose")
        .values_list("slug", flat=True)
    )
    lines = ["gebiet,ebene,indikator,jahr,wert"]
    for year in years:
        for slug in slugs:
            for code in ("11", "12", "13", "21", "22", "31", "32", "41", "42", "51", "52", "61",
                         "62", "71", "72", "73", "74"):  # fmt: skip
                lines.append(f"{code},statistischer-bezirk,{slug},{year},{value}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def start_import(path, title):
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_values", str(path), "--title", title],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def inserting(title_hint="indicators_observation") -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND query ILIKE %s AND state = 'active'",
            [f'%INSERT INTO "{title_hint}"%'],
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def counts():
    return lambda: (Release.objects.count(), Observation.objects.count())


def test_an_import_killed_midway_leaves_no_trace(tmp_path, counts):
    path = tmp_path / "gross.csv"
    big_file(path, years=range(2025, 2101))
    before = counts()
    process = start_import(path, "abgebrochen")
    deadline = time.monotonic() + 120
    while not inserting() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.5)  # PostgreSQL rolls back once it notices the closed connection
    assert counts() == before
    assert not Release.objects.filter(title="abgebrochen").exists()


def waiting_for_the_import_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def test_two_imports_at_once_run_one_after_the_other(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    rows = big_file(first, years=range(2030, 2040), value=1)
    big_file(second, years=range(2030, 2040), value=2)
    # Holding the imports' lock here makes both wait, however fast each import is by itself.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('atlas.import_values'))")
    try:
        processes = [start_import(first, "erste"), start_import(second, "zweite")]
        deadline = time.monotonic() + 120
        while waiting_for_the_import_lock() < 2 and time.monotonic() < deadline:
            assert all(p.poll() is None for p in processes), "an import did not wait"
            time.sleep(0.02)
        assert waiting_for_the_import_lock() == 2, "both imports should wait for the lock"
        assert not Release.objects.filter(title__in=["erste", "zweite"]).exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('atlas.import_values'))")
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    for title, value in (("erste", 1), ("zweite", 2)):
        release = Release.objects.get(title=title)
        values = set(release.observations.values_list("value", flat=True))
        assert (release.observations.count(), values) == (rows, {value})
