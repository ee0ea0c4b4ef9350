"""MTT.QT06 in Chromium, driven as people would: typing, clicking, reading the Vietnamese UI."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from accounts.models import AccountRequest, IssuanceLogEntry, RegistryRecord
from portal.models import Notification
from portal.notifications import build_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def hust_units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    Unit.objects.create(
        code="soict", kind="school", name="Trường Công nghệ Thông tin và Truyền thông", parent=hust
    )
    RegistryRecord.objects.create(
        kind="student",
        person_id="20231234",
        family_and_middle_names="Nguyễn Thị Thanh",
        given_name="Hương",
        date_of_birth=dt.date(2005, 3, 15),
        unit_name="Trường Điện – Điện tử",
        student_class="ĐTVT-01",
        cohort="K68",
        mobile_phone="+84912345678",
    )
    yield
    cache.delete("accounts:unit-choices")


def fill_bm02(page, dob="15/03/2005"):
    page.get_by_label("Họ và đệm").fill("Nguyễn Thị Thanh")
    page.get_by_label(re.compile(r"^\s*Tên\W*$")).fill("Hương")
    page.get_by_label("Ngày sinh").fill(dob)
    page.get_by_label("Mã số sinh viên").fill("20231234")
    page.get_by_label("Khoa / Trường / Viện").select_option(label="Trường Điện – Điện tử")
    page.get_by_label(re.compile(r"^\s*Lớp\W*$")).fill("ĐTVT-01")
    page.get_by_label(re.compile(r"^\s*Khóa\W*$")).fill("K68")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Thư điện tử liên hệ").fill("huong.nguyen@example.com")
    page.get_by_label("Tôi đã đọc thông báo về dữ liệu cá nhân ở trên và đồng ý.").check()


def test_a_student_gets_an_account_from_bm02_to_the_view_once_password(page, person, screenshot):
    # The student, without an account, fills in BM02.
    page.goto("/accounts/")
    screenshot(page, "accounts-index")
    page.get_by_role("link", name="Cấp TKĐT mới (BM02)").click()
    fill_bm02(page)
    screenshot(page, "accounts-apply")
    page.get_by_role("button", name="Gửi đăng ký").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"TK-\d{4}-\d{6}", reference)
    assert "Văn phòng MTT" in page.get_by_test_id("holder").inner_text()
    screenshot(page, "accounts-track")
    tracking_url = page.url

    # The reviewer takes it from the queue, sees it matches the registry, verifies it.
    office = person("mtt_office", full_name="Phạm Thu Hà")
    office.get_by_role("link", name="Hàng chờ kiểm tra").first.click()
    screenshot(office, "accounts-queue")
    office.get_by_role("link", name=reference).click()
    assert office.get_by_test_id("registry-verdict").inner_text() == "Khớp với dữ liệu"
    office.get_by_role("button", name="Nhận xử lý").click()
    screenshot(office, "accounts-detail")
    office.get_by_role("button", name="Đúng: chuyển bộ phận kỹ thuật").click()
    assert "Đã kiểm tra và chuyển bộ phận kỹ thuật" in office.content()

    # The technician issues the suggested address.
    tech = person("mtt_technician", full_name="Trần Quốc Bảo")
    tech.get_by_role("link", name="Hàng chờ kỹ thuật").first.click()
    screenshot(tech, "accounts-technician")
    tech.get_by_role("link", name=reference).click()
    assert tech.get_by_label("Địa chỉ").input_value() == "huong.nguyenthithanh@sis.hust.edu.vn"
    screenshot(tech, "accounts-issue")
    tech.get_by_role("button", name="Xác nhận đã cấp").click()

    # The account manager logs it and sees the row in CreateEmailHUST-log.
    manager = person("mtt_account_manager", full_name="Lê Minh Châu")
    manager.get_by_role("link", name="Nhật ký cấp tài khoản").first.click()
    manager.get_by_test_id("to-record").get_by_role("button", name="Ghi nhật ký").click()
    log_row = manager.get_by_test_id("log").get_by_role("row").filter(has_text=reference)
    assert "huong.nguyenthithanh@sis.hust.edu.vn" in log_row.inner_text()
    assert "Trần Quốc Bảo" in log_row.inner_text()
    screenshot(manager, "accounts-log")

    # The office sends the prepared result with one click.
    office.goto("/accounts/notify/")
    office.get_by_role("link", name="Soạn thư thông báo").click()
    assert "huong.nguyenthithanh@sis.hust.edu.vn" in office.get_by_test_id("mail-body").inner_text()
    screenshot(office, "accounts-notify")
    office.get_by_role("button", name="Gửi thư").click()
    assert "Đã gửi kết quả tới huong.nguyen@example.com" in office.content()

    # The student opens the link from the e-mail: the password once, then gone.
    mail = Notification.objects.get(template="accounts/result")
    assert mail.email == "huong.nguyen@example.com"
    # The link is only in the mail as delivered; the outbox row keeps it sealed.
    delivered = build_email(mail)
    secret_path = re.search(r"https?://[^/]+(/accounts/secret/[^/\s]+/)", delivered.body).group(1)
    assert secret_path not in mail.body
    page.goto(secret_path)
    page.get_by_label("Mã số cán bộ hoặc sinh viên của bạn").fill("20231234")
    page.get_by_role("button", name="Xem mật khẩu").click()
    password = page.get_by_test_id("password").inner_text().strip()
    assert len(password) >= 10 and password not in delivered.body
    screenshot(page, "accounts-secret")
    page.goto(secret_path)
    assert page.get_by_test_id("secret-gone").is_visible()
    assert "Đường dẫn này không còn hiệu lực" in page.content()
    page.goto(tracking_url)
    assert "Đã thông báo kết quả" in page.content()
    assert IssuanceLogEntry.objects.count() == 1


def test_a_returned_request_is_corrected_and_checked_again(page, person, screenshot):
    page.goto("/accounts/apply/student/")
    fill_bm02(page, dob="16/03/2005")  # not what the registry says
    page.get_by_role("button", name="Gửi đăng ký").click()
    reference = page.get_by_test_id("reference").inner_text()
    tracking_url = page.url

    office = person("mtt_office")
    office.goto("/accounts/queue/")
    office.get_by_role("link", name=reference).click()
    mismatch = office.get_by_test_id("comparison").locator('tr[data-state="mismatch"]')
    assert "Ngày sinh" in mismatch.inner_text()
    office.get_by_label("Lý do (được gửi cho người đăng ký)").fill(
        "Ngày sinh không khớp với Phần mềm quản lý sinh viên."
    )
    office.get_by_role("button", name="Sai: trả lại người đăng ký").click()

    page.goto(tracking_url)
    assert "Ngày sinh không khớp" in page.get_by_test_id("reject-reason").inner_text()
    screenshot(page, "accounts-returned")
    page.get_by_role("link", name="Sửa yêu cầu").click()
    page.get_by_label("Ngày sinh").fill("15/03/2005")
    screenshot(page, "accounts-correct")
    page.get_by_role("button", name="Gửi yêu cầu đã sửa").click()
    assert "Đã tiếp nhận" in page.content()
    req = AccountRequest.objects.get(reference=reference)
    assert req.status == "submitted" and req.date_of_birth == dt.date(2005, 3, 15)

    office.goto("/accounts/queue/")
    office.get_by_role("link", name=reference).click()
    assert office.get_by_test_id("registry-verdict").inner_text() == "Khớp với dữ liệu"


def test_a_unit_uploads_a_file_with_one_bad_row_and_nothing_is_created(person, screenshot):
    unit = person("applicant")
    unit.goto("/accounts/")
    unit.get_by_role("link", name="Đăng ký theo lô").click()
    header = (
        "person_kind,request_kind,family_and_middle_names,given_name,date_of_birth,"
        "person_id,unit_code,student_class,cohort,mobile_phone,contact_email,"
        "existing_address,note"
    )
    rows = [
        "student,new_account,Lê Văn,Bình,01/02/2005,20230001,soict,IT1-01,K68,0912000001,"
        "binh@example.com,,",
        "student,new_account,Trần Thị,Cúc,02/02/2005,20230002,soict,IT1-01,K68,12345,"
        "cuc@example.com,,",
        "student,new_account,Phạm Văn,Dũng,03/02/2005,20230003,soict,IT1-01,K68,0912000003,"
        "dung@example.com,,",
    ]
    unit.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(
        files=[
            {
                "name": "dot1.csv",
                "mimeType": "text/csv",
                "buffer": "\n".join([header, *rows]).encode(),
            }
        ]
    )
    unit.get_by_role("button", name="Kiểm tra và gửi").click()
    errors = unit.get_by_test_id("bulk-errors")
    assert errors.get_by_role("row").count() == 2  # the header and one error
    row = errors.get_by_role("row").nth(1).inner_text()
    assert "3" in row and "Số điện thoại di động" in row
    assert AccountRequest.objects.count() == 0
    screenshot(unit, "accounts-bulk")

    fixed = rows[1].replace(",12345,", ",0912000002,")
    unit.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(
        files=[
            {
                "name": "dot1.csv",
                "mimeType": "text/csv",
                "buffer": "\n".join([header, rows[0], fixed, rows[2]]).encode(),
            }
        ]
    )
    unit.get_by_role("button", name="Kiểm tra và gửi").click()
    assert "Đã tiếp nhận 3 yêu cầu" in unit.content()
    assert AccountRequest.objects.count() == 3


def test_the_head_reads_bm03_and_the_office_its_registries(person, screenshot):
    from accounts import demo
    from portal import demo as portal_demo

    portal_demo.load()
    demo.load()
    head = person("mtt_office_head")
    head.get_by_role("link", name="Báo cáo BM03").first.click()
    assert head.get_by_test_id("bm03").is_visible()
    screenshot(head, "accounts-report")
    office = person("mtt_office")
    office.goto("/accounts/queue/?status=")
    screenshot(office, "accounts-queue-demo")
    office.goto("/accounts/registries/")
    screenshot(office, "accounts-registries")
    office.set_viewport_size({"width": 390, "height": 844})
    office.goto("/accounts/queue/")
    screenshot(office, "accounts-queue-phone")
