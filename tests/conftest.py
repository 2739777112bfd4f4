import gc
import hashlib
import itertools
import shutil
from pathlib import Path

import pytest
from django.conf import UserSettingsHolder, settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import override_settings
from django.test.signals import setting_changed
from django.utils import translation

from atlas.demo import load_demo_data
from atlas.pagecache import PAGES
from atlas.permissions import STATISTICIANS
from core import datastate
from districts.models import District
from indicators.models import Indicator, Observation
from indicators.readcache import TABLES

from . import demo_snapshot, summary, template_db
from .factories import (
    DistrictFactory,
    IndicatorFactory,
    LevelFactory,
    ObservationFactory,
    ReleaseFactory,
    ThemeFactory,
)


def _rename(item, nodeid: str) -> None:
    if hasattr(item, "_id"):  # pytest 9.2 keeps the name structured
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        item._nodeid = nodeid


def pytest_collection_modifyitems(config, items):
    """Every test gets a name of its own, with its xdist group at the end.

    pytest-xdist hands tests out by name: of tests with the same name it runs one, and
    ``--dist loadgroup`` keeps together the tests whose names end in the same ``@group``.
    Schemathesis names its test of each operation alike, so the operation is added as in its
    reports; and the group is added here, since xdist's own renaming has no effect on pytest 9.2.
    """
    # On a worker xdist says "loadgroup" here, not in the option "dist".
    grouping = bool(config.getvalue("loadgroup")) if hasattr(config, "workerinput") else False
    for item in items:
        nodeid = item.nodeid
        label = getattr(item, "operation_label", None)
        if label and not nodeid.endswith("]"):
            nodeid = f"{nodeid}[{label}]"
        group = item.get_closest_marker("xdist_group")
        if grouping and group and "@" not in nodeid.rpartition("]")[2]:
            nodeid = f"{nodeid}@{group.args[0] if group.args else group.kwargs['name']}"
        if nodeid != item.nodeid:
            _rename(item, nodeid)
    seen, twice = set(), set()
    for item in items:
        (twice if item.nodeid in seen else seen).add(item.nodeid)
    if twice:
        raise pytest.UsageError(f"tests with the same name: {sorted(twice)}")


def pytest_collection_finish(session):
    """What the session has built by now (Django, the apps, every test module and item) lives to
    its end: frozen, it is left out of every later walk of Python's cyclic garbage collector, as
    in the atlas's own workers (atlas/wsgi.py). The tests also make many short-lived objects (a
    request, a year table); walking them after every 50,000 allocations instead of every 700
    leaves the collector a quarter of its time (measured over the read-cache, shown-figure and
    fuzz tests: 7.7 to 9.7 s of 80 s, then 2.3 s)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """What an xdist worker's tests reported (tests/summary.py)."""
    summary.LINES.extend(getattr(node, "workeroutput", {}).get("reports", []))


def pytest_terminal_summary(terminalreporter):
    for line in summary.LINES:
        terminalreporter.write_line(line)


def _demo_database() -> None:
    load_demo_data(trajectories=template_db.TEST_TRAJECTORIES)
    demo_snapshot.keep()


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """The test database holds the Bottrop demo data for every test that uses ``db``.

    It is a clone of a template database built once for the code as it is
    (tests/template_db.py): migrated, the demo data loaded and kept beside the tables.
    Transactional tests commit; pytest-django runs them after all others. Those that need the
    demo data (the browser tests) ask for ``demo_data``, which puts back the rows kept beside
    the tables (tests/demo_snapshot.py); the others leave the tables empty.
    """
    with django_db_blocker.unblock():
        original = connection.settings_dict["NAME"]
        name = template_db.clone(_demo_database, rebuild=request.config.getoption("create_db"))
    yield
    if not request.config.getoption("reuse_db"):
        with django_db_blocker.unblock():
            template_db.drop(name, original)


@pytest.fixture(scope="session", autouse=True)
def quick_flush():
    """pytest-django empties every table after a transactional test with Django's flush, a
    TRUNCATE that takes seconds here. The same emptying by DELETE takes a fraction of it (still
    every table, then post_migrate); after a test that put the demo data back as it was kept
    (``demo_data``) there is nothing to empty."""
    operations = type(connection.ops)
    truncate = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if demo_snapshot.left_in_place():
            return []
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return demo_snapshot.emptying(tables)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "sql_flush", sql_flush)
        yield


@pytest.fixture
def demo_data(transactional_db):
    """The demo data, committed, for a transactional test (the live server sees it): the
    tables the test changes get their kept rows back afterwards (tests/demo_snapshot.py)."""
    demo_snapshot.restore()
    yield
    demo_snapshot.restore()
    demo_snapshot.leave_in_place()


@pytest.fixture
def level(db):
    return LevelFactory()


@pytest.fixture
def make_district(level):
    def make(code: str, *, x: float = 0.0, y: float = 0.0, **fields) -> District:
        fields.setdefault("level", level)
        return DistrictFactory(code=code, x=x, y=y, **fields)

    return make


@pytest.fixture
def theme(db):
    return ThemeFactory()


