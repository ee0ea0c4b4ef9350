"""Every append-only table refuses UPDATE and DELETE in the database itself, whatever runs them
(raw SQL, the admin, a queryset update that bypasses the models' save()). The issuance log has
the same test in tests/accounts/test_log.py."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import services as accounts
from accounts.models import RequestEvent
from dialogue.models import Event, Plan
from office import services as office
from office.models import AuditEvent
from portal.appendonly import APPEND_ONLY_TABLES, ERASABLE
from portal.models import Consent, Notification, NotificationEvent, PrivacyLogEntry
from portal.notifications import deliver_notification
from portal.privacy import apply_retention, record_consent
from tests.accounts.conftest import student_data


@pytest.fixture
def one_row_each(db, make_user):
    admin = make_user(is_superuser=True)
    office.create_unit(actor=admin, parent=None, kind="office", code="o", name="O")
    req, _created = accounts.submit_request(student_data())  # its event, its confirmation mail
    record_consent(req, form="BM02", language="vi")
    apply_retention()  # the personal-data log's row (nothing old enough to anonymise)
    deliver_notification(Notification.objects.order_by("pk").first().pk)  # sending → sent
    plan = Plan.objects.create(academic_year="2025-2026", title="Kế hoạch")
    Event.objects.create(plan=plan, action="created", at=timezone.now())
    counts = {
        "accounts_requestevent": RequestEvent.objects.count(),
        "dialogue_event": Event.objects.count(),
        "office_auditevent": AuditEvent.objects.count(),
        "portal_consent": Consent.objects.count(),
        "portal_notificationevent": NotificationEvent.objects.count(),
        "portal_privacylogentry": PrivacyLogEntry.objects.count(),
    }
    assert all(counts.values()), counts
    assert set(counts) == {t for t in APPEND_ONLY_TABLES if "issuance" not in t}
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


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_requestevent SET note = 'rewritten'",
        "UPDATE accounts_requestevent SET action = 'rejected'",
        "UPDATE accounts_requestevent SET note = '', to_status = 'rejected'",
        'UPDATE accounts_requestevent SET details = \'{"differed": ["person_id"]}\'',
        "DELETE FROM accounts_requestevent",
    ],
    ids=["new-note", "other-column", "erasure-and-more", "details", "delete"],
)
def test_a_request_event_refuses_every_change_but_the_erasure_of_its_note(one_row_each, sql):
    event = RequestEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        RequestEvent.objects.filter(pk=event.pk).update(note="Lý do có tên người")
    before = RequestEvent.objects.values().get()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert RequestEvent.objects.values().get() == before


def test_the_retention_may_empty_a_request_events_note_and_nothing_else(db):
    assert ERASABLE == {"accounts_requestevent": ["note"]}
    req, _created = accounts.submit_request(student_data())
    # An event written with a note (one INSERT: there is no other way to give it one now).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_requestevent (request_id, action, from_status, to_status, at, "
            "note, details) SELECT request_id, 'rejected', 'submitted', 'rejected', at, "
            "'Sai mã số sinh viên 20231234', '{}' FROM accounts_requestevent"
        )
    event = RequestEvent.objects.get(action="rejected")
    before = RequestEvent.objects.values().get(pk=event.pk)

    assert RequestEvent.objects.filter(pk=event.pk).update(note="") == 1

    assert RequestEvent.objects.values().get(pk=event.pk) == {**before, "note": ""}
    assert RequestEvent.objects.count() == 2
