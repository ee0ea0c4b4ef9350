"""Issue 12: the paths a new user takes end right — a person who applies twice, two namesakes,
a request that does not match the registry. Driven in Chromium as people would."""

import datetime as dt
import re

import pytest

from accounts import services
from accounts.models import AccountRequest, RegistryRecord, RequestEvent
from tests.e2e.test_accounts import fill_bm02

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("hust_units")]


def registry(**overrides):
    values = {
        "kind": "student",
        "person_id": "20231234",
        "family_and_middle_names": "Nguyễn Thị Thanh",
        "given_name": "Hương",
        "date_of_birth": dt.date(2005, 3, 15),
        "unit_name": "Trường Điện – Điện tử",
        "student_class": "ĐTVT-01",
        "cohort": "K68",
        "mobile_phone": "+84912345678",
    }
    values.update(overrides)
    return RegistryRecord.objects.create(**values)


def test_a_student_who_applies_twice_is_pointed_to_the_first_request_and_staff_merge_a_duplicate(
    page, person, screenshot
):
    registry()
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_role("button", name="Gửi đăng ký").click()
    first_reference = page.get_by_test_id("reference").inner_text()

    # A week later the student forgets and applies again, from another address.
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_label("Thư điện tử liên hệ").fill("huong.khac@example.com")
    page.get_by_role("button", name="Gửi đăng ký").click()
    notice = page.get_by_test_id("duplicate")
    assert "đang được xử lý" in notice.inner_text()
    assert first_reference not in page.content()
    assert "huong.nguyen@example.com" not in page.content()  # the first request's contact
    assert page.get_by_label("Thư điện tử liên hệ").input_value() == "huong.khac@example.com"
    screenshot(page, "accounts-duplicate-refused")
    notice.get_by_role("link", name="Mất đường dẫn? Đề nghị gửi lại.").click()
    assert page.url.endswith("/accounts/track/")
    assert AccountRequest.objects.count() == 1

    # A duplicate that got in anyway (entered before the check): the reviewer sees the banner.
    second, _c = services.submit_request(
        {
            **{f: getattr(AccountRequest.objects.get(), f) for f in services.REQUEST_FIELDS},
            "contact_email": "huong.khac@example.com",
        },
        check_duplicates=False,
    )
    office = person("mtt_office", full_name="Phạm Thu Hà")
    office.goto(f"/accounts/requests/{second.pk}/")
    banner = office.get_by_test_id("duplicate-banner")
    assert first_reference in banner.inner_text()
    screenshot(office, "accounts-duplicate-banner")
    banner.get_by_role("button", name=f"Gộp vào {first_reference}").click()
    assert "Đã gộp" in office.content()
    assert office.get_by_test_id("merged-into").inner_text().endswith(first_reference)
    office.get_by_role("link", name=first_reference).click()
    assert (
        "Một yêu cầu sau của cùng người đã được gộp vào yêu cầu này"
        in office.get_by_test_id("history").inner_text()
    )


def test_a_reviewer_accepts_a_mismatch_only_with_a_reason_and_the_history_says_what_differed(
    page, person, screenshot
):
    registry(date_of_birth=dt.date(2005, 3, 16))  # the registry has another day
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_role("button", name="Gửi đăng ký").click()
    reference = page.get_by_test_id("reference").inner_text()
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_label("Mã số sinh viên").fill("20239999")  # nobody in the registry
    page.get_by_label("Thư điện tử liên hệ").fill("ban.khac@example.com")
    page.get_by_role("button", name="Gửi đăng ký").click()
    unlisted = page.get_by_test_id("reference").inner_text()

    office = person("mtt_office", full_name="Phạm Thu Hà")
    office.get_by_role("link", name="Hàng chờ kiểm tra").first.click()
    row = office.get_by_test_id("queue").get_by_role("row").filter(has_text=unlisted)
    assert "Không có trong dữ liệu đối chiếu" in row.inner_text()
    office.get_by_label("Hồ sơ trong dữ liệu đối chiếu").select_option(
        label="Không có trong dữ liệu đối chiếu"
    )
    office.get_by_role("button", name="Lọc").click()
    queue_text = office.get_by_test_id("queue").inner_text()
    assert unlisted in queue_text and reference not in queue_text
    screenshot(office, "accounts-queue-not-in-registry")

    office.goto("/accounts/queue/")
    office.get_by_role("link", name=reference).click()
    # No one-click forward: the plain "correct" button is not offered for a mismatch.
    assert office.get_by_role("button", name="Đúng: chuyển bộ phận kỹ thuật").count() == 0
    accept = office.get_by_test_id("accept-anyway")
    accept.get_by_label("Lý do chấp nhận dù khác dữ liệu đối chiếu").fill(
        "Sinh viên mang giấy khai sinh đến đối chiếu: ngày sinh trong phần mềm sai."
    )
    accept.get_by_role("button", name="Chấp nhận với lý do này: chuyển bộ phận kỹ thuật").click()
    history = office.get_by_test_id("history").inner_text()
    assert "khác dữ liệu đối chiếu" in history
    assert re.search(r"Khác:\s*Ngày sinh", history)
    assert re.search(r"Khớp:.*Tên", history)
    assert "giấy khai sinh" in history
    assert "Đã kiểm tra: khớp với dữ liệu" not in history
    screenshot(office, "accounts-verified-with-reason")


