"""Ops pages, the bell and the notifications page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.deadlines import open_step, register_step_type
from portal.models import Notification
from portal.notifications import notify

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def step_types(restore_step_types):
    register_step_type("test.review", label="Kiểm tra hồ sơ (bước 3)", hours=24)
    yield


def a_notification(user, n=1, **kwargs):
    return notify(
        template="portal/deadline_reminder",
        context={
            "step_label": f"Kiểm tra hồ sơ số {n}",
            "object": f"Yêu cầu #{n}",
            "due_at": timezone.now(),
            "started_at": timezone.now(),
            "recipient": str(user),
            "url": "/work/",
        },
        dedupe_key=f"test:{user.pk}:{n}",
        user=user,
        **kwargs,
    )


@pytest.mark.parametrize("url_name", ["portal:ops-outbox", "portal:ops-deadlines"])
def test_ops_pages_are_closed_to_roles_without_the_permission(client_for, url_name):
    assert client_for("mtt_office").get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", ["portal:ops-outbox", "portal:ops-deadlines"])
def test_ops_pages_need_a_log_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_operations_see_the_ops_pages(client_for):
    client = client_for("operations")
    assert client.get(reverse("portal:ops-deadlines")).status_code == 200
    body = client.get(reverse("portal:ops-outbox")).content.decode()
    assert "Hộp thư đi" in body
    assert reverse("portal:ops-deadlines") in body  # in the work navigation too


def test_a_superuser_sees_the_ops_pages(client, make_user):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert client.get(reverse("portal:ops-outbox")).status_code == 200


def test_the_deadlines_page_lists_overdue_steps_with_dd_mm_yyyy_times(client_for, make_user):
    now = timezone.now()
    late = make_user(full_name="Nguyễn Văn Muộn")
    open_step(late, "test.review", start=now - dt.timedelta(hours=30), holder_role="mtt_office")
    on_time = make_user(full_name="Trần Thị Kịp")
    open_step(on_time, "test.review", start=now - dt.timedelta(hours=2), holder_role="mtt_office")
    client = client_for("operations")
    body = client.get(reverse("portal:ops-deadlines")).content.decode()
    assert "Nguyễn Văn Muộn" in body and "Trần Thị Kịp" not in body
    due = timezone.localtime(now - dt.timedelta(hours=6))
    assert due.strftime("%d/%m/%Y %H:%M") in body
    assert "Quá hạn 6" in body
    upcoming = client.get(reverse("portal:ops-deadlines"), {"show": "open"}).content.decode()
    assert "Trần Thị Kịp" in upcoming and "Văn phòng MTT" in upcoming


def test_the_deadlines_page_costs_the_same_queries_for_5_or_50_steps(
    client_for, make_user, django_assert_max_num_queries
):
    client = client_for("operations")
    start = timezone.now() - dt.timedelta(hours=30)
    for _ in range(5):
        open_step(make_user(), "test.review", start=start, holder_user=make_user())
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("portal:ops-deadlines"))
    for _ in range(45):
        open_step(make_user(), "test.review", start=start, holder_user=make_user())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("portal:ops-deadlines"))


def test_the_outbox_filters_by_status(client_for, make_user):
    sent = a_notification(make_user(), 1)
    Notification.objects.filter(pk=sent.pk).update(status="sent", subject="Thư đã gửi")
    failed = a_notification(make_user(), 2)
    Notification.objects.filter(pk=failed.pk).update(status="failed", subject="Thư thất bại")
    client = client_for("operations")
    body = client.get(reverse("portal:ops-outbox"), {"status": "failed"}).content.decode()
    assert "Thư thất bại" in body and "Thư đã gửi" not in body
    everything = client.get(reverse("portal:ops-outbox")).content.decode()
    assert "Thư thất bại" in everything and "Thư đã gửi" in everything


def test_the_outbox_costs_the_same_queries_for_5_or_50_rows(
    client_for, make_user, django_assert_max_num_queries
):
    client = client_for("operations")
    for n in range(5):
        a_notification(make_user(), n)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("portal:ops-outbox"))
    for n in range(5, 50):
        a_notification(make_user(), n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("portal:ops-outbox"))


def test_the_bell_shows_the_unread_count(client_for, make_user):
    client = client_for("mtt_office")
    a_notification(client.user, 1)
    a_notification(client.user, 2)
    a_notification(make_user(), 3)  # someone else's
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="bell-count">2<' in body
    assert "2 thông báo chưa đọc" in body


def test_a_page_costs_one_query_for_the_bell(client_for):
    client = client_for("mtt_office")
    client.get(reverse("portal:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:dashboard"))
    bell = [q for q in queries.captured_queries if "portal_notification" in q["sql"]]
    assert len(bell) == 1 and "COUNT(" in bell[0]["sql"]


def test_anonymous_visitors_see_no_bell(client):
    assert 'data-testid="bell"' not in client.get(reverse("portal:home")).content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for):
    client = client_for("mtt_office")
    row = a_notification(client.user)
    response = client.get(reverse("portal:notification-open", args=[row.pk]))
    assert response.status_code == 302 and response.url.endswith("/work/")
    row.refresh_from_db()
    assert row.read_at is not None
    assert 'data-testid="bell-count"' not in client.get(reverse("portal:home")).content.decode()


def test_someone_elses_notification_is_not_found(client_for, make_user):
    row = a_notification(make_user())
    client = client_for("mtt_office")
    assert client.get(reverse("portal:notification-open", args=[row.pk])).status_code == 404
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_the_notifications_page_lists_mine_and_marks_all_read(client_for, make_user):
    client = client_for("learner")
    a_notification(client.user, 1)
    a_notification(make_user(), 2)
    body = client.get(reverse("portal:notifications")).content.decode()
    assert "Kiểm tra hồ sơ số 1" in body and "Kiểm tra hồ sơ số 2" not in body
    assert "Bạn có 1 thông báo chưa đọc." in body
    client.post(reverse("portal:notifications-read-all"))
    assert not Notification.objects.filter(user=client.user, read_at__isnull=True).exists()


def test_the_beat_schedule_is_in_the_database_for_ops_to_change():
    tasks = dict(PeriodicTask.objects.values_list("task", "interval__every"))
    assert tasks["portal.sweep_deadlines"] == 60
    assert tasks["portal.pick_up_notifications"] == 60
