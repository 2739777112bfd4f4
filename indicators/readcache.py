"""What the read path keeps across requests: year tables and geographies, per process.

Entries are keyed by the data state of the request (``atlas.httpcache.request_data_state``:
releases, boundaries, facilities, metadata) and by the release a read is pinned to, so a
publish, withdrawal, boundary change or facility upload makes every worker build afresh on its
next request, and a pinned read never meets an unpinned one. Outside a public read request
(admin, writes, management commands) nothing is taken from or put into the cache.

Entries are shared between requests and threads: they must not be changed after they are put.
"""

import threading
from collections import OrderedDict

from django.conf import settings

from atlas.httpcache import request_data_state

from .querysets import pinned_until


class LRU:
    """A bounded mapping that forgets the least recently used entry first; thread-safe."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


TABLES = LRU(settings.ATLAS_TABLE_CACHE_SIZE)


def scope() -> tuple | None:
    """The key part every entry of this read needs, or None where nothing may be shared."""
    state = request_data_state()
    if state is None or settings.ATLAS_TABLE_CACHE_SIZE <= 0:
        return None
    # A different data state leaves the old entries unused; they age out of the LRU.
    return (state.fingerprint, pinned_until())
