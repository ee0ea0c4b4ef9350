import pytest

from office import demo
from portal import demo as portal_demo


@pytest.fixture
def fast_passwords(settings):
    # The demo log-ins hash a password each; the real hasher would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db, fast_passwords):
    """The demo data of loaddemo: the portal's log-ins, then the directory from the seeds."""
    portal_demo.load()
    demo.load()
