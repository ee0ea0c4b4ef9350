"""Outbox delivery: claimed before sending, retried with back-off, never lost, never doubled."""

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, NotificationStatus
from portal.notifications import (
    deliver_notification,
    enqueue_deliveries,
    enqueue_delivery,
    new_notification,
    notify,
    pick_up_notifications,
    render_message,
    retry_delay,
    write_notifications,
)
from portal.tasks import deliver_notification_task, deliver_notifications_task

ROOT = Path(__file__).resolve().parents[2]
Status = NotificationStatus


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_notification(user=None, key="test:1:received", email=""):
    return notify(
        template="portal/deadline_reminder",
        context={
            "step_label": "Check the registration (step 3)",
            "object": "Request #1",
            "due_at": timezone.now(),
            "started_at": timezone.now(),
            "recipient": "Phạm Thu Hà",
        },
        dedupe_key=key,
        user=user,
        email=email,
    )


@pytest.fixture
def smtp_down(settings):
    """An SMTP server that does not answer: nothing listens on the port."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60


@pytest.mark.django_db
def test_a_queued_notification_is_sent_once_even_if_its_task_runs_twice(make_user):
    row = make_notification(make_user(email="ha@example.edu.vn"))
    deliver_notification_task(row.pk)
    deliver_notification_task(row.pk)  # the broker redelivered it
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ha@example.edu.vn"]
    assert mail.outbox[0].extra_headers["X-Portal-Notification"] == "test:1:received"
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at


@pytest.mark.django_db
def test_failing_smtp_is_retried_with_back_off_then_marked_failed(smtp_down, make_user):
    row = make_notification(make_user(email="ha@example.edu.vn"))
    now = timezone.now()
    assert deliver_notification(row.pk, now=now) == now + dt.timedelta(seconds=60)
    row.refresh_from_db()
    assert row.status == Status.QUEUED and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    # Not before the back-off has passed.
    assert deliver_notification(row.pk, now=now + dt.timedelta(seconds=59)) is None
    assert Notification.objects.get(pk=row.pk).attempts == 1
    second = now + dt.timedelta(seconds=60)
    assert deliver_notification(row.pk, now=second) == second + dt.timedelta(seconds=120)
    third = second + dt.timedelta(seconds=120)
    assert deliver_notification(row.pk, now=third) is None  # the last attempt
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 3
    assert list(row.events.values_list("to_status", flat=True)) == ["queued", "queued", "failed"]
    assert deliver_notification(row.pk, now=third + dt.timedelta(days=1)) is None
    assert Notification.objects.get(pk=row.pk).attempts == 3


def test_the_back_off_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 600
    assert [retry_delay(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


@pytest.mark.django_db
def test_a_failed_mail_is_visible_on_the_ops_page_and_can_be_resent(
    smtp_down, make_user, client_for
):
    row = make_notification(make_user(email="ha@example.edu.vn"))
    now = timezone.now()
    for minutes in (0, 1, 3):
        deliver_notification(row.pk, now=now + dt.timedelta(minutes=minutes))
    client = client_for("operations")
    page = client.get(reverse("portal:ops-outbox"), {"status": "failed"}).content.decode()
    assert row.subject in page
    assert "ConnectionRefusedError" in page
    assert "Thất bại" in page
    response = client.post(reverse("portal:ops-outbox-resend", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Status.QUEUED and row.attempts == 0
    assert row.events.last().actor == client.user


@pytest.mark.django_db
def test_only_a_failed_notification_can_be_resent(make_user, client_for):
    row = make_notification(make_user(email="ha@example.edu.vn"))
    deliver_notification(row.pk)
    client = client_for("operations")
    response = client.post(reverse("portal:ops-outbox-resend", args=[row.pk]), follow=True)
    assert "Chỉ thông báo gửi thất bại" in response.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_delivery_stuck_in_sending_past_the_lease_is_tried_again(make_user, settings):
    settings.OUTBOX_LEASE_SECONDS = 300
    row = make_notification(make_user(email="ha@example.edu.vn"))
    started = timezone.now()
    # A worker claimed it and died before sending.
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, sending_since=started, attempts=1
    )
    assert pick_up_notifications(now=started + dt.timedelta(seconds=299))["recovered"] == 0
    assert Notification.objects.get(pk=row.pk).status == Status.SENDING
    later = started + dt.timedelta(seconds=400)
    assert pick_up_notifications(now=later, enqueue=False)["recovered"] == 1
    deliver_notification(row.pk, now=later)
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_pick_up_queues_rows_the_broker_missed_and_leaves_fresh_ones(make_user, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "portal.notifications.enqueue_delivery", lambda pk: queued.append(pk) or True
    )
    old = make_notification(make_user(email="a@example.edu.vn"), key="test:old")
    fresh = make_notification(make_user(email="b@example.edu.vn"), key="test:fresh")
    now = timezone.now()
    Notification.objects.filter(pk=old.pk).update(next_attempt_at=now - dt.timedelta(minutes=5))
    pick_up_notifications(now=now)
    assert queued == [old.pk]
    assert fresh.pk not in queued


@pytest.mark.django_db
def test_accepting_never_fails_when_the_broker_is_unreachable(make_user, settings):
    from portal.celery import app

    with celery_broker(app, f"redis://127.0.0.1:{free_port()}/0"):
        row = make_notification(make_user(email="ha@example.edu.vn"))
        started = time.monotonic()
        assert enqueue_delivery(row.pk) is False
        assert time.monotonic() - started < 5
    assert Notification.objects.get(pk=row.pk).status == Status.QUEUED


@contextmanager
def celery_broker(app, url):
    """Point the project's Celery app at another broker for the duration."""
    old = app.conf.broker_url

    def reset():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = old


