"""A student sends BM02 while the database restarts: an honest page, nothing typed lost,
and sending again gives one request. Driven in Chromium as a person would."""

import re
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection

from accounts.models import AccountRequest
from tests.e2e.test_accounts import fill_bm02
from tests.servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def hust_units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


@contextmanager
def database_restarting():
    """PostgreSQL drops every connection of the live server and refuses new ones until the
    block ends (the server thread shares these connection settings)."""
    saved = connection.settings_dict["PORT"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.settings_dict["PORT"] = saved


def test_a_form_sent_during_a_database_restart_is_sent_again_from_the_back_button(page, screenshot):
    page.goto("/accounts/apply/student/")
    fill_bm02(page)

    with database_restarting():
        page.get_by_role("button", name="Gửi đăng ký").click()
        notice = page.locator("#form-not-received")
        assert "Có thể biểu mẫu của bạn chưa được nhận." in notice.inner_text()
        assert "gửi lại" in notice.inner_text()
        assert "Nothing you sent was lost" not in page.content()
        screenshot(page, "error-form-not-received")

    # The database is back. The student goes back: what they typed is still there.
    page.get_by_role("link", name="Quay lại biểu mẫu của bạn").click()
    assert page.get_by_label("Họ và đệm").input_value() == "Nguyễn Thị Thanh"
    assert page.get_by_label("Số điện thoại di động").input_value() == "0912 345 678"
    page.get_by_role("button", name="Gửi đăng ký").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"TK-\d{4}-\d{6}", reference)
    assert AccountRequest.objects.count() == 1
