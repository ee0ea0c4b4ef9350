"""Issue 20, fault 1: the public form does not depend on Redis.

A real redis-server is started for the cache, then stopped: BM02 is shown and accepted from the
database, and the outage is logged once, not once per request.
"""

import logging

import pytest
from django.core.cache import cache

from accounts.models import AccountRequest
from tests.accounts.test_public_pages import bm02
from tests.servers import PrivateRedis


@pytest.fixture
def redis_cache(settings, tmp_path):
    """The portal's cache on a redis-server of the test's own, which the test may stop."""
    from portal import cache as resilient

    redis = PrivateRedis(tmp_path)
    redis.start()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    resilient._down_since.clear()
    resilient._retry_at.clear()
    yield redis
    redis.stop()
    resilient._down_since.clear()
    resilient._retry_at.clear()


@pytest.fixture
def units(db):
    from office.models import Unit

    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)


@pytest.mark.django_db
def test_bm02_is_shown_and_accepted_while_the_cache_server_is_down(
    client, units, redis_cache, caplog
):
    # Warm the cache while Redis is up: the unit list and the form's HTML are in it.
    assert client.get("/accounts/apply/student/").status_code == 200
    assert cache.get("accounts:unit-choices")

    redis_cache.stop()
    caplog.set_level(logging.WARNING, logger="portal.cache")
    page = client.get("/accounts/apply/student/")
    assert page.status_code == 200
    assert "Trường Điện – Điện tử" in page.content.decode()  # the units came from the database

    response, _data = bm02(client)
    assert response.status_code == 302
    req = AccountRequest.objects.get()
    assert response["Location"] == f"/accounts/track/{req.tracking_token}/"
    for _ in range(5):
        assert client.get("/accounts/apply/student/").status_code == 200

    outage = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(outage) == 1  # once for the outage, not once per request


@pytest.mark.django_db
def test_the_cache_is_used_again_once_redis_is_back(client, units, redis_cache, caplog, tmp_path):
    from portal import cache as resilient

    redis_cache.stop()
    assert client.get("/accounts/apply/student/").status_code == 200
    # The same server comes back on the same port.
    redis_cache.start()
    resilient._retry_at.clear()  # skip the 5 s pause before the next try
    caplog.set_level(logging.WARNING, logger="portal.cache")
    assert client.get("/accounts/apply/student/").status_code == 200
    assert cache.get("accounts:unit-choices")
    assert any("cache available again" in r.getMessage() for r in caplog.records)
