"""Redis as a cache that nothing depends on.

Django's RedisCache raises redis.exceptions.ConnectionError from `cache.get` when Redis is down,
so a cache in front of the database turned a Redis outage into a 500 on the public forms
(issue 20). This backend treats an unreachable Redis as an empty cache: reads miss, writes are
dropped, and every caller falls back to the database as it does on an ordinary miss.

- Short socket timeouts (set in settings) bound what one call can wait.
- After a failure, Redis is left alone for `RETRY_SECONDS`: requests during an outage do not each
  pay a connection attempt.
- The outage is logged once when it starts and once when Redis answers again, not per request.

Only connection failures are swallowed; a programming error (a bad key, a value that does not
pickle) still raises.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0

# Per process and per server; Django makes one cache object per thread, the outage is shared.
_lock = threading.Lock()
_down_since: dict[str, float] = {}  # location → when the outage was first seen (monotonic)
_retry_at: dict[str, float] = {}  # location → when to try Redis again


def _unavailable_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """RedisCache whose reads miss and writes do nothing while Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        self._errors = _unavailable_errors()

    # --- the outage's state ---------------------------------------------------------------------

    def _skipping(self) -> bool:
        until = _retry_at.get(self._location)
        return until is not None and time.monotonic() < until

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with _lock:
            first = self._location not in _down_since
            _down_since.setdefault(self._location, now)
            _retry_at[self._location] = now + RETRY_SECONDS
        if first:
            log.warning(
                "cache unavailable (%s: %s): serving from the database until it answers",
                type(exc).__name__,
                exc,
            )

    def _answered(self) -> None:
        if self._location not in _down_since:
            return
        with _lock:
            since = _down_since.pop(self._location, None)
            _retry_at.pop(self._location, None)
        if since is not None:
            log.warning("cache available again after %.0f s", time.monotonic() - since)

    def _call(self, fallback, method, *args, **kwargs):
        if self._skipping():
            return fallback
        try:
            result = method(*args, **kwargs)
        except self._errors as exc:
            self._failed(exc)
            return fallback
        self._answered()
        return result

    # --- reads: a miss ------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    # --- writes: dropped ----------------------------------------------------------------------

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().add, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        forget_near(key)
        return self._call(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        forget_near(*keys)
        self._call(None, super().delete_many, keys, version)

    def clear(self):
        forget_near()
        return self._call(False, super().clear)


# --- the near layer: a few numbers that may lag, kept in this process for seconds ------------
# The review queue's capped count is kept 30 s in Redis; reading it there is a round trip on
# every page load, more than the rest of the page's cache work (issue 15). `near_get` answers
# from this process for NEAR_SECONDS after a read, so such a value lags by at most its own
# timeout plus NEAR_SECONDS. Only for values that may lag; deleting or clearing the cache
# through this backend forgets them here too.

NEAR_SECONDS = 5.0
NEAR_MAX = 512
_near: dict[str, tuple[float, object]] = {}


def forget_near(*keys: str) -> None:
    """Forget the near copies of `keys` (all of them when none is named)."""
    with _lock:
        if keys:
            for key in keys:
                _near.pop(key, None)
        else:
            _near.clear()


def near_get(key: str):
    """cache.get(key), answered from this process for NEAR_SECONDS after it was read or set."""
    hit = _near.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    from django.core.cache import caches

    cache = caches["default"]
    value = cache.get(key)
    if value is not None and isinstance(cache, ResilientRedisCache):
        _keep_near(key, value)
    return value


def near_set(key: str, value, timeout: float) -> None:
    from django.core.cache import caches

    cache = caches["default"]
    cache.set(key, value, timeout)
    if isinstance(cache, ResilientRedisCache):
        _keep_near(key, value, min(timeout, NEAR_SECONDS))


def _keep_near(key: str, value, seconds: float = NEAR_SECONDS) -> None:
    with _lock:
        if len(_near) >= NEAR_MAX:
            _near.clear()
        _near[key] = (time.monotonic() + seconds, value)


# --- kept values that follow the rows they were read from ----------------------------------------


def forget_on_change(models, forget, name: str) -> None:
    """Call `forget()` whenever a row of one of `models` is saved or deleted: at once (the
    same transaction reads its own writes) and again when the transaction commits (a reader
    racing it may have kept the rows as they were before). For cached values read from those
    rows: the forms' unit list, the directory's search results, the answers' filters."""
    from django.db import connections, transaction
    from django.db.models.signals import post_delete, post_save

    def changed(sender, using=None, **kwargs):
        forget()
        if connections[using].in_atomic_block:  # outside one, on_commit would only repeat it
            transaction.on_commit(forget, using=using)

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                changed, sender=model, weak=False, dispatch_uid=f"{name}.{model._meta.label}"
            )
