"""Sign-in with the university account against a real OpenID Connect provider (the npm
`oidc-provider` package, started by the test run), through the live server, with `requests`
playing the browser: no mocked endpoint anywhere."""

import re
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.contrib.auth import get_user_model

from office.models import AuditEvent
from portal.models import GroupRoleMapping, RoleChange
from tests.identity.servers import PASSWORD
from tests.office.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

User = get_user_model()


@pytest.fixture
def mappings(db):
    GroupRoleMapping.objects.create(group="mtt-office", role="mtt_office")
    GroupRoleMapping.objects.create(group="directory-admins", source="oidc", role="directory_admin")
    GroupRoleMapping.objects.create(group="portal-admins", role="directory_admin")


def start(live_server, next_url="/work/"):
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/oidc/authenticate/?next={next_url}", timeout=10)
    return browser, page


def sign_in(live_server, login, password=PASSWORD, next_url="/work/"):
    browser, page = start(live_server, next_url)
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    provider = urlparse(page.url)
    done = browser.post(
        f"{provider.scheme}://{provider.netloc}{action}",
        data={"login": login, "password": password},
        timeout=10,
    )
    return browser, done


def signed_in(browser, live_server) -> bool:
    work = browser.get(f"{live_server.url}/work/", allow_redirects=False, timeout=10)
    return work.status_code == 200


