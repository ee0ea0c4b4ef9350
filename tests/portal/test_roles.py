import pytest
from django.contrib.auth.models import Group

from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_every_role_of_the_design_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_has_role_reads_group_membership(make_user):
    user = make_user(Role.MTT_OFFICE)
    assert user.has_role("mtt_office")
    assert not user.has_role("mtt_technician")
    assert user.roles == [Role.MTT_OFFICE]
