"""The public service-quality page (issue 17), BM03's automatic share, and the technician's
view of automatic provisioning."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts import selectors, services
from accounts.models import ProvisioningJob, Status
from accounts.services.provisioning import provision_account
from tests.accounts.conftest import student_data

State = ProvisioningJob.State


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def finished(db, office, technician, manager):
    """finished(n, start=…, review_hours=…) → n requests taken through every step by people."""

    def _finished(n, *, start=None, review_hours=1.0, first_id=20240000):
        # Early in the current month (Hanoi time): every step closes within the same month.
        month = timezone.localdate().replace(day=1)
        start = start or timezone.make_aware(dt.datetime.combine(month, dt.time(0, 1)))
        done = []
        for i in range(n):
            t0 = start + dt.timedelta(minutes=i)
            req, _c = services.submit_request(
                student_data(person_id=str(first_id + i), given_name=f"Tên{i}"), now=t0
            )
            t = t0 + dt.timedelta(hours=review_hours)
            services.verify_request(req.pk, office, now=t, reason="Đã gọi điện xác nhận")
            services.issue_account(
                req.pk,
                technician,
                address=f"sv{first_id + i}@sis.hust.edu.vn",
                now=t + dt.timedelta(hours=1),
            )
            services.record_issuance(req.pk, manager, now=t + dt.timedelta(hours=2))
            services.notify_result(req.pk, office, now=t + dt.timedelta(hours=3))
            done.append(req)
        return done

    return _finished


def this_month(rows):
    return rows[-1]


def test_the_page_is_open_to_everyone_and_shows_the_months_figures(client, finished):
    finished(6)
    response = client.get("/accounts/quality/")
    assert response.status_code == 200
    row = this_month(response.context["rows"])
    assert (row.received_shown, row.finished_shown) == ("6", "6")
    assert row.on_time_percent == 100.0
    assert row.overall == (4.0, 4.0)
    page = response.content.decode()
    assert "<svg" in page and "100,0 %" in page
    # The chart's coordinates are numbers an SVG reads, not Vietnamese decimals ("12,5").
    bars = re.findall(r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"', page)
    assert len(bars) == 24
    assert all(float(v) >= 0 for bar in bars for v in bar)


def test_the_page_holds_no_personal_data(client, finished):
    reqs = finished(6)
    for response in (
        client.get("/accounts/quality/"),
        client.get("/accounts/quality/mtt-qt06-quality.csv"),
    ):
        text = response.content.decode("utf-8-sig")
        for req in reqs:
            for secret in (req.person_id, req.contact_email, req.reference, req.given_name):
                assert secret not in text


def test_counts_under_five_are_suppressed_with_everything_derived_from_them(client, finished):
    finished(3)
    response = client.get("/accounts/quality/")
    row = this_month(response.context["rows"])
    assert (row.received_shown, row.finished_shown) == ("<5", "<5")
    assert row.on_time_percent is None and row.overall == (None, None)
    csv_text = client.get("/accounts/quality/mtt-qt06-quality.csv").content.decode("utf-8-sig")
    last = csv_text.strip().splitlines()[-1].split(",")
    assert last[1:4] == ["<5", "<5", ""]


def test_a_late_step_counts_against_on_time_and_shows_in_median_and_p90(finished):
    finished(8, review_hours=1.0)
    finished(2, review_hours=30.0, first_id=20250000)  # step 3 past its 24 hours
    row = this_month(selectors.service_quality())
    assert row.finished == 10 and row.on_time == 8
    assert row.on_time_percent == 80.0
    review = {k: (m, p) for k, m, p in row.steps}["accounts.review"]
    assert review == (1.0, 30.0)  # nearest-rank p90 of eight 1 h and two 30 h


def test_the_share_verified_automatically(submit, registry_student, auto_verification, finished):
    finished(5)
    auto_verification(student=True)
    for i in range(5):
        registry_student(person_id=str(20260000 + i))
        submit(person_id=str(20260000 + i), at=timezone.now())
    row = this_month(selectors.service_quality())
    assert (row.verified, row.auto_verified, row.auto_percent) == (10, 5, 50.0)


def test_the_csv_has_the_tables_figures(client, finished):
    finished(6)
    response = client.get("/accounts/quality/mtt-qt06-quality.csv")
    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 13  # a header and twelve months
    assert lines[-1].split(",")[1:5] == ["6", "6", "100.0", "0.0"]


def test_the_page_costs_the_same_queries_for_few_or_many_requests(
    client, finished, django_assert_max_num_queries
):
    finished(5)
    with django_assert_max_num_queries(10) as few:
        client.get("/accounts/quality/")
    cache.clear()
    finished(25, first_id=20250000)
    with django_assert_max_num_queries(10) as many:
        client.get("/accounts/quality/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_bm03_shows_the_requests_verified_automatically(
    client_for, submit, registry_student, auto_verification
):
    registry_student()
    auto_verification(student=True)
    submit(at=timezone.now())
    submit(person_id="20990001", contact_email="x@example.com", at=timezone.now())
    response = client_for("mtt_office_head").get("/accounts/report/")
    totals = response.context["report"].totals
    assert (totals["auto"], totals["total"]) == (1, 2)
    assert "1 (50 %)" in response.content.decode()


def test_bm03_shows_step_4_per_technician_and_for_the_portal_itself(
    ldap_directory, client_for, submit, registry_student, auto_verification, office, make_user
):
    # One account issued by hand by a technician, one by the portal's own provisioning: BM03
    # names each issuer with how many, how many on time, and the median time.
    registry_student()
    auto_verification(student=True)
    automatic = submit(at=timezone.now())
    provision_account(automatic.provisioning.pk)
    technician = make_user("mtt_technician", full_name="Lê Văn Kỹ")
    by_hand = submit(person_id="20990002", contact_email="y@example.com", at=timezone.now())
    services.verify_request(by_hand.pk, office, reason="Đã đối chiếu với hồ sơ giấy")
    services.issue_account(by_hand.pk, technician, address="y.tranthi@sis.hust.edu.vn")
    response = client_for("mtt_office_head").get("/accounts/report/")
    rows = {t["name"]: t for t in response.context["report"].technicians}
    assert rows["Lê Văn Kỹ"]["count"] == 1 and rows["Lê Văn Kỹ"]["on_time"] == 1
    assert rows["Cổng (tự động)"]["count"] == 1
    page = response.content.decode()
    assert 'data-testid="bm03-technicians"' in page and "Lê Văn Kỹ" in page


# --- the technician's page ----------------------------------------------------------------------


def test_the_technician_sees_an_auto_provisioned_request_and_the_progress(
    ldap_directory, client_for, submit, registry_student, auto_verification
):
    registry_student()
    auto_verification(student=True)
    req = submit(at=timezone.now())
    provision_account(req.provisioning.pk)
    response = client_for("mtt_technician").get("/accounts/technician/")
    page = response.content.decode()
    assert response.context["provisioning"]["done"] == 1
    assert 'value="100"' in page
    assert req.reference in page and "an.nguyenvan@sis.hust.edu.vn" in page
    req.refresh_from_db()
    assert req.status == Status.NOTIFIED


def test_a_failed_job_shows_its_error_and_can_be_sent_again(
    google_directory, client_for, submit, registry_student, auto_verification, settings
):
    settings.ACCOUNTS_PROVISIONING_MAX_ATTEMPTS = 1
    registry_student()
    auto_verification(student=True)
    req = submit(at=timezone.now())
    google_directory.fail_next(503)
    provision_account(req.provisioning.pk)
    client = client_for("mtt_technician")
    page = client.get("/accounts/technician/").content.decode()
    assert "HTTP 503" in page and "Backend Error" in page
    response = client.post(f"/accounts/technician/jobs/{req.provisioning.pk}/retry/", follow=True)
    assert response.status_code == 200
    job = ProvisioningJob.objects.get(pk=req.provisioning.pk)
    assert job.state == State.QUEUED and job.requested_by == client.user


def test_the_technician_sends_verified_requests_to_the_mail_system(
    ldap_directory, client_for, submit, office
):
    req = submit(at=timezone.now())
    services.verify_request(req.pk, office, reason="Đã gọi điện xác nhận")
    client = client_for("mtt_technician")
    client.post("/accounts/technician/provision/", {"ids": [req.pk]})
    job = ProvisioningJob.objects.get(request=req)
    assert job.requested_by == client.user
    provision_account(job.pk)
    req.refresh_from_db()
    assert req.status == Status.NOTIFIED and req.issued_by == client.user


@pytest.mark.parametrize("role", ["applicant", "mtt_office", "mtt_account_manager"])
def test_only_technicians_send_to_the_mail_system(client_for, role, submit, office):
    req = submit()
    services.verify_request(req.pk, office, reason="Đã gọi điện xác nhận")
    client = client_for(role)
    assert client.post("/accounts/technician/provision/", {"ids": [req.pk]}).status_code == 403
    assert client.post("/accounts/technician/jobs/1/retry/").status_code == 403
    assert not ProvisioningJob.objects.exists()


def test_the_technician_page_costs_the_same_queries_for_few_or_many_jobs(
    ldap_directory,
    client_for,
    submit,
    registry_student,
    auto_verification,
    django_assert_max_num_queries,
):
    auto_verification(student=True)
    client = client_for("mtt_technician")

    def add(n, offset):
        for i in range(n):
            pid = str(20270000 + offset + i)
            registry_student(person_id=pid, given_name=f"Tên{offset + i}")
            submit(person_id=pid, given_name=f"Tên{offset + i}", at=timezone.now())

    add(2, 0)
    client.get("/accounts/technician/")  # the session's first page does a little more
    with django_assert_max_num_queries(20) as few:
        client.get("/accounts/technician/")
    add(12, 100)
    with django_assert_max_num_queries(20) as many:
        client.get("/accounts/technician/")
    assert len(few.captured_queries) == len(many.captured_queries)