def test_two_namesakes_get_two_addresses_and_a_second_address_for_one_person_needs_a_reason(
    person, make_user
):
    office_user = make_user("mtt_office")
    base = {
        "person_kind": "student",
        "request_kind": "new_account",
        "family_and_middle_names": "Đỗ Thị Hương",
        "given_name": "Giang",
        "date_of_birth": dt.date(2005, 1, 1),
        "person_id": "20230001",
        "unit_name": "Trường Điện – Điện tử",
        "unit_code": "hust-seee",
        "student_class": "ĐTVT-01",
        "cohort": "K68",
        "mobile_phone": "+84912000001",
        "contact_email": "giang1@example.com",
        "existing_address": "",
        "note": "",
    }
    a, _c = services.submit_request(base)
    b, _c = services.submit_request(
        {**base, "person_id": "20230002", "contact_email": "giang2@example.com"}
    )
    for r in (a, b):
        services.verify_request(r.pk, office_user, reason="Đối chiếu hồ sơ giấy")
    tech = person("mtt_technician", full_name="Trần Quốc Bảo")
    tech.goto(f"/accounts/requests/{b.pk}/")
    assert tech.get_by_label("Địa chỉ").input_value() == "giang.dothihuong2@sis.hust.edu.vn"
    tech.goto(f"/accounts/requests/{a.pk}/")
    assert tech.get_by_label("Địa chỉ").input_value() == "giang.dothihuong@sis.hust.edu.vn"
    tech.get_by_role("button", name="Xác nhận đã cấp").click()

    # The same person again (entered before the check): the technician is stopped.
    again, _c = services.submit_request(
        {**base, "contact_email": "giang.moi@example.com"}, check_duplicates=False
    )
    services.verify_request(again.pk, office_user, reason="Đối chiếu hồ sơ giấy")
    tech.goto(f"/accounts/requests/{again.pk}/")
    assert (
        "giang.dothihuong@sis.hust.edu.vn" in tech.get_by_test_id("existing-accounts").inner_text()
    )
    suggested = tech.get_by_label("Địa chỉ").input_value()
    assert suggested == "giang.dothihuong3@sis.hust.edu.vn"
    tech.get_by_role("button", name="Xác nhận đã cấp").click()
    assert "Nhập lý do cấp thêm" in tech.get_by_test_id("issue-actions").inner_text()
    assert tech.get_by_label("Địa chỉ").input_value() == suggested  # nothing typed is lost
    tech.get_by_label("Lý do cấp tài khoản thứ hai").fill("Tài khoản cũ bị khoá do lộ mật khẩu")
    tech.get_by_role("button", name="Xác nhận đã cấp").click()
    note = RequestEvent.objects.get(request=again, action="second_address").note
    assert "Tài khoản cũ bị khoá do lộ mật khẩu" in note
    assert "Cấp địa chỉ thứ hai cho cùng một người" in tech.get_by_test_id("history").inner_text()


def test_a_name_longer_than_its_limit_is_counted_as_typed_and_refused_never_cut(page):
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    field = page.get_by_label("Họ và đệm")
    field.fill("")
    long_name = "Nguyễn " * 15  # 105 characters, typed key by key
    field.press_sequentially(long_name.strip() + " Thị")
    typed = field.input_value()
    assert len(typed) == len(long_name.strip() + " Thị") > 100  # nothing was cut
    counter = page.locator("#id_family_and_middle_names_count")
    assert counter.inner_text().startswith(f"{len(typed)} / 100")
    assert "quá dài" in counter.inner_text()
    page.get_by_role("button", name="Gửi đăng ký").click()
    error = page.locator("#div_id_family_and_middle_names")
    assert "100" in error.inner_text()  # the error says the limit, next to the field
    assert page.get_by_label("Họ và đệm").input_value() == typed  # and keeps what was typed
    assert AccountRequest.objects.count() == 0


def test_a_unit_uploading_a_file_with_a_wrong_header_is_told_which_columns(
    page, login_as, tmp_path
):
    login_as("applicant")
    page.goto("/accounts/bulk/")
    page.get_by_test_id("unit-codes").locator("summary").click()
    assert "hust-seee" in page.get_by_test_id("unit-codes").inner_text()
    wrong = tmp_path / "danh-sach.csv"
    wrong.write_text("Họ tên,MSSV,Điện thoại\nNguyễn Văn An,20231234,0912345678\n", "utf-8")
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(str(wrong))
    page.get_by_role("button", name="Kiểm tra và gửi").click()
    error = page.locator("#div_id_file").inner_text()
    assert "Dòng đầu của tệp thiếu các cột" in error
    assert "date_of_birth" in error and "Họ tên" in error and "MSSV" in error
    assert page.get_by_test_id("bulk-errors").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "mtt-qt06-bulk-template.csv"


def test_a_student_who_applies_again_under_another_code_is_found_by_the_citizen_id(
    page, screenshot
):
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_label("Số CCCD").fill("12345")
    page.get_by_role("button", name="Gửi đăng ký").click()
    assert "Số CCCD gồm 12 chữ số" in page.locator("#div_id_citizen_id").inner_text()
    page.get_by_label("Số CCCD").fill("0012 0300 4567")
    page.get_by_label("Tôi đã đọc thông báo về dữ liệu cá nhân ở trên và đồng ý.").check()
    page.get_by_role("button", name="Gửi đăng ký").click()
    page.get_by_test_id("reference").wait_for()
    assert "001203004567" not in page.content()  # the tracking page does not repeat it
    assert AccountRequest.objects.get().citizen_id == "001203004567"

    # Later, with the student code mistyped, the same person is still the same person.
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_label("Mã số sinh viên").fill("20239876")
    page.get_by_label("Số CCCD").fill("001203004567")
    page.get_by_role("button", name="Gửi đăng ký").click()
    assert "đang được xử lý" in page.get_by_test_id("duplicate").inner_text()
    assert "số CCCD này đã có" in page.locator("#div_id_citizen_id").inner_text()
    screenshot(page, "accounts-duplicate-citizen-id")
    assert AccountRequest.objects.count() == 1
