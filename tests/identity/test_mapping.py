"""The group → role mapping and the audit trail of roles, without a server."""

import pytest
from django.contrib.auth.models import Group

from portal.identity.services import apply_directory_groups
from portal.models import GroupRoleMapping, RoleChange
from tests.office.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_groups_are_compared_without_regard_to_case(make_user):
    GroupRoleMapping.objects.create(group="CN=MTT-Office,OU=Groups", role="mtt_office")
    user = make_user()

    apply_directory_groups(user, source="ldap", groups=["cn=mtt-office,ou=groups"])

    assert user.role_names == {"mtt_office"}


def test_a_mapping_for_one_sign_in_does_not_apply_to_the_other(make_user):
    GroupRoleMapping.objects.create(group="staff", source="oidc", role="mtt_office")
    user = make_user()

    apply_directory_groups(user, source="ldap", groups=["staff"])

    assert user.role_names == set()


def test_a_role_given_by_hand_is_taken_away_by_a_directory_sign_in(make_user):
    user = make_user("leadership")

    changes = apply_directory_groups(user, source="oidc", groups=["nobody-maps-this"])

    assert user.role_names == set()
    assert [(c.action, c.role, c.reason) for c in changes] == [
        ("revoked", "leadership", "not given by any group of the directory")
    ]


def test_signing_in_twice_with_the_same_groups_changes_nothing(make_user):
    GroupRoleMapping.objects.create(group="mtt-office", role="mtt_office")
    user = make_user()
    apply_directory_groups(user, source="oidc", groups=["mtt-office"])

    assert apply_directory_groups(user, source="oidc", groups=["mtt-office"]) == []
    assert RoleChange.objects.filter(user=user, source="oidc").count() == 1


def test_one_role_in_two_units_is_two_grants_and_two_audit_rows(make_user):
    a, b = UnitFactory(), UnitFactory()
    GroupRoleMapping.objects.create(group="unit-a", role="dialogue_unit", unit_code=a.code)
    GroupRoleMapping.objects.create(group="unit-b", role="dialogue_unit", unit_code=b.code)
    user = make_user()

    apply_directory_groups(user, source="ldap", groups=["unit-a", "unit-b"])
    apply_directory_groups(user, source="ldap", groups=["unit-a"])

    rows = RoleChange.objects.filter(user=user).order_by("pk")
    assert [(r.action, r.unit_code) for r in rows] == [
        ("granted", a.code),
        ("granted", b.code),
        ("revoked", b.code),
    ]
    assert user.role_names == {"dialogue_unit"}


def test_applying_the_mapping_costs_the_same_queries_for_2_or_40_groups(
    make_user, django_assert_num_queries
):
    for i in range(40):
        GroupRoleMapping.objects.create(group=f"g{i}", role="mtt_office", unit_code=f"u{i}")
    few, many = make_user(), make_user()
    apply_directory_groups(few, source="ldap", groups=["g0", "g1"])
    apply_directory_groups(many, source="ldap", groups=[f"g{i}" for i in range(40)])

    # Second sign-in, nothing changed: the same count whatever the number of groups.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        apply_directory_groups(few, source="ldap", groups=["g0", "g1"])
    with CaptureQueriesContext(connection) as large:
        apply_directory_groups(many, source="ldap", groups=[f"g{i}" for i in range(40)])
    assert len(small) == len(large)


def test_a_role_changed_by_hand_is_audited_too(make_user):
    user = make_user()
    group = Group.objects.get(name="mtt_technician")

    user.groups.add(group)
    user.groups.remove(group)
    group.user_set.add(user)
    user.groups.clear()

    rows = RoleChange.objects.filter(user=user, source="manual").order_by("pk")
    assert [(r.action, r.role) for r in rows] == [
        ("granted", "mtt_technician"),
        ("revoked", "mtt_technician"),
        ("granted", "mtt_technician"),
        ("revoked", "mtt_technician"),
    ]


def test_role_changes_cannot_be_edited_or_deleted(make_user):
    make_user("learner")
    change = RoleChange.objects.get()

    change.reason = "rewritten"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()


def test_the_admin_edits_mappings_with_units_of_the_directory_and_reads_the_audit(
    client, make_user
):
    unit = UnitFactory(code="mtt-office", name="Văn phòng MTT")
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)

    form = client.get("/admin/portal/grouprolemapping/add/").content.decode()
    assert "Văn phòng MTT (mtt-office)" in form
    response = client.post(
        "/admin/portal/grouprolemapping/add/",
        {"group": " mtt-office ", "source": "any", "role": "mtt_office", "unit_code": unit.code},
    )
    assert response.status_code == 302
    assert GroupRoleMapping.objects.get().group == "mtt-office"

    bad = client.post(
        "/admin/portal/grouprolemapping/add/",
        {"group": "x", "source": "any", "role": "mtt_office", "unit_code": "no-such-unit"},
    )
    assert bad.status_code == 200 and "no-such-unit" in bad.content.decode()

    learner = make_user("learner")
    change = RoleChange.objects.get(user=learner)
    assert learner.username in client.get("/admin/portal/rolechange/").content.decode()
    assert client.post(f"/admin/portal/rolechange/{change.pk}/delete/").status_code == 403
    assert RoleChange.objects.filter(pk=change.pk).exists()
