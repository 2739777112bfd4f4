"""One test database with the demo data, built once and cloned for every test process.

Migrating a new database and importing the demo data into it takes each pytest-xdist worker
a quarter of a minute or more, and did so on every run. Instead the first worker that needs
it builds a template database (migrations, demo data, the copy of demo_snapshot.py) and every
worker clones it with ``CREATE DATABASE … TEMPLATE``, which copies its files in a second.

The template is named after a fingerprint of everything that goes into it: the migrations
and the code that imports the demo data (every module of the apps), the demo files, these
test modules, the installed packages and the settings from the environment. Any change to
one of them builds a new template on the next run and drops the old one; ``--create-db``
builds it anew anyway. Workers take turns under an advisory lock, so a template is built once
and never cloned half-built (it gets its name only when complete).
"""

import hashlib
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
# The demo projection of the tests' database: fewer simulations than the 1,000 of the demo as
# served, which would take half a minute more to build; what the tests check of a run does not
# depend on their number.
TEST_TRAJECTORIES = 50
# What the template is made of, every file of it: the apps' code and data imports the demo
# data, the tests' modules load and keep it; pyproject.toml stands for the installed packages.
INPUTS = [
    "core", "atlas", "districts", "indicators", "facilities", "reports", "projections",
    "fixtures/bottrop", "tests/conftest.py", "tests/demo_snapshot.py", "tests/template_db.py",
    "pyproject.toml",
]  # fmt: skip

# Read by Django at run time, not by the settings: tests/browser/conftest.py sets it when it is
# collected, so a run with the browser tests and a run of one file would otherwise each find
# the other's template foreign and build their own in turn.
NOT_SETTINGS = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(ROOT)).encode() + b"\0")
                digest.update(file.read_bytes() + b"\0")
    environment = sorted(
        (k, v)
        for k, v in os.environ.items()
        if k.startswith(("DJANGO_", "ATLAS_", "DATABASE_")) and k not in NOT_SETTINGS
    )
    digest.update(repr((environment, sys.version, django.get_version())).encode())
    return digest.hexdigest()[:12]


def _nodb_execute(*statements: str) -> list:
    with connection.creation._nodb_cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def _lock(key: str):
    """An advisory lock on the server, held by a connection of its own while the block runs."""
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def _quick_commits(name: str) -> None:
    """Commits of every later connection to database ``name`` (test processes, live servers,
    subprocesses) return without waiting for the disk: a test database need not survive a
    crash of the server, and the tests commit thousands of times (transactional tests, the
    demo data put back)."""
    quote = connection.ops.quote_name
    _nodb_execute(f"ALTER DATABASE {quote(name)} SET synchronous_commit = off")


def _use(name: str) -> None:
    """Points the default connection at the database ``name``, as Django's test runner does."""
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _databases_like(prefix: str) -> list[str]:
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix])
        return [name for (name,) in cursor.fetchall()]


def _build(template: str, fill) -> None:
    """Migrates a new database, calls ``fill`` in it, then names it ``template``."""
    quote = connection.ops.quote_name
    building = f"{template}_building"
    original = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict["TEST"]
    worker_name = test_settings.get("NAME")
    test_settings["NAME"] = building
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        _quick_commits(building)
        connection.close()  # the next connection takes the setting
        # Files the import writes (the source files, the map's files) go nowhere lasting:
        # every test has folders of its own (tests/conftest.py).
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(
                MEDIA_ROOT=f"{folder}/media", ATLAS_PUBLIC_DATA_ROOT=f"{folder}/public-data"
            ),
        ):
            fill()
    finally:
        test_settings["NAME"] = worker_name
        _use(original)
    _nodb_execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")


# The template this process's test database was cloned from (set by ``clone``).
_CLONED_FROM: list[str] = []


def copy_template(name: str) -> None:
    """A new database ``name`` made from the template this process's test database was cloned
    from (``clone`` first), under the lock of the processes cloning it."""
    quote = connection.ops.quote_name
    template = _CLONED_FROM[-1]
    with _lock(template.rpartition("_tpl_")[0]):
        _nodb_execute(
            f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)",
            f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}",
        )


def clone(fill, *, rebuild: bool = False) -> str:
    """Gives this process a test database of its own, cloned from the template (built first
    with ``fill`` if there is none for this fingerprint); returns its name."""
    quote = connection.ops.quote_name
    target = connection.creation._get_test_db_name()
    base = f"test_{connection.settings_dict['NAME']}"[:40]
    template = f"{base}_tpl_{fingerprint()}"
    with _lock(base):
        existing = set(_databases_like(f"{base}_tpl_"))
        if rebuild or template not in existing:
            for name in existing:  # older fingerprints, and a build that was cut off
                _nodb_execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
            _build(template, fill)
        _nodb_execute(
            # Not by force: a run of its own may be using it (as Django's test runner).
            f"DROP DATABASE IF EXISTS {quote(target)}",
            f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}",
        )
        _quick_commits(target)  # a clone does not inherit its template's settings
    _CLONED_FROM.append(template)
    _use(target)
    return target


def drop(name: str, original: str) -> None:
    _use(original)
    _nodb_execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
