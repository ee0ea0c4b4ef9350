import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_loaddemo_creates_one_log_in_per_role():
    call_command("loaddemo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    User = get_user_model()
    for username, _name, roles in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert all(user.has_role(r) for r in roles)


def test_running_loaddemo_twice_changes_nothing():
    call_command("loaddemo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("loaddemo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first


def test_loaddemo_refuses_demo_passwords_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("loaddemo")
