"""A Redis cache that degrades: while Redis cannot be reached the atlas computes without it.

Every cached thing (boundaries, year tables, pages, rate-limit counters) can be computed again,
so a cache outage must cost time, never a 500. The first failure is logged once; after it the
cache is not asked again for ``RETRY_SECONDS`` (a Redis that does not answer would otherwise
cost the socket timeout on every call), then tried again.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 10.0


class FailSafeRedisCache(RedisCache):
    """django's RedisCache; errors of Redis answer as a miss (reads) or are dropped (writes)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down = False

    def _call(self, method: str, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except RedisError as error:
            with self._lock:
                self._down_until = time.monotonic() + RETRY_SECONDS
                if not self._down:
                    self._down = True
                    logger.warning("cache unavailable, working without it: %s", error)
            return default
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    logger.warning("cache available again")
        return result

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # Without Redis there is no counter to increase: as if the key had expired.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found.")
        return result

    def clear(self):
        return self._call("clear", None)