def test_the_request_carries_state_nonce_and_a_pkce_challenge(live_server, use_oidc):
    browser = requests.Session()
    first = browser.get(f"{live_server.url}/oidc/authenticate/", allow_redirects=False, timeout=10)
    query = parse_qs(urlparse(first.headers["Location"]).query)

    assert first.headers["Location"].startswith(f"{use_oidc.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [f"{live_server.url}/oidc/callback/"]


def test_a_person_signs_in_and_gets_the_roles_of_their_groups(live_server, use_oidc, mappings):
    browser, done = sign_in(live_server, "nga")

    assert done.url == f"{live_server.url}/work/"
    assert "Nguyễn Thị Thanh Nga" in done.text
    user = User.objects.get(email="nga.nguyenthithanh@hust.edu.vn")
    assert user.username == "nga"
    assert user.role_names == {"mtt_office"}
    assert not user.has_usable_password()
    change = RoleChange.objects.get(user=user)
    assert (change.action, change.role, change.source) == ("granted", "mtt_office", "oidc")
    assert browser.get(f"{live_server.url}/accounts/queue/", timeout=10).status_code == 200


def test_the_directory_person_is_linked_by_the_staff_code_claim(live_server, use_oidc, mappings):
    person = PersonFactory(full_name="Trịnh Thành Trung", staff_code="CB0003")

    sign_in(live_server, "trung")

    person.refresh_from_db()
    assert person.user.email == "trung.trinhthanh@hust.edu.vn"
    assert AuditEvent.objects.filter(action="person.link", object_id=person.pk).exists()


def test_a_wrong_password_stays_at_the_provider_with_a_message(live_server, use_oidc, mappings):
    browser, done = sign_in(live_server, "nga", "wrong-password")

    assert done.url.startswith(use_oidc.issuer)
    assert "Invalid username or password." in done.text
    assert not signed_in(browser, live_server)
    assert not User.objects.filter(email="nga.nguyenthithanh@hust.edu.vn").exists()


def test_a_tampered_id_token_is_refused_with_a_message_and_no_session(
    live_server, use_oidc, mappings
):
    use_oidc.tamper()  # the groups claim gains portal-admins; the signature stays the same

    browser, done = sign_in(live_server, "nga")

    assert done.url == f"{live_server.url}/login/"
    assert "không thể xác minh" in done.text
    assert not signed_in(browser, live_server)
    assert not User.objects.filter(groups__name="directory_admin").exists()


def test_a_callback_with_a_state_of_another_session_is_refused(live_server, use_oidc, mappings):
    browser, _page = start(live_server)

    done = browser.get(
        f"{live_server.url}/oidc/callback/?code=stolen-code&state=not-our-state", timeout=10
    )

    assert done.url == f"{live_server.url}/login/"
    assert "không thể xác minh" in done.text
    assert not signed_in(browser, live_server)


def test_a_person_removed_from_a_group_loses_the_role_at_the_next_sign_in(
    live_server, use_oidc, mappings
):
    browser, _done = sign_in(live_server, "nga")
    csrf = browser.cookies.get("csrftoken")
    browser.post(f"{live_server.url}/logout/", headers={"X-CSRFToken": csrf}, timeout=10)
    use_oidc.set_user("nga", groups=["soict-office"])

    browser, done = sign_in(live_server, "nga")

    assert done.url == f"{live_server.url}/work/"
    user = User.objects.get(username="nga")
    assert user.role_names == set()
    revoked = RoleChange.objects.get(user=user, action="revoked")
    assert revoked.role == "mtt_office" and "mtt-office" in revoked.reason
    assert browser.get(f"{live_server.url}/accounts/queue/", timeout=10).status_code in (403, 404)


def test_a_person_disabled_at_the_provider_cannot_sign_in(live_server, use_oidc, mappings):
    use_oidc.set_user("trung", disabled=True)

    browser, done = sign_in(live_server, "trung")

    assert "This account is disabled." in done.text
    assert not signed_in(browser, live_server)


def test_logging_out_also_ends_the_session_at_the_provider(live_server, use_oidc, mappings):
    browser, _done = sign_in(live_server, "nga")
    csrf = browser.cookies.get("csrftoken")

    out = browser.post(f"{live_server.url}/logout/", headers={"X-CSRFToken": csrf}, timeout=10)

    # RP-initiated logout: the portal's page moves on to the provider's end-session page...
    assert out.url == f"{live_server.url}/logout/"
    end_session = re.search(r'url=([^"]+)"', out.text).group(1).replace("&amp;", "&")
    assert end_session.startswith(f"{use_oidc.issuer}/session/end?client_id=office-portal")
    assert not signed_in(browser, live_server)
    out = browser.get(end_session, timeout=10)
    # ...whose form (submitted by its script in a browser) signs out and comes back home.
    action = re.search(r'action="([^"]+)"', out.text).group(1)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', out.text).group(1)
    home = browser.post(urljoin(out.url, action), data={"xsrf": xsrf, "logout": "yes"}, timeout=10)
    assert home.url == f"{live_server.url}/"
    # The provider forgot the person too: signing in again asks for the password.
    _browser, page = start(live_server)
    again = browser.get(f"{live_server.url}/oidc/authenticate/", timeout=10)
    assert again.url.startswith(f"{use_oidc.issuer}/interaction/")
    assert 'name="password"' in again.text


def test_without_oidc_configured_the_sign_in_urls_do_not_exist(client, settings):
    settings.OIDC_ISSUER = ""

    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    assert "Đăng nhập bằng tài khoản của trường" not in client.get("/login/").content.decode()


def test_the_log_in_page_and_the_header_offer_the_university_account(client, use_oidc):
    page = client.get("/login/").content.decode()
    home = client.get("/").content.decode()

    assert "Đăng nhập bằng tài khoản của trường" in page
    assert 'href="/oidc/authenticate/' in home


def test_a_provider_account_with_the_address_of_a_break_glass_admin_does_not_become_it(
    live_server, use_oidc, mappings, make_user
):
    admin = make_user(is_superuser=True, is_staff=True, email="nga.nguyenthithanh@hust.edu.vn")

    browser, done = sign_in(live_server, "nga")

    assert done.url == f"{live_server.url}/work/"
    signed_in_as = User.objects.exclude(pk=admin.pk).get(email=admin.email)
    assert not signed_in_as.is_superuser
    assert browser.get(f"{live_server.url}/admin/", timeout=10).url.endswith(
        "/admin/login/?next=/admin/"
    )


def test_an_address_the_provider_has_not_verified_is_refused(live_server, use_oidc, mappings):
    use_oidc.set_user("trung", email_verified=False)

    browser, done = sign_in(live_server, "trung")

    assert done.url == f"{live_server.url}/login/"
    assert not signed_in(browser, live_server)


def test_a_provider_that_does_not_answer_gives_a_message_not_an_error(client, settings):
    from tests.identity.servers import free_port

    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "portal", "secret"

    response = client.get("/oidc/authenticate/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "Hiện không kết nối được tới hệ thống đăng nhập của trường" in response.content.decode()
