"""/readyz for the orchestrator, /metrics for Prometheus (token or the operations role)."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal.deadlines import open_step, register_step_type
from portal.health import record_sweep
from portal.notifications import notify
from tests.servers import database_down


def queued_mail(user, key):
    return notify(
        template="portal/deadline_reminder",
        context={
            "step_label": "Check",
            "object": "Request #1",
            "due_at": timezone.now(),
            "started_at": timezone.now(),
            "recipient": "Hà",
        },
        dedupe_key=key,
        user=user,
    )


def metric(text, name, labels=""):
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


@pytest.mark.django_db
def test_readyz_reports_database_broker_beat_and_the_oldest_undelivered_mail(client, make_user):
    every = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="t", task="portal.sweep_deadlines", interval=every, last_run_at=timezone.now()
    )
    row = queued_mail(make_user(email="ha@example.edu.vn"), "ready:1")
    type(row).objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(minutes=20))
    body = json.loads(client.get("/readyz").content)
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok"}
    assert 0 <= body["beat_last_tick_age_seconds"] < 60
    assert 1190 < body["oldest_undelivered_age_seconds"] < 1300
    assert body["warnings"] == ["outbox"]  # older than the 15 minutes allowed


@pytest.mark.django_db
def test_readyz_warns_when_beat_never_ticked(client):
    body = json.loads(client.get("/readyz").content)
    assert body["beat_last_tick_age_seconds"] is None
    assert body["oldest_undelivered_age_seconds"] is None
    assert body["warnings"] == ["beat"]


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_503_naming_the_database_while_it_is_down(client):
    with database_down():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["database"]
    assert client.get("/readyz").status_code == 200  # recovered by itself


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, "applicant", "mtt_office", "learner"])
def test_metrics_are_refused_without_the_token_or_the_operations_role(client, make_user, role):
    if role:
        client.force_login(make_user(role))
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


@pytest.mark.django_db
def test_metrics_show_responses_backlog_overdue_steps_and_the_sweep(client, make_user, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    register_step_type("test.metrics", label="Check", hours=1)
    user = make_user(email="ha@example.edu.vn")
    queued_mail(user, "metrics:1")
    queued_mail(user, "metrics:2")
    past = timezone.now() - dt.timedelta(hours=3)
    open_step(user, "test.metrics", start=past, holder_role="mtt_office")
    record_sweep(0.042, timezone.now())
    client.get("/no-such-page/")

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert metric(text, "portal_outbox_notifications", '{status="queued"}') == 2
    assert metric(text, "portal_deadline_steps_overdue") == 1
    assert metric(text, "portal_sweep_duration_seconds") == 0.042
    assert metric(text, "portal_http_responses_total", '{method="GET",status="404"}') >= 1


@pytest.mark.django_db
def test_the_operations_role_reads_the_metrics_signed_in(client, make_user):
    client.force_login(make_user("operations"))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "portal_outbox_notifications" in response.content.decode()
