"""User stories through the production stack (scripts/stack.sh): nginx in front of two replicas.

A unit officer sends the bulk list (accounts, MTT.QT06 BM01/BM02) through nginx: a file nginx
refuses gets the portal's friendly page in both languages; a file nginx lets through but the
portal refuses gets the message next to the field.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.stack import running_stack

PASSWORD = "stack-story-password-7Q"
CREATE_UNIT_OFFICER = f"""
from django.contrib.auth.models import Group
from portal.models import User
user = User.objects.create_user("donvi", password="{PASSWORD}", full_name="Phòng Đào tạo")
user.groups.add(Group.objects.get(name="applicant"))
"""


@pytest.fixture(scope="module")
def stack():
    with running_stack() as running:
        running.manage("shell", "-c", CREATE_UNIT_OFFICER)
        yield running


@pytest.fixture
def stack_page(browser, stack):
    context = browser.new_context(
        base_url=stack.url, locale="vi-VN", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill("donvi")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    yield page
    context.close()


def test_a_file_over_the_limit_is_refused_with_a_page_in_both_languages(
    stack_page, tmp_path, screenshot
):
    page = stack_page
    page.goto("/accounts/bulk/")
    big = tmp_path / "danh-sach.csv"
    big.write_bytes(b"a" * (12 * 1024 * 1024))
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(big)
    page.get_by_role("button", name="Kiểm tra và gửi").click()
    expect(page.get_by_role("heading", name="Tệp quá lớn")).to_be_visible()
    expect(page.get_by_text("Cổng chỉ nhận tệp có dung lượng tối đa 10 MB")).to_be_visible()
    expect(page.get_by_role("heading", name="The file is too large")).to_be_visible()
    screenshot(page, "stack-upload-too-large")
    # The way back the page points to: the form is there again, ready for a smaller file.
    page.go_back()
    expect(page.get_by_role("button", name="Kiểm tra và gửi")).to_be_visible()
    expect(page.get_by_label("Tệp (CSV hoặc XLSX)")).to_be_visible()


def test_a_file_just_over_ten_megabytes_is_explained_next_to_the_field(stack_page):
    page = stack_page
    page.goto("/accounts/bulk/")
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(
        files=[
            {
                "name": "danh-sach.csv",
                "mimeType": "text/csv",
                "buffer": b"a" * (10 * 1024 * 1024 + 1),
            }
        ]
    )
    page.get_by_role("button", name="Kiểm tra và gửi").click()
    expect(page.locator(".invalid-feedback")).to_contain_text(re.compile(r"lớn hơn 10(,0)?\sMB"))
    expect(page.get_by_role("heading", name="Tệp quá lớn")).to_have_count(0)
