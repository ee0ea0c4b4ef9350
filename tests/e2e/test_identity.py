"""Staff sign in with the university account: through the provider's own log-in page (the npm
oidc-provider, started by the test run), back in the portal with the role of their groups."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import GroupRoleMapping
from tests.identity.servers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mappings(db):
    GroupRoleMapping.objects.create(group="mtt-office", role="mtt_office")
    GroupRoleMapping.objects.create(group="portal-admins", role="directory_admin")


def sign_in_at_the_provider(page, login, password=PASSWORD, start="/accounts/queue/"):
    """Follow a link to a staff page, choose the university account on the log-in page."""
    page.goto(start)
    expect(page).to_have_url(re.compile(r"/login/"))
    page.locator(".card").get_by_role("link", name="Đăng nhập bằng tài khoản của trường").click()
    expect(page.get_by_role("heading", name="University identity provider")).to_be_visible()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    # Through the provider's end-session page and back to the portal's home page (a path of
    # exactly "/"; "/logout/" also ends in a slash, and stopping there left the provider's
    # session open).
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))


def test_staff_sign_in_with_the_university_account_and_land_in_their_queue(
    page, live_server, use_oidc, mappings, screenshot
):
    sign_in_at_the_provider(page, "nga")

    # Back in the portal, in the review queue the link pointed at, as the MTT Office.
    expect(page).to_have_url(re.compile(r"/accounts/queue/$"))
    expect(page.get_by_test_id("user-menu")).to_contain_text("Nguyễn Thị Thanh Nga")
    work_nav = page.get_by_test_id("nav-work")
    expect(work_nav).to_contain_text("Hàng chờ kiểm tra")
    expect(work_nav).not_to_contain_text("Cập nhật danh bạ")
    screenshot(page, "identity-signed-in-queue")

    # Out of the portal, and out of the provider: the next sign-in asks for the password again.
    log_out(page)
    expect(page.get_by_role("link", name="Đăng nhập bằng tài khoản của trường")).to_be_visible()


def test_a_person_removed_from_the_group_has_lost_the_role_at_the_next_sign_in(
    page, live_server, use_oidc, mappings
):
    sign_in_at_the_provider(page, "nga")
    expect(page.get_by_test_id("nav-work")).to_contain_text("Hàng chờ kiểm tra")
    log_out(page)

    use_oidc.set_user("nga", groups=["soict-office"])  # the university moved her out
    sign_in_at_the_provider(page, "nga", start="/work/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(page.get_by_test_id("user-menu")).to_contain_text("Nguyễn Thị Thanh Nga")
    expect(page.get_by_test_id("nav-work")).not_to_be_visible()
    response = page.goto("/accounts/queue/")
    assert response.status in (403, 404)


def test_a_wrong_password_ends_at_the_provider_with_a_message_and_no_session(
    page, live_server, use_oidc, mappings
):
    sign_in_at_the_provider(page, "nga", "not-the-password")

    expect(page.get_by_role("alert")).to_have_text("Invalid username or password.")
    page.goto(f"{live_server.url}/work/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_a_tampered_token_ends_with_a_clear_message_and_no_session(
    page, live_server, use_oidc, mappings, screenshot
):
    use_oidc.tamper()  # someone in between adds a group to the ID token

    sign_in_at_the_provider(page, "nga")

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("alert").first).to_contain_text(
        "Cổng không thể xác minh phản hồi từ hệ thống đăng nhập của trường"
    )
    screenshot(page, "identity-refused")
    page.goto("/work/")
    expect(page).to_have_url(re.compile(r"/login/"))
