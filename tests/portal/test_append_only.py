"""Every append-only table refuses UPDATE and DELETE in the database itself, whatever runs them
(raw SQL, the admin, a queryset update that bypasses the models' save()). The issuance log has
the same test in tests/accounts/test_log.py."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import services as accounts
from dialogue.models import Event, Plan
from office import services as office
from office.models import AuditEvent
from portal.appendonly import APPEND_ONLY_TABLES
from portal.models import Notification, NotificationEvent
from portal.notifications import deliver_notification
from tests.accounts.conftest import student_data


@pytest.fixture
def one_row_each(db, make_user):
    admin = make_user(is_superuser=True)
    office.create_unit(actor=admin, parent=None, kind="office", code="o", name="O")
    accounts.submit_request(student_data())  # its event, and its confirmation mail
    deliver_notification(Notification.objects.order_by("pk").first().pk)  # sending → sent
    plan = Plan.objects.create(academic_year="2025-2026", title="Kế hoạch")
    Event.objects.create(plan=plan, action="created", at=timezone.now())
    counts = {
        "dialogue_event": Event.objects.count(),
        "office_auditevent": AuditEvent.objects.count(),
        "portal_notificationevent": NotificationEvent.objects.count(),
    }
    assert all(counts.values()), counts
    return counts


@pytest.mark.parametrize("table", [t for t in APPEND_ONLY_TABLES if "issuance" not in t])
@pytest.mark.parametrize(
    "sql", ["UPDATE {table} SET id = id", "DELETE FROM {table}"], ids=["update", "delete"]
)
def test_the_database_refuses_to_change_an_audit_row(one_row_each, table, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql.format(table=table))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == one_row_each[table]


def test_a_queryset_update_that_skips_save_is_refused_too(one_row_each):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(note="rewritten", at=timezone.now() - dt.timedelta(days=1))
    assert not AuditEvent.objects.filter(note="rewritten").exists()