@pytest.fixture
def make_indicator(theme):
    def make(slug: str, **fields) -> Indicator:
        return IndicatorFactory(slug=slug, theme=theme, **fields)

    return make


@pytest.fixture
def release(db):
    return ReleaseFactory()


@pytest.fixture
def make_observation(release):
    def make(indicator, district, year=2020, **fields) -> Observation:
        fields.setdefault("release", release)
        return ObservationFactory(indicator=indicator, district=district, year=year, **fields)

    return make


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Django's PBKDF2 takes a third of a second per password on purpose; the tests set and
    check passwords by the hundred, and what they guard (lock-outs, second factor, roles)
    does not depend on the hash."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def forget_kept_reads() -> None:
    """Drops the year tables and pages this process keeps and empties the shared folders of
    rendered files."""
    TABLES.clear()
    PAGES.clear()
    forget_rendered_files()


def forget_rendered_files(**kwargs) -> None:
    """Empties the shared folders of rendered files (also a ``setting_changed`` receiver, see
    ``shared_read_caches``)."""
    if kwargs.get("setting") in SETTINGS_OF_EVERY_TEST:
        return
    for folder in SHARED_FOLDERS.values():
        folder.mkdir(parents=True, exist_ok=True)
        for entry in folder.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


# Set for every test by the fixtures below; none of them changes what a year table, a kept
# page or a rendered file holds.
SETTINGS_OF_EVERY_TEST = {
    "ATLAS_API_RATE_LIMIT", "ATLAS_DOWNLOAD_RATE_LIMIT", "ATLAS_UPLOAD_WALL_SECONDS",
    "ATLAS_UPLOAD_CPU_SECONDS", "ATLAS_PUBLIC_DATA_ROOT", "ATLAS_DOWNLOAD_ROOT", "MEDIA_ROOT",
    "PASSWORD_HASHERS", "ALLOWED_HOSTS",
}  # fmt: skip

# This process's folders of the map's data files and the kept downloads, shared by the tests
# that do not ask for folders of their own (``public_data_root``).
SHARED_FOLDERS: dict[str, Path] = {}


@pytest.fixture(scope="session", autouse=True)
def shared_read_caches(tmp_path_factory):
    """Year tables, kept pages, rendered data files and kept downloads stay from one test to
    the next, as they stay from one request to the next in production: they are keyed by the
    data state, which a test's writes move (the version and the moment of the write are part
    of it) and its rollback moves back, so no test is served what another one wrote. The code and
    the settings are not in the database's key: the settings a test changes (``settings``,
    ``override_settings``) and the patches it makes (``monkeypatch``, below) are named in the
    state the tests read (``version_with_direct_writes``), so what was kept under other settings
    or code is not served, and what was kept before comes back when they are undone."""
    for name in ("public-data", "downloads"):
        SHARED_FOLDERS[name] = tmp_path_factory.mktemp(f"shared-{name}")
    setting_changed.connect(forget_rendered_files, dispatch_uid="forget_rendered_files")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(datastate, "_data_version", version_with_direct_writes)
        yield
    setting_changed.disconnect(dispatch_uid="forget_rendered_files")


READ_DATA_VERSION = datastate._data_version
DELETED = object()
# The patches in force (``ForgetfulMonkeyPatch``), each by a number of its own.
PATCHES_IN_FORCE: list[int] = []
PATCH_NUMBERS = itertools.count(1)


def changed_settings_and_code() -> str:
    """Empty under the settings and code the tests start with; else a short name of the
    settings changed and the patches in force."""
    changed = []
    layer = settings._wrapped
    while isinstance(layer, UserSettingsHolder):  # one layer per override, the newest first
        below = layer.default_settings
        changed.append(
            sorted(
                (name, repr(value))
                for name, value in vars(layer).items()
                if name.isupper()
                and name not in SETTINGS_OF_EVERY_TEST
                # A setting put back to the value below it (pytest-django's ``urls`` marker
                # does so in the layer it finds) changes nothing.
                and repr(value) != repr(getattr(below, name, DELETED))
            )
            + [(name, "deleted") for name in sorted(getattr(layer, "_deleted", ()))]
        )
        layer = below
    if not any(changed) and not PATCHES_IN_FORCE:
        return ""
    named = repr((changed, PATCHES_IN_FORCE)).encode()
    return hashlib.sha256(named, usedforsecurity=False).hexdigest()[:12]


def version_with_direct_writes():
    """The data version, the settings and patches in force and the moment of a test's last
    write to a table the public sees.

    The atlas changes what the public sees only through tables that move the version
    (releases, boundaries, facilities, metadata); tests also write such rows directly (an
    observation of a published release, a report's text). Such a write makes the state one of
    its own here, as a tracked write would (tests/demo_snapshot.py logs the writes). So do
    changed settings and patches: a page the browser tests' shared browser kept from before them
    (a map page drawn with other settings) then has another ETag and is not revalidated."""
    row = READ_DATA_VERSION()
    if not row:
        return row
    version = f"{row[0]}~{changed_settings_and_code()}"
    written = demo_snapshot.last_shown_write()
    return (version if written is None else f"{version}+{written.isoformat()}", row[1])


