"""What one read builds once: geographies, tables, links, within one call of year_tables
(and the calls it makes, as of the same moment), and across requests through readcache."""

import contextlib
import datetime
from contextvars import ContextVar

from .. import readcache

# Within one call of year_tables (and the calls it makes for computed indicators, as of the
# same moment) every geography and table is built once; across requests, readcache keeps them.
MEMO: ContextVar[dict | None] = ContextVar("year_tables_memo", default=None)


@contextlib.contextmanager
def opened(as_of: datetime.datetime | None):
    """The memo of the read under way as of the same moment, or a new one for this read."""
    memo = MEMO.get()
    if memo is not None and memo["as_of"] == as_of:
        yield memo
        return
    token = MEMO.set({"scope": readcache.scope(as_of), "as_of": as_of})
    try:
        yield MEMO.get()
    finally:
        MEMO.reset(token)


def one_read(*, as_of: datetime.datetime | None = None):
    """Within the block, every read as of ``as_of`` builds each geography and table once, as
    one call of year_tables does: for a caller that asks many questions of the same moment
    outside a request, such as a report's document (dozens of blocks on a few tables)."""
    return opened(as_of)


def remembered(memo: dict, key: tuple) -> bool:
    """Whether ``key`` is in the memo, taking it from the cross-request cache if it is there."""
    if key in memo:
        return True
    if memo["scope"] is None:
        return False
    value = readcache.TABLES.get((memo["scope"], *key))
    if value is None:
        return False
    memo[key] = value
    return True


def remember(memo: dict, key: tuple, value) -> None:
    memo[key] = value
    if memo["scope"] is not None:
        readcache.TABLES.put((memo["scope"], *key), value)


def memoised(key: tuple, build):
    """``build()`` once per year_tables call (and across requests), outside of one every time."""
    memo = MEMO.get()
    if memo is None:
        return build()
    if not remembered(memo, key):
        remember(memo, key, build())
    return memo[key]


def kept(key: tuple, build, as_of: datetime.datetime | None):
    """``build()`` once per data state (and ``as_of``) across public reads (readcache), every
    time outside of one. What it returns is shared: it must not be changed."""
    scope = readcache.scope(as_of)
    if scope is None:
        return build()
    value = readcache.TABLES.get((scope, *key))
    if value is None:
        value = build()
        readcache.TABLES.put((scope, *key), value)
    return value
