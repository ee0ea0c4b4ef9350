"""Foundation user stories: every role logs in through the form and sees its own work."""

import re

import pytest
from playwright.sync_api import expect

from portal.roles import Role

# What each role's work navigation must offer (the Vietnamese labels a person reads).
EXPECTED_NAV = {
    Role.APPLICANT: "Yêu cầu tài khoản của tôi",
    Role.MTT_OFFICE: "Hàng chờ kiểm tra",
    Role.MTT_TECHNICIAN: "Hàng chờ kỹ thuật",
    Role.MTT_ACCOUNT_MANAGER: "Nhật ký cấp tài khoản",
    Role.MTT_OFFICE_HEAD: "Báo cáo BM03",
    Role.DIALOGUE_COMMITTEE: "Bảng điều hành Ban tổ chức",
    Role.DIALOGUE_UNIT: "Đối thoại của đơn vị",
    Role.DIALOGUE_RESPONDER: "Câu hỏi cần trả lời",
    Role.LEADERSHIP: "Báo cáo đối thoại",
    Role.LEARNER: "Gửi câu hỏi",
    Role.DIRECTORY_ADMIN: "Cập nhật danh bạ",
    Role.OPERATIONS: "Hộp thư đi",
    Role.DATA_PROTECTION: "Dữ liệu cá nhân",
}

# The head of the MTT Office receives every step's escalations: they read the queues too.
ALSO_READS = {Role.MTT_OFFICE_HEAD: ("Hàng chờ kiểm tra", "Hàng chờ kỹ thuật")}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_its_own_navigation(page, login_as, role, screenshot):
    login_as(role)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    work_nav = page.get_by_test_id("nav-work")
    expect(work_nav).to_contain_text(EXPECTED_NAV[role])
    # …and not the work of the other roles.
    for other, label in EXPECTED_NAV.items():
        if other != role and label != EXPECTED_NAV[role] and label not in ALSO_READS.get(role, ()):
            expect(work_nav).not_to_contain_text(label)
    for label in ALSO_READS.get(role, ()):
        expect(work_nav).to_contain_text(label)
    if role == Role.MTT_OFFICE:
        screenshot(page, "my-work")


def test_a_visitor_reads_the_home_page_and_switches_to_english(page, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng Văn phòng Trường")
    screenshot(page, "home")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Where to start")).to_be_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Bắt đầu từ đâu")).to_be_visible()


def test_a_wrong_password_is_explained_and_the_user_name_kept(page, make_user, screenshot):
    user = make_user()
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()
    # Said twice, as on every form: in the summary at the top (it takes the focus) and in the form.
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    expect(
        page.locator("form").get_by_text("Tên đăng nhập hoặc mật khẩu không đúng")
    ).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Lỗi:"))
    expect(page.get_by_label("Tên đăng nhập")).to_have_value(user.username)
    screenshot(page, "login-error")


def test_the_layout_works_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    menu = page.get_by_role("button", name="Hiện hoặc ẩn trình đơn")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Danh bạ Văn phòng").first).to_be_visible()
