"""Issue 17 in Chromium: an admin switches automatic verification on, a student's BM02 is
verified and created in the mail system without a person, the technician sees it; anyone reads
the service-quality page and downloads its CSV."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.models import AutoVerification, ProvisioningJob
from tests.accounts.conftest import (  # noqa: F401 — fixtures used by name
    ldap_directory,
    office,
    slapd_server,
    student_data,
    technician,
)
from tests.e2e.test_accounts import (  # noqa: F401 — fixtures used by name
    fill_bm02,
    hust_units,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(make_user):
    return make_user("mtt_account_manager")


def test_a_matching_bm02_is_verified_and_created_without_a_person_and_the_technician_sees_it(
    page, person, ldap_directory, screenshot
):
    from accounts.services.provisioning import provision_account

    for kind in ("staff", "student"):  # the migration's rows (the test database was flushed)
        AutoVerification.objects.get_or_create(person_kind=kind)

    # The admin switches automatic verification on for students, in the admin.
    admin = person(is_superuser=True, is_staff=True)
    admin.goto("/admin/accounts/autoverification/")
    admin.get_by_role("row").filter(has_text="Sinh viên").get_by_role("checkbox").last.check()
    admin.get_by_role("button", name="Lưu").click()
    assert AutoVerification.objects.get(person_kind="student").enabled
    assert not AutoVerification.objects.get(person_kind="staff").enabled

    # The student sends BM02; it matches the registry exactly.
    page.goto("/accounts/apply/student/")
    fill_bm02(page)
    page.get_by_role("button", name="Gửi đăng ký").click()
    reference = page.get_by_test_id("reference").inner_text()
    assert "Đã kiểm tra tự động" in page.content()

    # The worker creates the account in the directory (the Celery task's service).
    job = ProvisioningJob.objects.get(request__reference=reference)
    provision_account(job.pk)

    # The technician sees it among the accounts created automatically, with the progress.
    tech = person("mtt_technician", full_name="Trần Quốc Bảo")
    tech.get_by_role("link", name="Hàng chờ kỹ thuật").first.click()
    assert "Đã tạo 1/1" in tech.get_by_test_id("provisioning-summary").inner_text()
    created = tech.get_by_test_id("provisioned").get_by_role("row").filter(has_text=reference)
    assert "huong.nguyenthithanh@sis.hust.edu.vn" in created.inner_text()
    screenshot(tech, "accounts-provisioning")
    created.get_by_role("link", name=reference).click()
    tech.wait_for_url("**/accounts/requests/**")
    history = tech.content()
    assert "Đã kiểm tra tự động: các trường sau khớp với dữ liệu quản lý" in history
    assert "Đã tạo tài khoản trên hệ thống thư điện tử" in history
    assert "Cổng (tự động)" in history

    # The student's tracking page says the result was sent.
    page.reload()
    assert "Đã thông báo kết quả" in page.content()


def test_anyone_reads_the_service_quality_page_and_downloads_its_csv(
    page, office, technician, manager, screenshot
):
    from accounts import services

    month = timezone.localdate().replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(month, dt.time(0, 1)))
    for i in range(7):
        t = start + dt.timedelta(minutes=i)
        req, _c = services.submit_request(student_data(person_id=f"2024{i:04d}"), now=t)
        services.verify_request(
            req.pk, office, now=t + dt.timedelta(hours=1), reason="Đã gọi điện xác nhận"
        )
        services.issue_account(
            req.pk, technician, address=f"sv{i}@sis.hust.edu.vn", now=t + dt.timedelta(hours=2)
        )
        services.record_issuance(req.pk, manager, now=t + dt.timedelta(hours=3))
        services.notify_result(req.pk, office, now=t + dt.timedelta(hours=4))

    page.goto("/accounts/")
    page.get_by_role("link", name="Xem số liệu").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Chất lượng phục vụ: tài khoản thư điện tử (MTT.QT06)"
    )
    assert page.get_by_role(
        "img", name="Số yêu cầu tiếp nhận và hoàn thành theo tháng"
    ).is_visible()
    this_month = page.get_by_test_id("quality").get_by_role("row").filter(has_text=f"{month:%m/%Y}")
    cells = this_month.get_by_role("cell").all_inner_texts()
    assert cells[:3] == ["7", "7", "100,0 %"]
    assert "Nguyễn" not in page.content() and "2024000" not in page.content()
    screenshot(page, "accounts-quality")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về dạng CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as f:
        text = f.read()
    assert re.search(rf"{month:%m/%Y},7,7,100\.0", text)
