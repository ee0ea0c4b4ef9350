"""The organising committee runs the university-level dialogue (step 13) in the portal, on the
demo data of plan 4402/KH-ĐHM: it adds a programme item, selects a question, and the public
page shows both — without the name of the learner who asked."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

GRADES = "Đề nghị cập nhật điểm thi lên hệ thống sớm hơn sau mỗi kỳ thi."


@pytest.fixture
def demo(db):
    call_command("loaddemo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def test_the_committee_adds_a_programme_item_selects_a_question_and_the_public_sees_both(
    page, demo, screenshot
):
    log_in(page, "committee")
    page.goto("/dialogue/university/")
    page.get_by_role("link", name="Tổ chức buổi đối thoại").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổ chức đối thoại cấp Trường")

    # The item is forgotten at first: the error says so and the times typed are still there.
    add = page.get_by_test_id("programme-add")
    add.get_by_label("Giờ bắt đầu").fill("7h45")
    add.get_by_label("Giờ kết thúc").fill("8h00")
    add.get_by_label("Người thực hiện").fill("Câu lạc bộ Văn nghệ sinh viên")
    add.get_by_role("button", name="Thêm mục vào chương trình").click()
    add = page.get_by_test_id("programme-add")
    expect(add).to_contain_text("Trường này là bắt buộc.")
    expect(add.get_by_label("Giờ bắt đầu")).to_have_value("7h45")
    add.get_by_label("Nội dung").fill("Văn nghệ chào mừng")
    add.get_by_role("button", name="Thêm mục vào chương trình").click()

    expect(page.get_by_text("Đã thêm “Văn nghệ chào mừng” vào chương trình.")).to_be_visible()
    first_row = page.get_by_test_id("manage-programme").locator("tbody tr").first
    expect(first_row).to_contain_text("07:45–08:00")
    expect(first_row).to_contain_text("Văn nghệ chào mừng")

    # Select a routed item, found by typing without accents.
    page.get_by_role("link", name="Chọn câu hỏi").click()
    page.get_by_label("Tìm kiếm").fill("diem thi")
    page.get_by_role("button", name="Tìm kiếm").click()
    row = page.get_by_test_id("candidates").locator("tbody tr").filter(has_text=GRADES)
    row.get_by_role("button", name=re.compile("^Chọn nội dung số")).click()
    expect(page.get_by_text(re.compile(r"Đã chọn nội dung số \d+\."))).to_be_visible()
    expect(page.get_by_test_id("selected")).to_contain_text(GRADES[:60])
    expect(page.get_by_test_id("selected-count")).to_have_text("3")
    screenshot(page, "dialogue-university-questions")

    page.get_by_role("link", name="Tổ chức đối thoại cấp Trường").first.click()
    expect(page.get_by_test_id("events")).to_contain_text("Đã thêm mục chương trình")
    expect(page.get_by_test_id("events")).to_contain_text("Được chọn cho đối thoại cấp Trường")
    screenshot(page, "dialogue-university-edit")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("link", name="Sửa: Văn nghệ chào mừng")).to_be_visible()
    screenshot(page, "dialogue-university-edit-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    # A visitor reads the public page: the new item and the selected question, no names.
    page.context.clear_cookies()
    page.goto("/dialogue/university/")
    expect(page.get_by_test_id("uni-programme").locator("tbody tr").first).to_contain_text(
        "Văn nghệ chào mừng"
    )
    expect(page.get_by_test_id("selected-questions")).to_contain_text(GRADES)
    expect(page.locator("main")).not_to_contain_text("Đỗ Quang Huy")
    expect(page.get_by_role("link", name="Tổ chức buổi đối thoại")).to_have_count(0)
