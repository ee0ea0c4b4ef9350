"""Issue 20, fault 2: a database blip after SMTP accepted a mail does not send it twice.

A real SMTP server (aiosmtpd) records what it accepts. Right before the worker records the mail
as sent, PostgreSQL drops the worker's connection (pg_terminate_backend from a second
connection), as a restart does. The worker retries the record with back-off instead of leaving
the row "sending" for the lease to send it again.
"""

import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from portal.models import NotificationStatus
from portal.notifications import deliver_notification, notify, pick_up_notifications
from tests.servers import SmtpSink

Status = NotificationStatus


@pytest.fixture
def sink(settings):
    with SmtpSink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.OUTBOX_RECORD_RETRY_BASE_SECONDS = 0.05
        yield server


class DropConnectionBeforeRecording:
    """Kill this connection on the server, for the first `times` attempts to mark a row sent."""

    def __init__(self, times):
        self.times = times
        self.dropped = 0

    def __call__(self, execute, sql, params, many, context):
        marks_sent = sql.startswith('UPDATE "portal_notification"') and Status.SENT in (
            params or ()
        )
        if marks_sent and self.dropped < self.times:
            self.dropped += 1
            pid = connection.connection.info.backend_pid
            other = connection.copy()
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                other.close()
        return execute(sql, params, many, context)


def queued_mail(make_user):
    return notify(
        template="portal/deadline_reminder",
        context={
            "step_label": "Check the registration (step 3)",
            "object": "Request #1",
            "due_at": timezone.now(),
            "started_at": timezone.now(),
            "recipient": "Phạm Thu Hà",
        },
        dedupe_key="blip:1",
        user=make_user(email="ha@example.edu.vn"),
    )


@pytest.mark.django_db(transaction=True)
def test_a_mail_accepted_during_a_database_blip_is_recorded_and_sent_once(sink, make_user):
    row = queued_mail(make_user)
    blip = DropConnectionBeforeRecording(times=3)
    with connection.execute_wrapper(blip):
        assert deliver_notification(row.pk) is None
    assert blip.dropped == 3  # the database really went away three times
    assert len(sink.messages) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at

    # Long after the lease, the pick-up and a redelivered task find nothing to send again.
    later = timezone.now() + dt.timedelta(hours=1)
    assert pick_up_notifications(now=later, enqueue=False)["recovered"] == 0
    deliver_notification(row.pk, now=later)
    assert len(sink.messages) == 1
    assert sink.messages[0]["Message-ID"] == f"<notification-{row.pk}@localhost>"


@pytest.mark.django_db(transaction=True)
def test_an_outage_longer_than_the_retry_window_leaves_the_row_to_the_lease(
    sink, make_user, settings
):
    settings.OUTBOX_RECORD_RETRY_SECONDS = 0.2
    row = queued_mail(make_user)
    with (
        connection.execute_wrapper(DropConnectionBeforeRecording(times=100)),
        pytest.raises(OperationalError),
    ):
        deliver_notification(row.pk)
    assert len(sink.messages) == 1
    row.refresh_from_db()
    # Not lost: the lease hands it back, and it goes out again (the documented window).
    assert row.status == Status.SENDING
    later = timezone.now() + dt.timedelta(hours=1)
    assert pick_up_notifications(now=later, enqueue=False)["recovered"] == 1
    deliver_notification(row.pk, now=later)
    assert len(sink.messages) == 2
    row.refresh_from_db()
    assert row.status == Status.SENT
