"""What the read path keeps across requests: year tables and geographies, per process.

Entries are keyed by the data state of the request (``core.datastate.request_data_state``:
releases, boundaries, facilities, metadata) and by the moment a read is pinned to (``as_of``,
the publication of a release), so a publish, withdrawal, boundary change or facility upload
makes every worker build afresh on its next request, and a pinned read never meets an unpinned
one. Outside a public read request
(admin, writes, management commands) nothing is taken from or put into the cache.

Entries are shared between requests and threads: they must not be changed after they are put.
"""

import datetime
import threading
from collections import OrderedDict

from django.conf import settings

from core.datastate import request_data_state


class LRU:
    """A bounded mapping that forgets the least recently used entry first; thread-safe.

    Bounded by ``size`` entries and, with ``max_bytes``, by the sum of ``weigh(value)``: an
    entry heavier than all of ``max_bytes`` is not kept at all.
    """

    def __init__(self, size: int, *, max_bytes: int | None = None, weigh=None):
        self.size = size
        self.max_bytes = max_bytes
        self._weigh = weigh or (lambda value: 0)
        self._entries: OrderedDict = OrderedDict()  # key → (value, weight)
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key, value) -> None:
        weight = self._weigh(value)
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            if self.max_bytes is not None and weight > self.max_bytes:
                return
            self._entries[key] = (value, weight)
            self._bytes += weight
            while len(self._entries) > self.size or (
                self.max_bytes is not None and self._bytes > self.max_bytes
            ):
                self._bytes -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """The sum of the kept entries' weights."""
        return self._bytes


TABLES = LRU(settings.ATLAS_TABLE_CACHE_SIZE)


def scope(as_of: datetime.datetime | None) -> tuple | None:
    """The key part every entry of a read as of ``as_of`` (None: now) needs, or None where
    nothing may be shared."""
    state = request_data_state()
    if state is None or settings.ATLAS_TABLE_CACHE_SIZE <= 0:
        return None
    # A different data state leaves the old entries unused; they age out of the LRU.
    return (state.fingerprint, as_of)
