"""notify(): one outbox row per notification, rendered at once, delivered after commit."""

import pytest
from django.db import transaction

from portal.models import Channel, Notification, NotificationStatus
from portal.notifications import notify

pytestmark = pytest.mark.django_db


def _notify(**kwargs):
    defaults = {
        "template": "portal/deadline_reminder",
        "context": {
            "step_label": "Check the registration (step 3)",
            "object": "Request #42 & more",
            "due_at": None,
            "started_at": None,
            "recipient": "Phạm Thu Hà",
        },
        "dedupe_key": "test:42:reminder",
    }
    return notify(**{**defaults, **kwargs})


def test_a_notification_is_rendered_in_the_recipients_language(make_user):
    user = make_user(language="en", email="ha@example.edu.vn")
    row = _notify(user=user)
    assert row.channel == Channel.EMAIL
    assert row.email == "ha@example.edu.vn"
    assert row.status == NotificationStatus.QUEUED
    assert row.subject.startswith("Reminder:")
    assert "Dear Phạm Thu Hà," in row.body
    assert "Request #42 & more" in row.body  # plain text is not HTML-escaped


def test_a_vietnamese_recipient_gets_vietnamese_text(make_user, settings):
    row = _notify(user=make_user(language="vi"))
    assert row.language == "vi"


def test_the_same_dedupe_key_never_creates_a_second_row(make_user):
    user = make_user()
    first = _notify(user=user)
    second = _notify(user=user, context={"recipient": "someone else"})
    assert second.pk == first.pk
    assert Notification.objects.count() == 1


def test_a_public_applicant_is_notified_by_address_alone():
    row = _notify(email="student@example.com")
    assert row.user is None
    assert row.email == "student@example.com"


def test_a_user_without_an_address_sees_it_in_the_portal_only(make_user):
    row = _notify(user=make_user(email=""))
    assert row.channel == Channel.PORTAL
    assert row.status == NotificationStatus.SENT


def test_delivery_is_queued_only_when_the_transaction_commits(
    make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        _notify(user=make_user())
    assert len(callbacks) == 1


def test_nothing_is_queued_when_the_state_change_rolls_back(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(user=user)
        raise RuntimeError("the service failed")
    assert callbacks == []
    assert not Notification.objects.exists()


def test_a_notification_needs_a_recipient():
    with pytest.raises(ValueError):
        _notify()
