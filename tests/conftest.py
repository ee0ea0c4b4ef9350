"""Fixtures shared by every test folder.

The suite runs on PostgreSQL and Redis (make test sets DATABASE_URL and REDIS_URL).
"""

import contextlib

import pytest
from django.contrib.auth.models import Group

from portal.roles import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: pages cached for minutes (the public forms, the
    service-quality figures) must not carry one test's data into the next."""
    from django.core.cache import cache

    # A test that stopped the cache server: the portal reads through it, and so can the test.
    with contextlib.suppress(Exception):
        cache.clear()
    yield


@pytest.fixture
def make_user(db):
    """make_user("mtt_office") → a saved user holding that role (or roles)."""

    def _make(*roles: str, **kwargs):
        user = UserFactory(**kwargs)
        if roles:
            for name in roles:
                Group.objects.get_or_create(name=str(name))
            user.groups.add(*Group.objects.filter(name__in=[str(r) for r in roles]))
        return user

    return _make


@pytest.fixture
def client_for(client, make_user):
    """client_for("directory_admin") → a test client logged in as a new user with that role."""

    def _client(*roles: str, **kwargs):
        user = make_user(*roles, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return _client


ALL_ROLES = [r.value for r in Role]


@pytest.fixture
def restore_step_types():
    """Step types a test registers are forgotten afterwards; the apps' own stay."""
    from portal import models

    saved = dict(models._step_types)
    yield
    models._step_types.clear()
    models._step_types.update(saved)


@pytest.fixture
def hust_units(db):
    """The HUST tree the account forms offer: the university and one school."""
    from django.core.cache import cache

    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    yield hust
    cache.delete("accounts:unit-choices")


# Real identity servers (slapd, an OpenID Connect provider), started on first use.
from tests.identity.servers import oidc_provider, slapd, use_ldap, use_oidc  # noqa: E402, F401
