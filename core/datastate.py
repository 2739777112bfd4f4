"""The data version, the data state it keys, and the signal "published data changed".

What the public sees depends on a few tables only: releases, boundaries and their overlaps,
facilities and the metadata of indicators, themes, levels and facility types. Each app names
its tables here (``track`` in its ``AppConfig.ready()``); core imports no app.

- The data version (``core.models.DataVersion``) is one row that database triggers count up in
  the same transaction as any write to those tables, so a reader sees the new version exactly
  when it sees the new data. Reading it is one indexed row; ``data_state`` computes the full
  state (counts, latest changes, digests of the metadata) only when it moved, and everything
  kept across requests is keyed by that state.
- ``published_data_changed`` is sent after the commit of such a change, so that the site
  (atlas/) can render or drop what it keeps without the apps below it importing it.

What is kept, and where. Every kept thing has the data state in its key, and nothing else of
the data: year tables and geographies per worker (``indicators/readcache.py``, with the
release a read is pinned to), whole public pages per worker (``atlas/pagecache.py``, with
build, day, URL and what was negotiated), ETags (``atlas/httpcache.py``), the published data
files and the kept downloads on disk (``atlas/publicdata.py`` and ``atlas/kept.py``, under a
directory named after the state and the build), boundaries as GeoJSON and the admin's
plausibility warnings in the shared cache (``districts/selectors.py``, ``indicators/admin.py``).
None of them can be stale: a change of anything they show is a write to a tracked table, the
trigger moves the version in the same transaction, and the next request, reading the version
first, asks for keys no entry has. Entries of an old state are never found again; they age
out (LRU, cache timeouts) or are deleted (files, on the signal). The signal makes nothing
correct, only tidy and warm.
"""

import contextlib
import datetime
import hashlib
import logging
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.dispatch import Signal

from .models import DataVersion

logger = logging.getLogger(__name__)

# Sent once the change is committed, with ``wholesale``: True after a publish, a withdrawal or
# a boundary import (most of what is shown changes; worth rendering ahead), False after a
# single save or delete of a tracked row.
published_data_changed = Signal()


def announce_change(*, sender, wholesale: bool = False) -> None:
    """After the current transaction commits (at once outside one), send
    ``published_data_changed``. A failing receiver is logged: the change stands."""

    def send() -> None:
        for receiver, error in published_data_changed.send_robust(sender, wholesale=wholesale):
            if isinstance(error, Exception):
                logger.error(
                    "a receiver of published_data_changed failed: %r",
                    receiver,
                    exc_info=(type(error), error, error.__traceback__),
                )

    transaction.on_commit(send)


# --- what the state covers -----------------------------------------------------------------


@dataclass(frozen=True)
class Tracked:
    """A table of the data state, and how its full state is read."""

    model: type[models.Model]
    # Small tables of metadata: a digest of every row. Others: the row count, the latest of
    # ``moments`` (also the state's Last-Modified) and the sums of ``sums``.
    digest: bool = False
    moments: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()


_TRACKED: dict[type[models.Model], Tracked] = {}


def track(
    model: type[models.Model],
    *,
    digest: bool = False,
    moments: tuple[str, ...] = (),
    sums: tuple[str, ...] = (),
) -> None:
    """Make ``model``'s table part of the data state. Its app's migration must put the trigger
    ``atlas_data_version`` on the table (see migration ``atlas.0001``)."""
    _TRACKED[model] = Tracked(model, digest=digest, moments=moments, sums=sums)


def tracked_models() -> list[type[models.Model]]:
    return sorted(_TRACKED, key=lambda model: model._meta.db_table)


def saved_or_deleted(sender, **kwargs) -> None:
    """Receiver of every post_save and post_delete (core/apps.py): a tracked row changed."""
    if sender in _TRACKED:
        announce_change(sender=sender)


# --- the state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DataState:
    """What the public data interfaces show depends on nothing else than this."""

    fingerprint: str
    last_modified: datetime.datetime | None

    @property
    def key(self) -> str:
        """The fingerprint in 16 hex digits, for the names of files and cache entries."""
        digest = hashlib.sha256(self.fingerprint.encode(), usedforsecurity=False)
        return digest.hexdigest()[:16]


# The last state this process computed, with the database and data version it belongs to.
_KNOWN: dict[str, tuple[tuple, DataState]] = {}


def data_state() -> DataState:
    """The state of everything tracked: one small query for the data version, and only when
    it moved the full state (counts, latest changes and digests of the metadata) in one query
    without values."""
    row = _data_version()
    # Without the row (a flushed test database until its first write) nothing is kept.
    key = (connection.alias, connection.settings_dict["NAME"], *row) if row else None
    known = _KNOWN.get("state")
    if key is not None and known is not None and known[0] == key:
        return known[1]
    state = _full_data_state()
    if key is not None:
        # The version itself is part of it: any write counts, also one the digests miss.
        state = DataState(f"{row[0]}@{row[1].isoformat()}|{state.fingerprint}", state.last_modified)
        _KNOWN["state"] = (key, state)
    return state


def _data_version():
    """The row of the data version, or None. The query doubles as the connection's health
    check (``CONN_HEALTH_CHECKS``): on a persistent connection the database dropped (a
    restart) it is made once more on a new connection, instead of a ``SELECT 1`` before it on
    every request.
    """
    query = f"SELECT version, changed_at FROM {DataVersion._meta.db_table} WHERE id = 1"
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchone()
    except (InterfaceError, OperationalError):
        if not checking:
            raise
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()


def _full_data_state() -> DataState:
    parts, moments = [], []
    for model in tracked_models():
        tracked, table = _TRACKED[model], model._meta.db_table
        if tracked.digest:
            parts.append(
                f"(SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t)"
            )
            continue
        parts.append(f"(SELECT count(*) FROM {table})")
        for column in tracked.moments:
            moments.append(len(parts))
            parts.append(f"(SELECT max({column}) FROM {table})")
        parts.extend(f"(SELECT COALESCE(sum({column}), 0) FROM {table})" for column in tracked.sums)
    if not parts:
        return DataState("", None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    changes = [row[i] for i in moments if isinstance(row[i], datetime.datetime)]
    return DataState("|".join(str(part) for part in row), max(changes, default=None))


# --- one reading per request ---------------------------------------------------------------

# The data state of the current read request, read at most once; None outside of one.
_REQUEST_STATE: ContextVar[dict | None] = ContextVar("request_data_state", default=None)


@contextlib.contextmanager
def one_state_per_request():
    """Within the block, request_data_state() reads the data state at most once."""
    token = _REQUEST_STATE.set({})
    try:
        yield
    finally:
        _REQUEST_STATE.reset(token)


def request_data_state() -> DataState | None:
    """The data state of the current public read request, or None outside of one.

    None means: nothing may be taken from or put into a cache shared between requests (a
    write, the admin, a management command).
    """
    scope = _REQUEST_STATE.get()
    if scope is None:
        return None
    if "state" not in scope:
        scope["state"] = data_state()
    return scope["state"]


def current_data_state() -> DataState:
    """The data state of the current read request, else read now (admin, writes, commands)."""
    return request_data_state() or data_state()
