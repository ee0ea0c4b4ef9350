"""Issue 18 in Chromium: a request e-mailed to the MTT Office is checked and confirmed by staff."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from accounts.intake.mailbox import read_folder
from accounts.models import AccountRequest, RegistryRecord, Status
from portal.models import Notification
from tests.accounts.mail.build import DOCX, bm_docx, message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def hust_units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
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


def test_staff_confirm_a_request_that_came_by_e_mail(
    page, login_as, screenshot, settings, tmp_path
):
    # A student e-mails BM02 as a Word file; her name lost its accents on the way.
    form = bm_docx(
        [
            ("Họ và đệm", "Nguyễn Thị Thanh"),
            ("Tên", "Huong"),
            ("Ngày sinh", "15/03/2005"),
            ("Mã số sinh viên", "20231234"),
            ("Khoa / Trường / Viện", "Trường Điện – Điện tử"),
            ("Lớp", "ĐTVT-01"),
            ("Khóa", "K68"),
            ("Số điện thoại di động", "0912 345 678"),
        ]
    )
    (tmp_path / "huong.eml").write_bytes(
        message(
            sender="Nguyễn Thị Thanh Hương <huong.ntt@gmail.com>",
            subject="Đơn đề nghị cấp tài khoản thư điện tử",
            attachments=[("Đơn BM02 – Hương.docx", form, DOCX)],
        )
    )
    (tmp_path / "ooo.eml").write_bytes(
        message(subject="Vắng mặt", headers={"Auto-Submitted": "auto-replied"})
    )
    assert len(read_folder(tmp_path)) == 2
    reference = AccountRequest.objects.get().reference

    # The MTT Office sees it in the review queue with the e-mail badge.
    login_as("mtt_office", full_name="Phạm Thu Hà")
    page.get_by_role("link", name="Hàng chờ kiểm tra").first.click()
    row = page.get_by_test_id("queue").get_by_role("row").filter(has_text=reference)
    assert "Nhận qua thư, chờ xác nhận" in row.inner_text()
    screenshot(page, "accounts-mail-queue")
    row.get_by_role("link", name=reference).click()

    # The fields read from the Word form, each with its source; the original is one click away.
    assert page.get_by_label("Họ và đệm").input_value() == "Nguyễn Thị Thanh"
    assert "docx: Đơn BM02 – Hương.docx" in page.content()
    assert page.get_by_label("Thư điện tử liên hệ").input_value() == "huong.ntt@gmail.com"
    assert page.get_by_role("link", name="Đơn BM02 – Hương.docx").is_visible()
    screenshot(page, "accounts-mail-confirm")

    # A mistyped date is refused next to its field; what was typed stays.
    page.get_by_label(re.compile(r"^\s*Tên\W*$")).fill("Hương")
    page.get_by_label("Ngày sinh").fill("31/02/2005")
    page.get_by_role("button", name="Xác nhận yêu cầu").click()
    assert page.get_by_label(re.compile(r"^\s*Tên\W*$")).input_value() == "Hương"
    assert page.locator(".invalid-feedback").inner_text() == (
        "Ghi ngày theo dạng ngày/tháng/năm, ví dụ 15/03/2005."
    )
    assert page.get_by_label("Ngày sinh").input_value() == "31/02/2005"
    assert AccountRequest.objects.get().status == Status.DRAFT
    page.get_by_label("Ngày sinh").fill("15/03/2005")
    page.get_by_role("button", name="Xác nhận yêu cầu").click()

    # Now an ordinary request: Received, beside its registry record, which it matches.
    assert "Đã xác nhận" in page.content()
    assert page.get_by_test_id("registry-verdict").inner_text() == "Khớp với dữ liệu"
    req = AccountRequest.objects.get()
    assert (req.status, req.given_name, req.unit_code) == (Status.SUBMITTED, "Hương", "hust-seee")
    mail = Notification.objects.get()
    assert mail.email == "huong.ntt@gmail.com" and reference in mail.subject

    # The intake log shows both messages and what became of them.
    page.get_by_role("link", name="Nhật ký thư đến").first.click()
    log = page.get_by_test_id("intake-log").inner_text()
    assert "Đã tạo yêu cầu nháp" in log and "Thư trả lời tự động" in log and reference in log
    screenshot(page, "accounts-mail-log")