class PrivateRedis:
    """A redis-server of the test's own on a spare port, which the test stops and starts."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_is_stored_and_delivered_when_it_returns(
    make_user, tmp_path
):
    from portal.celery import app

    redis = PrivateRedis(tmp_path)
    redis.start()
    worker = None
    try:
        with celery_broker(app, redis.url):
            redis.stop()
            # The request is accepted while the broker is down.
            with transaction.atomic():
                row = make_notification(make_user(email="applicant@example.com"))
            assert Notification.objects.get(pk=row.pk).status == Status.QUEUED

            redis.start()
            # The beat task's pick-up, a minute later, queues what the broker missed.
            result = pick_up_notifications(now=timezone.now() + dt.timedelta(minutes=2))
            assert result["queued"] == 1

            db = connection.settings_dict
            env = {
                **os.environ,
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                "CELERY_BROKER_URL": redis.url,
                "REDIS_URL": redis.url,
                "VAR_DIR": str(tmp_path / "var"),
                "EMAIL_URL": "",
            }
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if Notification.objects.get(pk=row.pk).status == Status.SENT:
                    break
                time.sleep(0.3)
        row.refresh_from_db()
        assert row.status == Status.SENT
        assert row.attempts == 1
        mails = list((tmp_path / "var" / "mail").glob("*.log"))
        assert len(mails) == 1
        assert "applicant@example.com" in mails[0].read_text()
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=20)
        redis.stop()


# --- A sweep's batch: one task delivers a list of rows --------------------------------------


def a_batch(make_user, n=3):
    users = [make_user(email=f"clerk{i}@example.edu.vn") for i in range(n)]
    return write_notifications(
        [
            new_notification(
                template="portal/deadline_reminder",
                dedupe_key=f"deadline:{i}:reminder:{user.pk}",
                rendered=render_message(
                    "portal/deadline_reminder",
                    {"step_label": "Kiểm tra", "object": f"#{i}", "recipient": str(user)},
                    "vi",
                ),
                user=user,
            )
            for i, user in enumerate(users)
        ]
    )


@pytest.mark.django_db
def test_a_batch_task_delivered_twice_sends_each_mail_once(make_user):
    rows = a_batch(make_user)
    ids = [row.pk for row in rows]
    deliver_notifications_task(ids)
    deliver_notifications_task(ids)  # the broker redelivered it
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.email for row in rows)
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_batch_task_skips_a_row_the_pick_up_already_delivered(make_user):
    rows = a_batch(make_user)
    deliver_notification(rows[1].pk)  # queued again by the pick-up and sent meanwhile
    deliver_notifications_task([row.pk for row in rows])
    assert len(mail.outbox) == 3
    assert Notification.objects.get(pk=rows[1].pk).attempts == 1


@pytest.mark.django_db
def test_with_the_broker_down_a_batch_stays_queued_for_the_pick_up(make_user, monkeypatch):
    from portal.celery import app

    with celery_broker(app, f"redis://127.0.0.1:{free_port()}/0"):
        rows = a_batch(make_user)
        started = time.monotonic()
        assert enqueue_deliveries([row.pk for row in rows]) is False
        assert time.monotonic() - started < 5
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.QUEUED}
    queued = []
    monkeypatch.setattr(
        "portal.notifications.enqueue_delivery", lambda pk: queued.append(pk) or True
    )
    pick_up_notifications(now=timezone.now() + dt.timedelta(minutes=2))
    assert sorted(queued) == sorted(row.pk for row in rows)
