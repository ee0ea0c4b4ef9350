"""Issue 10 §7 and §1 in Chromium: a correction that changes the contact e-mail waits for the
old address to confirm it, and the office head sees that the mail went out, not what it says."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts import services
from accounts.models import AccountRequest
from portal.models import Notification
from portal.notifications import build_email, deliver_notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def hust_units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


def test_a_new_contact_address_is_used_only_once_the_old_one_confirms_it(
    page, make_user, login_as, screenshot
):
    req, _ = services.submit_request(
        {
            "person_kind": "student",
            "request_kind": "new_account",
            "family_and_middle_names": "Nguyễn Thị Thanh",
            "given_name": "Hương",
            "date_of_birth": dt.date(2005, 3, 15),
            "person_id": "20231234",
            "unit_name": "Trường Điện – Điện tử",
            "unit_code": "hust-seee",
            "student_class": "ĐTVT-01",
            "cohort": "K68",
            "mobile_phone": "+84912345678",
            "contact_email": "huong.nguyen@example.com",
        }
    )
    services.reject_request(req.pk, make_user("mtt_office"), "Sai ngày sinh")

    # The student opens the tracking link, corrects the date and types a new e-mail address.
    page.goto(f"/accounts/track/{req.tracking_token}/")
    page.get_by_role("link", name="Sửa yêu cầu").click()
    page.get_by_label("Ngày sinh").fill("16/03/2005")
    page.get_by_label("Thư điện tử liên hệ").fill("huong.moi@example.com")
    page.get_by_role("button", name="Gửi yêu cầu đã sửa").click()
    expect(page.locator(".alert-info").first).to_contain_text("huong.moi@example.com")
    expect(page.locator(".alert-info").first).to_contain_text("huong.nguyen@example.com")
    screenshot(page, "accounts-contact-change-asked")
    req.refresh_from_db()
    assert req.contact_email == "huong.nguyen@example.com"

    # The old mailbox gets a link; opening it asks first, then confirms.
    ask = Notification.objects.get(template="accounts/contact_change")
    assert ask.email == "huong.nguyen@example.com"
    link = re.search(r"https?://[^/]+(/accounts/contact/\S+/)", build_email(ask).body).group(1)
    deliver_notification(ask.pk)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận e-mail liên hệ mới")
    page.get_by_role("button", name="Đồng ý, dùng địa chỉ mới").click()
    expect(page.get_by_test_id("contact-changed")).to_be_visible()
    screenshot(page, "accounts-contact-change-confirmed")
    assert AccountRequest.objects.get(pk=req.pk).contact_email == "huong.moi@example.com"

    # The office head sees that the confirmation mail went out, and never its link.
    context = page.context
    context.clear_cookies()
    login_as("mtt_office_head", full_name="Đỗ Thị Dung")
    page.get_by_test_id("nav-work").get_by_role("link", name="Tình trạng gửi thư").click()
    table = page.get_by_test_id("outbox")
    expect(table).to_contain_text("Xác nhận e-mail liên hệ mới")
    expect(table).to_contain_text("Đã gửi")
    assert link not in page.content()
    screenshot(page, "accounts-mail-delivery")
