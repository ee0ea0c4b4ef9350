"""Sign-in through the log-in form against Debian's slapd (StartTLS), seeded from
tests/identity/directory.ldif: roles from the directory's groups, applied at every sign-in."""

import pytest
from django.contrib.auth import get_user_model

from office.models import AuditEvent
from office.selectors import units_of_user
from portal.models import GroupRoleMapping, RoleChange
from tests.identity.servers import PASSWORD
from tests.office.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def mappings(db):
    GroupRoleMapping.objects.create(group="mtt-office", role="mtt_office")
    GroupRoleMapping.objects.create(group="directory-admins", source="ldap", role="directory_admin")


def test_a_directory_person_signs_in_with_their_directory_password(client, use_ldap, mappings):
    response = sign_in(client, "nga.ntt")

    assert response.status_code == 302
    user = User.objects.get(username="nga.ntt")
    assert user.full_name == "Nguyễn Thị Thanh Nga"
    assert user.email == "nga.nguyenthithanh@hust.edu.vn"
    assert not user.has_usable_password()  # no second password kept by the portal
    assert user.role_names == {"mtt_office", "directory_admin"}
    dashboard = client.get("/work/")
    assert "Nguyễn Thị Thanh Nga" in dashboard.content.decode()
    granted = RoleChange.objects.filter(username="nga.ntt", action="granted")
    assert {c.role for c in granted} == {"mtt_office", "directory_admin"}
    assert all(c.source == "ldap" for c in granted)


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, use_ldap, mappings):
    response = sign_in(client, "nga.ntt", "not-her-password")

    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert client.get("/work/").status_code == 302
    assert not User.objects.filter(username="nga.ntt").exists()


def test_a_person_removed_from_a_group_loses_the_role_at_the_next_sign_in(
    client, use_ldap, mappings
):
    sign_in(client, "nga.ntt")
    assert User.objects.get(username="nga.ntt").role_names == {"mtt_office", "directory_admin"}
    client.post("/logout/")

    use_ldap.remove_member("mtt-office", "nga.ntt")
    sign_in(client, "nga.ntt")

    assert User.objects.get(username="nga.ntt").role_names == {"directory_admin"}
    revoked = RoleChange.objects.get(username="nga.ntt", action="revoked")
    assert revoked.role == "mtt_office"
    assert "mtt-office" in revoked.reason
    assert client.get("/accounts/queue/").status_code in (403, 404)


def test_a_person_disabled_in_the_directory_cannot_sign_in(client, use_ldap, mappings):
    sign_in(client, "trung.tt")
    client.post("/logout/")
    use_ldap.set_disabled("trung.tt", True)

    response = sign_in(client, "trung.tt")

    assert response.status_code == 200
    assert client.get("/work/").status_code == 302


def test_the_office_directory_person_is_linked_by_staff_code(client, use_ldap, mappings):
    person = PersonFactory(full_name="Nguyễn Thị Thanh Nga", staff_code="CB0002")

    sign_in(client, "nga.ntt")

    person.refresh_from_db()
    assert person.user.username == "nga.ntt"
    assert AuditEvent.objects.filter(action="person.link", object_id=person.pk).exists()


def test_the_office_directory_person_is_linked_by_e_mail(client, use_ldap, mappings):
    person = PersonFactory(full_name="Trịnh Thành Trung", email="Trung.TrinhThanh@hust.edu.vn")

    sign_in(client, "trung.tt")

    person.refresh_from_db()
    assert person.user.username == "trung.tt"


def test_a_mapping_with_a_unit_gives_the_role_in_that_unit(client, use_ldap):
    unit = UnitFactory(code="soict-office")
    GroupRoleMapping.objects.create(group="soict-office", role="dialogue_unit", unit_code=unit.code)

    sign_in(client, "nguyet.nt")

    user = User.objects.get(username="nguyet.nt")
    assert user.role_names == {"dialogue_unit"}
    assert units_of_user(user) == [unit]


def test_startls_checks_the_server_certificate(client, use_ldap, mappings, settings, tmp_path):
    other_ca = tmp_path / "other-ca.pem"
    # A CA that did not sign the server's certificate: StartTLS must refuse the server.
    from tests.identity.servers import _make_tls

    settings.LDAP_CA_CERT_FILE = str(_make_tls(tmp_path)[0].rename(other_ca))

    response = sign_in(client, "nga.ntt")

    assert response.status_code == 200
    assert not User.objects.filter(username="nga.ntt").exists()


def test_local_passwords_switched_off_keep_the_break_glass_admin(client, settings, make_user):
    settings.LOCAL_PASSWORDS = "superusers"
    from tests.factories import TEST_PASSWORD

    staff = make_user("mtt_office")
    admin = make_user(is_superuser=True, is_staff=True)

    refused = sign_in(client, staff.username, TEST_PASSWORD)
    assert refused.status_code == 200
    assert "tài khoản của trường" in refused.content.decode()
    assert client.get("/work/").status_code == 302

    assert sign_in(client, admin.username, TEST_PASSWORD).status_code == 302
    assert client.get("/work/").status_code == 200


def test_applicants_still_apply_without_an_account_when_local_passwords_are_off(client, settings):
    settings.LOCAL_PASSWORDS = "superusers"

    assert client.get("/accounts/apply/staff/").status_code == 200
    assert client.get("/accounts/apply/student/").status_code == 200


def test_a_directory_that_does_not_answer_gives_a_message_not_an_error(client, settings):
    from tests.identity.servers import free_port, identity_backends

    settings.LDAP_SERVER_URI = f"ldap://127.0.0.1:{free_port()}"  # nothing listens there
    settings.LDAP_USER_BASE = "ou=people,dc=hust,dc=edu,dc=vn"
    settings.AUTHENTICATION_BACKENDS = identity_backends("portal.identity.ldap.PortalLDAPBackend")

    response = sign_in(client, "nga.ntt")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hiện không kết nối được tới thư mục của trường" in page
    assert 'value="nga.ntt"' in page  # what was typed is kept
