"""Finding 10: the public forms are limited per client address and per target, carry a
honeypot, and a limited person sees a clear 429 page in their language — without Redis."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import AccountRequest
from office.models import Unit
from tests.forms import BM02_URL, bm02_data, submission_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.RATE_LIMIT_PER_ADDRESS = "5/h"
    settings.RATE_LIMIT_PER_TARGET = "3/h"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def units(db):
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    cache.delete("accounts:unit-choices")
    yield
    cache.delete("accounts:unit-choices")


def bm02(client, n, address, **overrides):
    token = submission_token(client, REMOTE_ADDR=address)
    person = {"person_id": str(20230000 + n), "contact_email": f"an{n}@example.com"}
    data = bm02_data(token, **{**person, **overrides})
    return client.post(BM02_URL, data, REMOTE_ADDR=address)


def test_one_address_sending_many_applications_is_limited(units):
    client = Client()
    codes = [bm02(client, n, "198.51.100.7").status_code for n in range(6)]
    assert codes == [302] * 5 + [429]
    assert AccountRequest.objects.count() == 5
    # Someone else, elsewhere, is not affected.
    assert bm02(Client(), 99, "203.0.113.5").status_code == 302


def test_many_addresses_applying_for_one_person_are_limited(units):
    codes = [
        bm02(Client(), 1, f"198.51.100.{i}", contact_email=f"x{i}@example.com").status_code
        for i in range(1, 5)
    ]
    # The first is received; the next two are told that this person already has an open
    # request (the duplicate guard answers with the form); the fourth is stopped by the limit
    # per person before anything is checked.
    assert codes == [302, 200, 200, 429]
    assert AccountRequest.objects.count() == 1


def test_the_429_page_speaks_the_persons_language(units):
    client = Client()
    for n in range(5):
        bm02(client, n, "198.51.100.7")
    vi = bm02(client, 9, "198.51.100.7")
    assert vi.status_code == 429 and "Quá nhiều lần gửi" in vi.content.decode()
    assert int(vi["Retry-After"]) > 0
    client.cookies["django_language"] = "en"
    en = bm02(client, 10, "198.51.100.7")
    assert en.status_code == 429 and "Too many attempts" in en.content.decode()


def test_the_limits_do_not_use_the_default_cache(units, settings):
    # The default cache (Redis in production) may be down: the counters live elsewhere.
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    client = Client()
    codes = [bm02(client, n, "198.51.100.7").status_code for n in range(6)]
    assert codes[-1] == 429


def test_a_filled_honeypot_is_refused_and_nothing_is_created(units):
    response = bm02(Client(), 1, "198.51.100.7", website="http://spam.example")
    assert response.status_code == 200
    assert response.context["form"].errors["website"]
    assert AccountRequest.objects.count() == 0


def test_the_honeypot_is_in_every_public_form(client, make_user):
    assert 'name="website"' in client.get(reverse("login")).content.decode()


def test_log_in_attempts_for_one_user_name_are_limited(make_user, settings):
    settings.AXES_FAILURE_LIMIT = 100  # the rate limit, not the lock-out, is tested here
    user = make_user()
    codes = [
        Client()
        .post(
            reverse("login"),
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{i}",
        )
        .status_code
        for i in range(1, 5)
    ]
    assert codes == [200, 200, 200, 429]


def test_a_learner_asking_many_questions_is_limited(client_for):
    client = client_for("learner")
    codes = [client.post("/dialogue/ask/", {}).status_code for _ in range(4)]
    assert codes[-1] == 429 and 429 not in codes[:3]
