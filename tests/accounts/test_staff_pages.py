"""The review queue, the detail page with the registry comparison, and who sees what."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AccountRequest, Status
from tests.accounts.conftest import CHECKED_ON_PAPER


@pytest.fixture
def many(db, now):
    made = []  # each call adds new people: one person has one open request

    def _many(n, **overrides):
        from tests.accounts.conftest import student_data

        for i in range(len(made), len(made) + n):
            services.submit_request(
                student_data(person_id=str(20240000 + i), **overrides),
                now=now + dt.timedelta(minutes=i),
            )
            made.append(i)

    return _many


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/queue/",
        "/accounts/technician/",
        "/accounts/log/",
        "/accounts/report/",
        "/accounts/registries/",
        "/accounts/notify/",
    ],
)
def test_an_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("applicant", "/accounts/queue/", 403),
        ("mtt_technician", "/accounts/queue/", 403),
        ("mtt_office", "/accounts/queue/", 200),
        ("mtt_office", "/accounts/technician/", 403),
        ("mtt_technician", "/accounts/technician/", 200),
        ("mtt_account_manager", "/accounts/log/", 200),
        ("mtt_office", "/accounts/log/", 403),
        ("mtt_office_head", "/accounts/report/", 200),
        ("applicant", "/accounts/report/", 403),
        ("mtt_office", "/accounts/registries/", 200),
        ("applicant", "/accounts/mine/", 200),
    ],
)
def test_each_page_belongs_to_its_roles(client_for, role, url, status):
    assert client_for(role).get(url).status_code == status


def test_an_applicant_cannot_open_a_requests_staff_page(client_for, submit):
    req = submit()
    assert client_for("applicant").get(f"/accounts/requests/{req.pk}/").status_code == 404


def test_the_queue_is_sorted_by_due_time_and_shows_overdue(client_for, submit, now):
    late = submit(person_id="20230001", given_name="Muộn", at=now - dt.timedelta(hours=30))
    fresh = submit(person_id="20230002", given_name="Mới", at=timezone.now())
    page = client_for("mtt_office").get("/accounts/queue/").content.decode()
    assert page.index(late.reference) < page.index(fresh.reference)
    assert "deadline-overdue" in page


def test_the_queue_search_is_accent_insensitive_over_name_id_phone_and_address(client_for, submit):
    submit(person_id="20230001", family_and_middle_names="Đặng Thị", given_name="Thành")
    other = submit(
        person_id="20230002",
        family_and_middle_names="Lê",
        given_name="Hoa",
        mobile_phone="+84987000111",
    )
    client = client_for("mtt_office")
    for q, expected in [
        ("dang thi thanh", 1),
        ("THÀNH", 1),
        ("20230002", 1),
        ("0987 000 111", 1),
        ("an.nguyen@example", 2),
        ("khong ai", 0),
    ]:
        page = client.get("/accounts/queue/", {"q": q}).content.decode()
        assert page.count('href="/accounts/requests/') == expected, q
    assert other.reference in client.get("/accounts/queue/", {"q": "hoa"}).content.decode()


def test_the_queue_filters_by_kind_request_overdue_and_due_within(client_for, submit, now):
    submit(person_id="20230001", at=now - dt.timedelta(hours=30))
    submit(
        "staff",
        request_kind="password_reset",
        existing_address="binh.tranthi@hust.edu.vn",
        at=timezone.now(),
    )
    client = client_for("mtt_office")

    def rows(**params):
        return (
            client.get("/accounts/queue/", params)
            .content.decode()
            .count('href="/accounts/requests/')
        )

    assert rows() == 2
    assert rows(person_kind="staff") == 1
    assert rows(request_kind="password_reset") == 1
    assert rows(overdue="on") == 1
    assert rows(due_within=30) == 2
    assert rows(status="verified") == 0


def test_the_queue_pages_by_keyset(client_for, many):
    many(30)
    client = client_for("mtt_office")
    first = client.get("/accounts/queue/")
    page = first.context["page"]
    assert len(page.rows) == 25 and page.next_cursor
    second = client.get("/accounts/queue/", {"after": page.next_cursor}).context["page"]
    assert len(second.rows) == 5
    assert {r.pk for r in page.rows}.isdisjoint({r.pk for r in second.rows})
    back = client.get("/accounts/queue/", {"before": second.prev_cursor}).context["page"]
    assert [r.pk for r in back.rows] == [r.pk for r in page.rows]


@pytest.mark.parametrize(
    "query",
    ["", "?status=", "?q=nguyen+thi", "?status=open&overdue=on", "?registry=missing"],
    ids=["default", "all-statuses", "search", "open-overdue", "not-in-registry"],
)
def test_the_queue_query_count_does_not_grow_with_the_requests(
    client_for, many, django_assert_max_num_queries, query
):
    """Issue 15: at most 8 queries, the same for 3 requests and for 43 (a full page and more)."""
    client = client_for("mtt_office")
    many(3, family_and_middle_names="Nguyễn Thị")
    client.get("/accounts/queue/" + query)  # the counts the page caches for a while are filled
    with django_assert_max_num_queries(8) as few:
        client.get("/accounts/queue/" + query)
    many(40, family_and_middle_names="Nguyễn Thị")
    with django_assert_max_num_queries(8) as lots:
        response = client.get("/accounts/queue/" + query)
    assert len(few.captured_queries) == len(lots.captured_queries)
    if not query:
        assert response.content.decode().count('href="/accounts/requests/') == 25


def test_the_detail_page_compares_with_the_registry_field_by_field(
    client_for, submit, registry_student
):
    registry_student(date_of_birth=dt.date(2005, 3, 16), mobile_phone="")
    req = submit()
    response = client_for("mtt_office").get(f"/accounts/requests/{req.pk}/")
    states = {r.label: r.state for r in response.context["comparison"].rows}
    assert states["Ngày sinh"] == "mismatch"
    assert states["Tên"] == "match"
    assert states["Số điện thoại di động"] == "not_found"
    assert 'data-state="mismatch"' in response.content.decode()


def test_a_request_missing_from_the_registry_says_so(client_for, submit):
    req = submit()
    response = client_for("mtt_office").get(f"/accounts/requests/{req.pk}/")
    assert response.context["comparison"].record is None
    assert 'data-testid="registry-verdict"' in response.content.decode()


def test_a_second_reviewer_is_told_who_holds_the_request(client_for, submit, office, now):
    req = submit()
    services.claim_request(req.pk, office, now=now)
    client = client_for("mtt_office")
    response = client.post(f"/accounts/requests/{req.pk}/claim/", follow=True)
    assert "Phạm Thu Hà" in response.content.decode()
    assert AccountRequest.objects.get(pk=req.pk).claimed_by == office


def test_reject_without_a_reason_changes_nothing(client_for, submit):
    req = submit()
    client = client_for("mtt_office")
    client.post(f"/accounts/requests/{req.pk}/reject/", {"reason": ""})
    assert AccountRequest.objects.get(pk=req.pk).status == Status.SUBMITTED


def test_the_technician_downloads_a_google_workspace_csv(client_for, submit, office, now):
    req = submit()
    services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
    response = client_for("mtt_technician").post("/accounts/technician/export/", {"ids": [req.pk]})
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("First Name [Required],Last Name [Required],Email Address")
    assert "an.nguyenvan@sis.hust.edu.vn" in row and "+84912345678" in row


def test_the_microsoft_layout_is_chosen_in_settings(client_for, submit, office, now, settings):
    settings.ACCOUNTS_MAIL_SYSTEM = "microsoft"
    req = submit()
    services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
    response = client_for("mtt_technician").post("/accounts/technician/export/", {"ids": [req.pk]})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "version:v1.0"
    assert lines[1].startswith("Name [displayName] Required,User name [userPrincipalName]")


def test_the_office_sends_the_prepared_result_with_one_click(client_for, issued, manager, now):
    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    client = client_for("mtt_office")
    preview = client.get(f"/accounts/requests/{req.pk}/notify/").content.decode()
    assert req.issued_address in preview
    client.post(f"/accounts/requests/{req.pk}/notify/")
    assert AccountRequest.objects.get(pk=req.pk).status == Status.NOTIFIED


def test_a_search_pages_through_its_matches_in_due_order(client_for, many):
    many(30)
    client = client_for("mtt_office")
    first = client.get("/accounts/queue/", {"q": "2024"}).context["page"]
    assert first.count == 30 and len(first.rows) == 25
    assert [r.due_at for r in first.rows] == sorted(r.due_at for r in first.rows)
    second = client.get("/accounts/queue/", {"q": "2024", "after": first.next_cursor})
    assert len(second.context["page"].rows) == 5
    assert second.context["page"].prev_cursor
    back = client.get(
        "/accounts/queue/", {"q": "2024", "before": second.context["page"].prev_cursor}
    )
    assert [r.pk for r in back.context["page"].rows] == [r.pk for r in first.rows]


@pytest.mark.parametrize("url", ["/accounts/queue/", "/accounts/technician/", "/accounts/notify/"])
def test_the_head_of_the_mtt_office_reads_every_queue_without_its_buttons(client_for, submit, url):
    req = submit()
    client = client_for("mtt_office_head")
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="bulk-verify"' not in body
    assert "technician-export" not in body and 'name="ids"' not in body
    # Reading is not acting: the steps stay with their roles.
    assert client.post(f"/accounts/requests/{req.pk}/verify/").status_code == 403


def test_the_account_manager_sent_to_the_admin_is_told_why_and_led_back(client_for):
    client = client_for("mtt_account_manager", full_name="Lê Minh Châu")
    response = client.get("/admin/", follow=True)
    body = response.content.decode()
    assert 'data-testid="admin-explained"' in body
    assert "Lê Minh Châu" in body and 'href="/"' in body


def test_bm03s_key_and_every_status_badge_share_one_colour_per_outcome(client_for, issued, now):
    """Issue 12 §5: an issued request is counted under "Done": its badge is the key's colour."""
    import re

    req = issued()
    client = client_for("mtt_office_head")
    day = timezone.localtime(now).strftime("%d/%m/%Y")
    body = client.get(f"/accounts/report/?date_from={day}&date_to={day}").content.decode()
    legend = body[body.index('data-testid="bm03-legend"') :]
    key = dict(
        re.findall(
            r'<dt class="col-sm-3" data-outcome="(\w+)"><span class="badge text-bg-([\w ]+)"',
            legend,
        )
    )
    assert key == {"done": "success", "returned": "warning", "open": "primary"}
    by_status = {s: c for c, s in re.findall(r'text-bg-([\w ]+)" data-status="(\w+)"', legend)}
    assert by_status[Status.ISSUED] == key["done"] == by_status[Status.NOTIFIED]
    assert by_status[Status.REJECTED] == key["returned"]
    assert by_status[Status.IN_REVIEW] == by_status[Status.VERIFIED] == key["open"]
    # The applicant's own page shows the same colour for the same status.
    track = client.get(f"/accounts/track/{req.tracking_token}/").content.decode()
    assert f'text-bg-{key["done"]}" data-status="issued"' in track
    # The outcome columns wear the key's colours, in the table's order.
    assert re.findall(r'data-outcome="(\w+)"><span class="badge text-bg-(\w+) no-print', body) == [
        ("done", "success"),
        ("returned", "warning"),
        ("open", "primary"),
    ]


