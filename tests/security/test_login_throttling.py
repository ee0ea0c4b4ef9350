"""Finding 6: log-in throttling locks a (user name, client address) pair, not a user name.

The client address is read through TRUSTED_PROXY_COUNT proxies: what the client writes into
X-Forwarded-For itself is not trusted.
"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.clientip import client_ip
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fail(client, username, times, **meta):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong"}, **meta)


def test_a_stranger_cannot_lock_a_staff_member_out(make_user, settings):
    staff = make_user("mtt_office")
    fail(Client(), staff.username, settings.AXES_FAILURE_LIMIT + 2, REMOTE_ADDR="198.51.100.9")
    at_work = Client().post(
        reverse("login"),
        {"username": staff.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.20",
    )
    assert at_work.status_code == 302 and at_work.url == reverse("portal:dashboard")


def test_the_locked_pair_is_told_when_to_try_again(make_user, settings):
    settings.AXES_COOLOFF_TIME = __import__("datetime").timedelta(minutes=15)
    staff = make_user("mtt_office")
    client = Client()
    fail(client, staff.username, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="198.51.100.9")
    locked = client.post(
        reverse("login"),
        {"username": staff.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Bạn có thể thử lại lúc" in body
    assert 14 * 60 <= int(locked["Retry-After"]) <= 15 * 60


def test_behind_one_proxy_each_client_is_told_apart(make_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    staff = make_user("mtt_office")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # Everyone arrives from the proxy's address; the proxy appends the real one.
    fail(Client(), staff.username, 7, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    ok = Client().post(
        reverse("login"),
        {"username": staff.username, "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.20",
        **proxy,
    )
    assert ok.status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lock(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )
    assert client_ip(request) == "198.51.100.9"  # the client wrote 1.2.3.4 itself


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.9"
