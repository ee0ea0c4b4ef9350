"""Security and personal data in Chromium, driven as people would.

The takeover of issue 10: a committee member opened /ops/outbox/, read the result mail of a
student (with its view-once password link) and took over the account. Whatever the outbox
shows the committee now, no working password link is among it.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services
from tests.accounts.conftest import student_data

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_LINK = re.compile(r"/accounts/secret/[A-Za-z0-9_\-]+/")


@pytest.fixture
def notified_request(make_user):
    """A student's request issued with a temporary password and its result mailed."""
    cache.delete("accounts:unit-choices")
    office = make_user("mtt_office")
    now = timezone.now() - dt.timedelta(minutes=5)
    req, _created = services.submit_request(
        student_data(contact_email="huong.nguyen@example.com"), now=now
    )
    services.verify_request(req.pk, office, reason="Đã gọi xác nhận", now=now)
    services.issue_account(
        req.pk,
        make_user("mtt_technician"),
        address=services.suggested_address(req),
        now=now,
        password="Temp-Pass-12345",
    )
    services.record_issuance(req.pk, make_user("mtt_account_manager"), now=now)
    return services.notify_result(req.pk, office, now=now)


def test_a_committee_member_cannot_take_over_a_student_through_the_outbox(
    page, login_as, notified_request
):
    login_as("dialogue_committee")
    response = page.goto("/ops/outbox/")
    seen = page.content()
    if response.status == 200:
        # Open every message the list offers, as the committee member did.
        links = page.get_by_test_id("outbox").get_by_role("link").all()
        details = [
            a.get_attribute("href")
            for a in links
            if "/ops/outbox/" in (a.get_attribute("href") or "")
        ]
        for href in details:
            page.goto(href)
            seen += page.content()
    secret_links = set(SECRET_LINK.findall(seen))
    for link in secret_links:  # a link seen anyway must not open the password
        page.goto(link)
        field = page.get_by_label("Mã số cán bộ hoặc sinh viên của bạn")
        if field.count():
            field.fill(notified_request.person_id)
            page.get_by_role("button", name="Xem mật khẩu").click()
        expect(page.get_by_test_id("password")).to_have_count(0)
    assert not secret_links, f"the committee can read password links: {secret_links}"
    assert notified_request.tracking_token not in seen, "the committee can read a tracking link"


def test_the_data_protection_officer_exports_and_anonymises_a_persons_data(
    page, login_as, notified_request
):
    from portal.models import PrivacyLogEntry

    login_as("data_protection")
    page.get_by_test_id("nav-work").get_by_role("link", name="Dữ liệu cá nhân").click()
    page.get_by_label(
        "Địa chỉ thư điện tử, mã số cán bộ/sinh viên hoặc số điện thoại di động"
    ).fill("huong.nguyen@example.com")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_test_id("person-found")).to_contain_text("MTT.QT06")

    with page.expect_download() as download:
        page.get_by_role("button", name="Xuất ra tệp").click()
    content = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert notified_request.reference in content and "+84912345678" in content

    page.get_by_role("link", name="Ẩn danh…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ẩn danh dữ liệu")
    page.get_by_label("Yêu cầu của người đó (số, ngày)").fill("Đơn ngày 01/12/2026")
    page.get_by_role("button", name="Ẩn danh").click()
    expect(page.get_by_text("Số hồ sơ đã đóng được ẩn danh: 1")).to_be_visible()

    notified_request.refresh_from_db()
    assert notified_request.mobile_phone == "" and notified_request.anonymised_at
    page.get_by_role("link", name="Thời hạn lưu giữ và nhật ký").click()
    log = page.get_by_test_id("privacy-log")
    expect(log).to_contain_text("Đã xuất dữ liệu cá nhân")
    expect(log).to_contain_text("Đã ẩn danh theo yêu cầu")
    assert PrivacyLogEntry.objects.count() == 2
