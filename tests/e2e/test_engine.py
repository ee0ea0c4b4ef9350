"""The engine's user stories, driven in the browser.

The head of the MTT Office is told a step is overdue (bell), sees it on the deadlines page,
finds the mail that could not be delivered in the outbox and sends it again.
"""

import datetime as dt
import socket

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.deadlines import open_step, register_step_type, sweep_deadlines
from portal.models import Notification
from portal.notifications import deliver_notification, notify


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def step_types(restore_step_types):
    register_step_type("demo.review", label="Kiểm tra hồ sơ đăng ký (bước 3)", hours=24)
    yield


def a_failed_mail(settings):
    """A result e-mail to an applicant that the SMTP server refused five times."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    row = notify(
        template="portal/deadline_reminder",
        context={
            "step_label": "Thông báo kết quả cấp tài khoản",
            "object": "BM02 của Lê Thị Thu",
            "due_at": timezone.now(),
            "started_at": timezone.now(),
            "recipient": "Lê Thị Thu",
        },
        dedupe_key="e2e:result:1",
        email="thu.lethi@sis.example.edu.vn",
    )
    now = timezone.now()
    for minutes in range(0, 200, 40):
        deliver_notification(row.pk, now=now + dt.timedelta(minutes=minutes))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return Notification.objects.get(pk=row.pk)


def test_an_ops_head_sees_an_overdue_step_and_resends_a_failed_mail(
    page, login_as, make_user, settings, screenshot
):
    # The head receives the escalation; /ops/ needs the operations role too (issue 10 §1).
    head = login_as("mtt_office_head", "operations", full_name="Đỗ Thị Dung")
    make_user("mtt_office", full_name="Phạm Thu Hà")
    now = timezone.now()
    late = make_user(full_name="Nguyễn Văn An")
    open_step(late, "demo.review", start=now - dt.timedelta(hours=27), holder_role="mtt_office")
    soon = make_user(full_name="Trần Minh Khoa")
    open_step(soon, "demo.review", start=now - dt.timedelta(hours=20), holder_role="mtt_office")
    sweep_deadlines(now)
    failed = a_failed_mail(settings)
    assert failed.status == "failed"

    # The bell tells the head there is news: the escalation.
    page.goto("/work/")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    expect(page.get_by_test_id("notifications")).to_contain_text(
        "Quá hạn: Kiểm tra hồ sơ đăng ký (bước 3)"
    )
    screenshot(page, "engine-notifications")

    # The deadlines page: the overdue step first, the one due soon on its own tab.
    page.get_by_test_id("nav-work").get_by_role("link", name="Thời hạn", exact=True).click()
    table = page.get_by_test_id("deadlines")
    expect(table).to_contain_text("Nguyễn Văn An")
    expect(table).to_contain_text("Quá hạn 3")
    expect(table).not_to_contain_text("Trần Minh Khoa")
    page.get_by_test_id("deadline-filter").get_by_role("link", name="Đến hạn trong 24 giờ").click()
    expect(page.get_by_test_id("deadlines")).to_contain_text("Trần Minh Khoa")
    page.get_by_test_id("deadline-filter").get_by_role("link", name="Quá hạn").click()
    screenshot(page, "engine-deadlines")

    # The outbox: the failed mail, its error, and "send again".
    page.get_by_role("link", name="Hộp thư đi").first.click()
    page.get_by_test_id("status-filter").get_by_role("link", name="Thất bại").click()
    outbox = page.get_by_test_id("outbox")
    expect(outbox).to_contain_text("thu.lethi@sis.example.edu.vn")
    expect(outbox).to_contain_text("ConnectionRefusedError")
    screenshot(page, "engine-outbox")
    outbox.get_by_role("link", name="Gửi lại").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gửi lại thông báo này?")
    page.get_by_role("button", name="Gửi lại").click()
    expect(page.get_by_role("alert")).to_contain_text("đã được xếp hàng để gửi lại")
    expect(page.locator(".badge-status")).to_contain_text("Chờ gửi")
    screenshot(page, "engine-outbox-detail")
    failed.refresh_from_db()
    assert failed.status == "queued" and failed.attempts == 0
    assert failed.events.last().actor == head

    # On a phone the deadlines table scrolls sideways; the tabs and badges stay readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/ops/deadlines/")
    expect(page.get_by_test_id("deadlines")).to_contain_text("Nguyễn Văn An")
    screenshot(page, "engine-deadlines-phone")
