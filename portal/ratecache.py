"""The cache backend of the rate limits' counters: one database row per counter.

django-ratelimit counts with cache.add() and cache.incr(). Redis may be down (the public forms
must keep working and keep being limited), and Django's DatabaseCache cannot increment
atomically (it stores pickles), so the counters are plain integer rows: `add` inserts or
replaces an expired row, `incr` is one conditional UPDATE … SET value = value + 1. Shared by
every web process, like the database itself. Only what django-ratelimit calls is implemented.
"""

import datetime as dt
import random

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone


class CounterCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    @staticmethod
    def _model():
        from .models import RateCounter

        return RateCounter

    def _expiry(self, timeout):
        seconds = self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout
        return timezone.now() + dt.timedelta(seconds=seconds or 0)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        RateCounter, now = self._model(), timezone.now()
        if random.random() < 0.01:  # now and then, drop every expired counter
            RateCounter.objects.filter(expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                RateCounter.objects.filter(key=key, expires_at__lte=now).delete()
                RateCounter.objects.create(
                    key=key, value=int(value), expires_at=self._expiry(timeout)
                )
        except IntegrityError:
            return False
        return True

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._model().objects.filter(key=key, expires_at__gt=timezone.now())
        if not rows.update(value=F("value") + delta):
            raise ValueError(f"Key '{key}' not found")
        return rows.values_list("value", flat=True).first()

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = (
            self._model()
            .objects.filter(key=key, expires_at__gt=timezone.now())
            .values_list("value", flat=True)
            .first()
        )
        return default if value is None else value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._model().objects.update_or_create(
            key=key, defaults={"value": int(value), "expires_at": self._expiry(timeout)}
        )

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return bool(self._model().objects.filter(key=key).delete()[0])

    def clear(self):
        self._model().objects.all().delete()