@pytest.mark.parametrize(
    ("language", "label", "own", "reviewers"),
    [
        ("vi", "Hồ sơ trong dữ liệu đối chiếu", "Chờ cấp tài khoản (bước 4)", "Chờ kiểm tra"),
        ("en", "Registry record", "Waiting to be issued (step 4)", "Waiting to be checked"),
    ],
)
def test_the_technician_queues_filters_say_what_they_filter(
    client_for, language, label, own, reviewers
):
    """Issue 12 §5: the technician's status filter offers step 4 first, not the reviewer's
    "Waiting to be checked"; the registry filter names the registry record it looks for."""
    client = client_for("mtt_technician")
    client.cookies["django_language"] = language
    body = client.get("/accounts/technician/").content.decode()
    assert f'<label class="form-label small" for="id_registry">{label}</label>' in body
    status = body[body.index('<select class="form-select" name="status"') :]
    status = status[: status.index("</select>")]
    assert f'<option value="verified" selected>{own}</option>' in status
    assert status.index(own) < status.index('value="open"')
    assert reviewers not in status


def test_the_bm03_report_reads_a_constant_number_of_queries(
    client_for, make_user, many, django_assert_max_num_queries, now
):
    """Issue 15: BM03 counts in the database (grouped counts, the steps' medians), so a month
    of many requests costs the queries of a month of a few."""
    from accounts.models import AccountRequest

    client = client_for("mtt_office_head")
    day = timezone.localtime(now).strftime("%d/%m/%Y")
    period = {"date_from": day, "date_to": day}
    many(3)
    client.get("/accounts/report/", period)
    with django_assert_max_num_queries(15) as few:
        client.get("/accounts/report/", period)
    many(20)
    reviewer = make_user("mtt_office")
    for req in AccountRequest.objects.order_by("pk")[:10]:
        services.claim_request(req.pk, reviewer, now=now)
        services.verify_request(req.pk, reviewer, reason="Sinh viên mới nhập học", now=now)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/accounts/report/", period)
    assert response.context["report"].totals["total"] == 23
    review = next(s for s in response.context["report"].steps if s["number"] == "3")
    assert review["count"] == 10 and review["on_time"] == 10
