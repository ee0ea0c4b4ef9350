"""Finding 1: a working secret (tracking link, view-once link) is seen by its recipient only.

Before: a committee member opened /ops/outbox/<id>/, read the view-once link of a student's
temporary password and took the account over.
"""

import datetime as dt
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AccountRequest
from portal.models import Notification
from portal.notifications import deliver_notification, pick_up_notifications
from tests.accounts.conftest import student_data

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"/accounts/(?:track|secret)/([A-Za-z0-9_-]{20,})/")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def received(email="an.nguyen@example.com"):
    req, _ = services.submit_request(student_data(contact_email=email))
    return req, Notification.objects.get(email=email, template="accounts/request_received")


def stored_text(row: Notification) -> str:
    row.refresh_from_db()
    return " ".join([row.subject, row.body, row.body_html, row.url, row.secrets])


def test_the_outbox_row_holds_no_working_tracking_link(settings):
    req, row = received()
    assert req.tracking_token not in stored_text(row)
    # …but the mail that reaches the applicant has it, and it works.
    deliver_notification(row.pk)
    from django.core import mail

    (sent,) = mail.outbox
    (token,) = TOKEN.findall(sent.body)
    assert token == req.tracking_token
    assert AccountRequest.objects.get(pk=req.pk).reference in sent.body


def test_once_delivered_the_stored_copy_is_redacted_for_good(mailoutbox):
    req, row = received()
    assert row.secrets  # sealed, encrypted, until delivery
    deliver_notification(row.pk)
    row.refresh_from_db()
    assert row.status == "sent" and row.secrets == ""
    assert req.tracking_token not in stored_text(row)


def test_an_undelivered_secret_is_redacted_once_it_expires(settings):
    settings.OUTBOX_SECRET_HOURS = 72
    _req, row = received()
    pick_up_notifications(now=timezone.now() + dt.timedelta(hours=71), enqueue=False)
    row.refresh_from_db()
    assert row.secrets
    pick_up_notifications(now=timezone.now() + dt.timedelta(hours=73), enqueue=False)
    row.refresh_from_db()
    assert row.secrets == ""


@pytest.mark.parametrize("role", ["dialogue_committee", "mtt_office_head", "mtt_office"])
def test_the_ops_outbox_is_closed_to_every_workflow_role(client_for, role):
    _req, row = received()
    client = client_for(role)
    for name, args in [
        ("portal:ops-outbox", []),
        ("portal:ops-outbox-detail", [row.pk]),
        ("portal:ops-outbox-resend", [row.pk]),
        ("portal:ops-deadlines", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_operations_see_the_message_with_the_links_redacted(client_for):
    req, row = received()
    client = client_for("operations")
    body = client.get(reverse("portal:ops-outbox-detail", args=[row.pk])).content.decode()
    assert req.reference in body
    assert "chỉ người nhận mới thấy" in body  # "[link visible only to the recipient]"
    assert req.tracking_token not in body


def test_a_view_once_password_link_never_reaches_a_page_of_the_outbox(
    client_for, make_user, mailoutbox
):
    req, _row = received()
    from accounts import crypto
    from accounts.models import Status, TemporaryPassword

    AccountRequest.objects.filter(pk=req.pk).update(
        status=Status.RECORDED, issued_address="an.nguyenvan@sis.hust.edu.vn"
    )
    TemporaryPassword.objects.create(request=req, ciphertext=crypto.encrypt("Xy7@secretpw"))
    services.notify_result(req.pk, make_user("mtt_office"))
    row = Notification.objects.get(template="accounts/result")
    deliver_notification(row.pk)
    (link,) = [t for t in TOKEN.findall(mailoutbox[-1].body) if t != req.tracking_token]
    for role in ("operations", "dialogue_committee", "mtt_office_head"):
        client = client_for(role)
        for name in ("portal:ops-outbox", "portal:deliveries"):
            assert link not in client.get(reverse(name)).content.decode()
        page = client.get(reverse("portal:ops-outbox-detail", args=[row.pk]))
        assert link not in page.content.decode()
    assert link not in stored_text(row)


def test_workflow_heads_see_delivery_status_of_their_own_workflow_only(client_for, make_user):
    from portal.notifications import notify

    _req, row = received()
    notify(
        template="dialogue/question_published",
        context={"url": "/dialogue/answers/", "title": "Ký túc xá"},
        dedupe_key="t:dialogue",
        user=make_user(email="learner@example.com"),
    )
    head = client_for("mtt_office_head").get(reverse("portal:deliveries")).content.decode()
    assert row.shown_subject in head
    assert "an.nguyen@example.com" in head
    assert reverse("portal:ops-outbox-detail", args=[row.pk]) not in head  # no body to open
    dialogue_row = Notification.objects.get(dedupe_key="t:dialogue")
    assert dialogue_row.shown_subject not in head
    committee = client_for("dialogue_committee").get(reverse("portal:deliveries"))
    assert dialogue_row.shown_subject in committee.content.decode()
    assert "an.nguyen@example.com" not in committee.content.decode()


def test_roles_that_watch_no_workflow_get_no_delivery_page(client_for):
    assert client_for("learner").get(reverse("portal:deliveries")).status_code == 403


def test_the_admin_shows_no_working_link(client, make_user):
    req, row = received()
    client.force_login(make_user(is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:portal_notification_change", args=[row.pk]))
    assert page.status_code == 200
    assert req.tracking_token not in page.content.decode()
    assert row.secrets not in page.content.decode()


def test_log_lines_carry_no_tracking_token(client, capsys):
    req, _row = received()
    path = f"/accounts/track/{req.tracking_token}x/"  # a wrong link: Django logs "Not Found"
    assert client.get(path).status_code == 404
    (handler,) = [h for h in logging.getLogger("django").handlers if h.name == "console"]
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None
    )
    assert handler.filter(record)
    assert req.tracking_token not in handler.format(record)
    assert "/accounts/track/[redacted]/" in handler.format(record)


def test_the_database_holds_no_working_tracking_token():
    from django.db import connection

    req, _row = received()
    token = req.tracking_token
    assert len(token) >= 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_accountrequest WHERE id = %s", [req.pk])
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert token not in stored
    # …and the link still finds the request.
    assert AccountRequest.objects.get(pk=req.pk).tracking_token == token