@pytest.fixture
def nothing_kept(shared_read_caches):
    """The test starts with no year table, page, data file or download kept."""
    forget_kept_reads()


@pytest.fixture
def plain_data_version(monkeypatch):
    """The data version read as the atlas reads it, for a test that counts its queries (and
    writes no shown row directly). That state does not name the settings and patches in force:
    the test starts with nothing kept."""
    monkeypatch.setattr(datastate, "_data_version", READ_DATA_VERSION)
    forget_kept_reads()


class ForgetfulMonkeyPatch(pytest.MonkeyPatch):
    """A monkeypatch whose every change is named in the tests' data state until it is undone,
    and empties the shared folders of rendered files, when it is made and when it is undone."""

    def __init__(self):
        super().__init__()
        self._numbers: list[int] = []

    def _changing(self) -> None:
        number = next(PATCH_NUMBERS)
        self._numbers.append(number)
        PATCHES_IN_FORCE.append(number)
        forget_rendered_files()

    def setattr(self, *args, **kwargs):
        self._changing()
        return super().setattr(*args, **kwargs)

    def delattr(self, *args, **kwargs):
        self._changing()
        return super().delattr(*args, **kwargs)

    def setitem(self, *args, **kwargs):
        self._changing()
        return super().setitem(*args, **kwargs)

    def delitem(self, *args, **kwargs):
        self._changing()
        return super().delitem(*args, **kwargs)

    def undo(self):
        super().undo()
        if self._numbers:
            PATCHES_IN_FORCE[:] = [n for n in PATCHES_IN_FORCE if n not in self._numbers]
            self._numbers.clear()
            forget_rendered_files()


@pytest.fixture
def monkeypatch():
    """pytest's monkeypatch, forgetting the kept reads on every patch (``shared_read_caches``)."""
    patch = ForgetfulMonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request leaves its language active in the
    thread, and a kept page, answered before the language is chosen, would not set it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Tests send many requests a second; the rate limits have tests of their own."""
    settings.ATLAS_API_RATE_LIMIT = ""
    settings.ATLAS_DOWNLOAD_RATE_LIMIT = ""


@pytest.fixture(autouse=True)
def patient_upload_box(settings):
    """The upload box's limits stop a reader that hangs or spins; with the tests' workers and
    browsers on every core an honest file may need more than production's 15 s on the clock
    and, on a shared CPU, more than its 10 s of CPU time. The limits have tests of their own
    (tests/core/test_sandbox.py, test_hostile_uploads.py) with limits they set."""
    settings.ATLAS_UPLOAD_WALL_SECONDS = 120
    settings.ATLAS_UPLOAD_CPU_SECONDS = 30


@pytest.fixture(autouse=True)
def shared_file_roots(settings, shared_read_caches):
    """The map's rendered data files and the kept downloads go to this process's shared
    temporary folders, not into the working tree."""
    settings.ATLAS_PUBLIC_DATA_ROOT = SHARED_FOLDERS["public-data"]
    settings.ATLAS_DOWNLOAD_ROOT = str(SHARED_FOLDERS["downloads"])


@pytest.fixture
def public_data_root(settings, tmp_path_factory, shared_file_roots):
    """Empty folders of the test's own for the map's data files and the kept downloads, for a
    test that looks at what is written there; returns the data files' folder."""
    settings.ATLAS_PUBLIC_DATA_ROOT = tmp_path_factory.mktemp("public-data")
    settings.ATLAS_DOWNLOAD_ROOT = str(tmp_path_factory.mktemp("downloads"))
    return settings.ATLAS_PUBLIC_DATA_ROOT


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Uploaded source files go to a temporary folder, not into the working tree."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def statistician(client):
    """A test client logged in as a member of the Statistik group."""
    user = User.objects.create_user("stat", is_staff=True)
    user.groups.add(Group.objects.get(name=STATISTICIANS))
    client.force_login(user)
    return client


@pytest.fixture
def statisticians(db):
    """Two members of the Statistik group, anna and ben (four eyes need two people)."""
    group = Group.objects.get(name=STATISTICIANS)
    users = [User.objects.create_user(name, is_staff=True) for name in ("anna", "ben")]
    for user in users:
        user.groups.add(group)
    return users


@pytest.fixture
def small_catalogue(make_district, make_indicator):
    """Two districts of a test level, a share and a count indicator, for import tests."""
    make_district("A", name="Altstadt")
    make_district("B", x=1000, name="Boy")
    make_indicator("anteil-test", is_proportion=True, decimals=1)
    make_indicator("anzahl-test", kind=Indicator.Kind.COUNT, factor=1, decimals=0)


IMPORT_TABLES = ("indicators_release", "indicators_observation", "districts_district",
                 "django_admin_log")  # fmt: skip


def table_checksums() -> list[str]:
    """Checksums of every table an import could touch: equal before and after means untouched."""
    with connection.cursor() as cursor:
        sums = []
        for table in IMPORT_TABLES:
            cursor.execute(
                f"SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"
            )
            sums.append(cursor.fetchone()[0])
    return sums
