"""Office directory user stories, driven in Chromium as a person would."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from office import demo


@pytest.fixture
def directory(transactional_db):
    demo.load()


def test_a_visitor_types_giao_vu_and_finds_who_handles_giao_vu(page, directory, screenshot):
    page.goto("/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn phòng Trường")
    sections = page.get_by_test_id("sections")
    expect(sections).to_contain_text("Truyền thông")
    expect(sections).to_contain_text("TS. Trịnh Thành Trung")
    expect(page.get_by_text("P505, nhà B1, trường Đại học Bách khoa Hà Nội")).to_be_visible()
    screenshot(page, "office-card")

    page.get_by_role("link", name="Ai phụ trách việc gì").click()
    page.get_by_label("Tìm kiếm", exact=True).fill("giao vu")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("result-count")).to_contain_text("giao vu")
    card = page.get_by_test_id("unit-result").first
    expect(card).to_contain_text("Bộ phận Giáo vụ")
    expect(card).to_contain_text("KS. Nguyễn Thanh Nguyệt")
    expect(card).to_contain_text("Điều hành công việc hàng ngày thuộc bộ phận Giáo vụ")
    expect(card).to_contain_text("Theo dõi")
    expect(card).to_contain_text("TS. Nguyễn Thị Thanh Nga")
    screenshot(page, "office-search")

    card.get_by_role("link", name="KS. Nguyễn Thanh Nguyệt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thanh Nguyệt")
    expect(page.get_by_test_id("history")).to_contain_text("Bộ phận Giáo vụ")
    # A visitor never sees personal phone numbers.
    expect(page.get_by_text("chỉ hiển thị cho cán bộ đã đăng nhập")).to_be_visible()
    screenshot(page, "office-person")

    page.get_by_role("link", name="Sơ đồ tổ chức").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sơ đồ tổ chức")
    # HOU's units are on HOU's own chart (issue 12 §8).
    page.get_by_test_id("institution-switch").get_by_role(
        "link", name="Trường Đại học Mở Hà Nội"
    ).click()
    expect(page.get_by_role("link", name="Phòng Kế hoạch - Tài chính")).to_be_visible()
    screenshot(page, "office-chart")


def test_an_admin_reassigns_truyen_thong_from_next_monday(page, directory, login_as, screenshot):
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    login_as("directory_admin")

    # The newcomer is not in the directory yet: the admin adds them first.
    page.goto("/directory/")
    page.get_by_role("link", name="Cập nhật danh bạ").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cập nhật danh bạ")
    screenshot(page, "office-manage")
    page.get_by_role("link", name="Thêm cán bộ").click()
    page.get_by_label("Học hàm, học vị").fill("ThS.")
    page.get_by_label("Họ và tên").fill("Phạm Minh Tuấn")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phạm Minh Tuấn")

    # On the office card, Trung's Truyền thông goes to the newcomer from next Monday.
    page.get_by_role("link", name="Giới thiệu Văn phòng").click()
    trung = page.get_by_test_id("duty-entry").filter(has_text="Trịnh Thành Trung")
    trung.get_by_role("link", name="Giao Truyền thông cho người khác").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giao cho người khác")
    page.get_by_label("Người nhận bàn giao").select_option(label="ThS. Phạm Minh Tuấn")
    page.get_by_label("Từ ngày").fill(monday.strftime("%d/%m/%Y"))
    screenshot(page, "office-reassign")
    page.get_by_role("button", name="Giao cho người khác").click()

    # Today's view: nothing has changed yet.
    expect(page.get_by_role("alert")).to_contain_text(monday.strftime("%d/%m/%Y"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Truyền thông")
    page.get_by_role("link", name="Giới thiệu Văn phòng").click()
    row = page.get_by_test_id("sections").get_by_role("row").filter(has_text="Truyền thông").last
    expect(row).to_contain_text("TS. Nguyễn Thị Thanh Nga")
    expect(row).to_contain_text("TS. Trịnh Thành Trung")
    expect(row).not_to_contain_text("Phạm Minh Tuấn")

    # Next week's view: the newcomer and Nga, not Trung.
    page.get_by_label("Tại ngày").fill(monday.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_test_id("as-of-banner")).to_contain_text(monday.strftime("%d/%m/%Y"))
    row = page.get_by_test_id("sections").get_by_role("row").filter(has_text="Truyền thông").last
    expect(row).to_contain_text("TS. Nguyễn Thị Thanh Nga")
    expect(row).to_contain_text("ThS. Phạm Minh Tuấn")
    expect(row).not_to_contain_text("Trịnh Thành Trung")
    screenshot(page, "office-next-week")

    # The history shows who held it when, and the change log who changed it.
    page.goto("/directory/units/soict-truyen-thong/history/")
    history = page.get_by_test_id("unit-history")
    # Half-open ranges, shown by their last day: the old one's last day is the day before.
    expect(history.get_by_role("row").filter(has_text="Trịnh Thành Trung")).to_contain_text(
        (monday - timedelta(days=1)).strftime("%d/%m/%Y")
    )
    expect(history.get_by_role("row").filter(has_text="Phạm Minh Tuấn")).to_contain_text(
        "Sắp có hiệu lực"
    )
    page.get_by_role("link", name="Nhật ký thay đổi").click()
    page.get_by_label("Xem").select_option(label="Phân công")
    page.get_by_role("button", name="Lọc").click()
    ended = (
        page.get_by_test_id("changes").get_by_role("row").filter(has_text="đã kết thúc phân công")
    )
    expect(ended).to_contain_text(monday.strftime("%d/%m/%Y"))
    screenshot(page, "office-changes")


def test_a_visitor_opens_an_area_and_a_section_and_reads_who_is_in_charge_and_who_monitors(
    page, directory
):
    page.goto("/directory/")
    page.get_by_test_id("sections").get_by_role("link", name="Truyền thông", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Truyền thông")
    people = page.get_by_test_id("unit-people")
    in_charge = people.get_by_test_id("people-in-charge")
    expect(in_charge.locator(".person-name")).to_have_count(2)  # two people at once (seed 000)
    assert all(
        re.match(r"^(TS|ThS|KS|CN|PGS|GS)", name)
        for name in in_charge.locator(".person-name").all_inner_texts()
    )  # with their titles
    page.go_back()
    page.get_by_test_id("sections").get_by_role("link", name="Bộ phận Giáo vụ").click()
    expect(page.get_by_test_id("unit-people")).to_be_visible()
    expect(page.get_by_test_id("people-in-charge").locator(".person-name").first).to_be_visible()


def test_each_institution_has_its_own_chart_and_a_switch_between_them(page, directory):
    page.goto("/directory/chart/")
    chart = page.locator("main")
    expect(chart.get_by_test_id("org-node").first).to_contain_text("Đại học Bách khoa Hà Nội")
    expect(chart.get_by_role("link", name="Phòng Công tác chính trị và sinh viên")).to_have_count(0)
    switch = page.get_by_test_id("institution-switch")
    switch.get_by_role("link", name="Trường Đại học Mở Hà Nội").click()
    expect(page.get_by_test_id("org-node").first).to_contain_text("Trường Đại học Mở Hà Nội")
    expect(page.get_by_role("link", name="Phòng Công tác chính trị và sinh viên")).to_be_visible()
    expect(page.get_by_role("link", name="Văn phòng", exact=True)).to_have_count(0)
    # The directory page has the same switch: HOU's own page.
    page.goto("/directory/")
    page.get_by_test_id("institution-switch").get_by_role(
        "link", name="Trường Đại học Mở Hà Nội"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trường Đại học Mở Hà Nội")


def test_a_renamed_area_keeps_its_old_name_for_the_days_before(
    page, directory, login_as, screenshot
):
    """Issue 12 §10: renamed from a day, the directory as of the day before shows the old name,
    the unit's history lists both names with half-open ranges, in both languages."""
    renamed_on = timezone.localdate() - timedelta(days=30)
    day_before = renamed_on - timedelta(days=1)
    login_as("directory_admin")
    page.goto("/directory/units/soict-truyen-thong/")
    page.get_by_role("link", name="Sửa đơn vị").click()
    page.get_by_label("Tên (tiếng Việt)").fill("Truyền thông và Sự kiện")
    page.get_by_label("Tên (tiếng Anh)").fill("Communications and Events")
    page.get_by_label("Đổi tên từ ngày").fill(renamed_on.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Truyền thông và Sự kiện")

    page.get_by_label("Tại ngày").fill(day_before.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Truyền thông")
    page.get_by_role("link", name="Giới thiệu Văn phòng").click()
    sections = page.get_by_test_id("sections")
    expect(sections).to_contain_text("Truyền thông")
    expect(sections).not_to_contain_text("Sự kiện")

    page.goto("/directory/units/soict-truyen-thong/history/")
    names = page.get_by_test_id("unit-names")
    old = names.get_by_role("row").filter(has_text="Communications)")
    expect(old).to_contain_text(day_before.strftime("%d/%m/%Y"))  # its last day
    new = names.get_by_role("row").filter(has_text="Truyền thông và Sự kiện")
    expect(new).to_contain_text(renamed_on.strftime("%d/%m/%Y"))  # the new name's first day
    screenshot(page, "office-unit-names")
    page.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": page.url.split("/directory")[0]}]
    )
    page.goto(f"/directory/units/soict-truyen-thong/?on={day_before.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Communications")
