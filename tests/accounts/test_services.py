"""Every transition of MTT.QT06 and who may make it."""

import datetime as dt
import uuid

import pytest
from django.db import connection

from accounts import services
from accounts.models import AccountRequest, RequestEvent, Status, TemporaryPassword
from accounts.services import TransitionError
from portal.deadlines import sweep_deadlines
from portal.models import DeadlineStep, Notification
from portal.notifications import build_email
from tests.accounts.conftest import CHECKED_ON_PAPER

H = dt.timedelta(hours=1)


def open_steps(req):
    return list(DeadlineStep.objects.for_object(req).open().values_list("step_type", flat=True))


def test_a_received_request_gets_a_reference_and_a_24_hour_clock_for_step_3(submit, now):
    req = submit()
    assert req.reference == "TK-2026-000001"
    assert req.status == Status.SUBMITTED
    assert req.due_at == now + 24 * H
    assert open_steps(req) == ["accounts.review"]
    mail = Notification.objects.get()
    assert mail.email == "an.nguyen@example.com"
    # The link reaches the applicant's mail only; the stored row holds it sealed.
    assert req.tracking_token in build_email(mail).body
    assert req.tracking_token not in mail.body


def test_references_count_up_within_a_year(submit):
    assert [submit(person_id=str(20230000 + i)).reference for i in range(3)] == [
        "TK-2026-000001",
        "TK-2026-000002",
        "TK-2026-000003",
    ]


def test_a_double_submit_with_the_same_form_token_creates_one_request(db, now):
    from tests.accounts.conftest import student_data

    key = uuid.uuid4()
    first, created = services.submit_request(student_data(), idempotency_key=key, now=now)
    second, created_again = services.submit_request(student_data(), idempotency_key=key, now=now)
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert AccountRequest.objects.count() == 1


def test_a_form_posted_twice_at_once_is_one_request_not_a_duplicate(db, now, monkeypatch):
    """The retry of a post whose answer never came: the first post commits its request after
    the second looked its key up and before the second checks for duplicates. The second gets
    the first's request, not 'a request exists for this ID' (found by bench/faults.py)."""
    from accounts import duplicates
    from tests.accounts.conftest import student_data

    key = uuid.uuid4()
    check = duplicates.check_not_duplicate
    other_post = []

    def first_post_commits_meanwhile(data):
        if not other_post:
            other_post.append(None)  # the other post runs its own check unhindered
            other_post[0] = services.submit_request(student_data(), idempotency_key=key)[0]
        return check(data)

    monkeypatch.setattr(duplicates, "check_not_duplicate", first_post_commits_meanwhile)
    second, created = services.submit_request(student_data(), idempotency_key=key, now=now)
    assert (second.pk, created) == (other_post[0].pk, False)
    assert AccountRequest.objects.count() == 1
    # Another person's form with the same ID is still refused.
    with pytest.raises(duplicates.DuplicateRequest):
        services.submit_request(student_data(), idempotency_key=uuid.uuid4(), now=now)


def test_claiming_locks_the_request_and_a_second_reviewer_is_told_who_holds_it(
    submit, office, make_user, now
):
    req = submit()
    services.claim_request(req.pk, office, now=now)
    other = make_user("mtt_office", full_name="Vũ Văn Khác")
    with pytest.raises(TransitionError, match="Phạm Thu Hà"):
        services.claim_request(req.pk, other, now=now)
    with pytest.raises(TransitionError, match="Phạm Thu Hà"):
        services.verify_request(req.pk, other, now=now)
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW and req.claimed_by == office


def test_the_claim_is_one_conditional_update(submit, office, make_user, now):
    req = submit()
    # The second reviewer's UPDATE finds no unclaimed row: only one can win.
    assert AccountRequest.objects.filter(pk=req.pk, claimed_by=None).update(claimed_by=office)
    assert not AccountRequest.objects.filter(pk=req.pk, claimed_by=None).update(
        claimed_by=make_user()
    )


def test_verify_forwards_to_the_technicians_on_a_new_24_hour_clock(submit, office, now):
    req = submit()
    services.verify_request(req.pk, office, now=now + 3 * H, reason=CHECKED_ON_PAPER)
    req.refresh_from_db()
    assert req.status == Status.VERIFIED
    assert req.due_at == now + 27 * H
    assert open_steps(req) == ["accounts.issue"]


def test_reject_needs_a_reason_which_is_emailed_to_the_applicant(submit, office, now):
    req = submit()
    with pytest.raises(TransitionError):
        services.reject_request(req.pk, office, "  ", now=now)
    services.reject_request(req.pk, office, "Ngày sinh không khớp.", now=now)
    req.refresh_from_db()
    assert req.status == Status.REJECTED
    assert open_steps(req) == []
    mail = Notification.objects.filter(template="accounts/request_rejected").get()
    assert "Ngày sinh không khớp." in mail.body


def test_a_resubmission_starts_a_new_24_hour_clock(submit, office, now):
    req = submit()
    services.reject_request(req.pk, office, "Sai ngày sinh", now=now)
    later = now + 30 * H
    services.resubmit_request(
        req.tracking_token, {"date_of_birth": dt.date(2005, 3, 16)}, now=later
    )
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED
    assert req.due_at == later + 24 * H
    assert req.claimed_by is None
    assert req.date_of_birth == dt.date(2005, 3, 16)
    assert RequestEvent.objects.filter(request=req, action="resubmitted").exists()


def test_only_a_returned_request_can_be_corrected(submit, now):
    req = submit()
    with pytest.raises(TransitionError):
        services.resubmit_request(req.tracking_token, {}, now=now)


def test_issuing_stores_the_temporary_password_encrypted(issued):
    req = issued()
    secret = TemporaryPassword.objects.get(request=req)
    assert b"Temp-Pass-12345" not in bytes(secret.ciphertext)
    assert req.status == Status.ISSUED
    assert open_steps(req) == ["accounts.record"]


def test_the_password_is_never_in_an_email_an_event_or_the_log(issued, manager, office, now):
    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office, now=now)
    assert not Notification.objects.filter(body__contains="Temp-Pass-12345").exists()
    assert not RequestEvent.objects.filter(note__contains="Temp-Pass-12345").exists()
    assert "Temp-Pass-12345" not in str(list(req.log_entries.values()))


def test_the_technician_may_not_issue_an_address_already_issued(
    issued, submit, office, technician, now
):
    issued()
    twin = submit(person_id="20239999")
    services.verify_request(twin.pk, office, now=now, reason=CHECKED_ON_PAPER)
    with pytest.raises(TransitionError, match="đã được cấp"):
        services.issue_account(twin.pk, technician, address="an.nguyenvan@sis.hust.edu.vn", now=now)
    assert services.suggested_address(twin) == "an.nguyenvan2@sis.hust.edu.vn"


@pytest.mark.parametrize(
    "address", ["postmaster@sis.hust.edu.vn", "an.nguyenvan@gmail.com", "An Nguyen@sis.hust.edu.vn"]
)
def test_the_technician_may_not_issue_a_reserved_or_malformed_address(
    submit, office, technician, now, address
):
    req = submit()
    services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
    with pytest.raises(TransitionError):
        services.issue_account(req.pk, technician, address=address, now=now)


def test_a_reset_keeps_the_existing_address(submit, office, technician, now):
    req = submit(request_kind="password_reset", existing_address="an.nguyenvan@sis.hust.edu.vn")
    services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
    assert services.suggested_address(req) == "an.nguyenvan@sis.hust.edu.vn"
    req = services.issue_account(
        req.pk, technician, address="an.nguyenvan@sis.hust.edu.vn", now=now
    )
    assert req.issued_address == "an.nguyenvan@sis.hust.edu.vn"


def test_record_then_notify_closes_every_step(issued, manager, office, now):
    req = issued()
    entry = services.record_issuance(req.pk, manager, now=now + H)
    assert entry.address == req.issued_address and entry.action == "new_account"
    services.notify_result(req.pk, office, now=now + 2 * H)
    req.refresh_from_db()
    assert req.status == Status.NOTIFIED
    assert open_steps(req) == []
    result = Notification.objects.get(template="accounts/result")
    assert "/accounts/secret/" in build_email(result).body
    assert "/accounts/secret/" not in result.body


@pytest.mark.parametrize(
    ("role", "action"),
    [
        ("applicant", "verify"),
        ("mtt_technician", "verify"),
        ("mtt_account_manager", "verify"),
        ("mtt_office_head", "verify"),
        ("mtt_office", "issue"),
        ("applicant", "issue"),
        ("mtt_office", "record"),
        ("mtt_technician", "record"),
        ("mtt_technician", "notify"),
        ("mtt_account_manager", "notify"),
    ],
)
def test_each_step_belongs_to_its_role(
    submit, office, technician, manager, make_user, now, role, action
):
    req = submit()
    stranger = make_user(role)
    if action == "verify":
        call = lambda: services.verify_request(req.pk, stranger, now=now)  # noqa: E731
    else:
        services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
        if action == "issue":
            call = lambda: services.issue_account(  # noqa: E731
                req.pk, stranger, address="an.nguyenvan@sis.hust.edu.vn", now=now
            )
        else:
            services.issue_account(
                req.pk, technician, address="an.nguyenvan@sis.hust.edu.vn", now=now
            )
            if action == "record":
                call = lambda: services.record_issuance(req.pk, stranger, now=now)  # noqa: E731
            else:
                services.record_issuance(req.pk, manager, now=now)
                call = lambda: services.notify_result(req.pk, stranger, now=now)  # noqa: E731
    before = AccountRequest.objects.get(pk=req.pk).status
    with pytest.raises(TransitionError, match="Vai trò"):
        call()
    assert AccountRequest.objects.get(pk=req.pk).status == before


def test_steps_cannot_be_skipped(submit, technician, manager, office, now):
    req = submit()
    with pytest.raises(TransitionError):
        services.issue_account(req.pk, technician, address="an.nguyenvan@sis.hust.edu.vn", now=now)
    with pytest.raises(TransitionError):
        services.record_issuance(req.pk, manager, now=now)
    with pytest.raises(TransitionError):
        services.notify_result(req.pk, office, now=now)


def test_every_change_of_status_is_emailed_to_the_applicant(issued, manager, office, now):
    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office, now=now)
    statuses = list(
        RequestEvent.objects.filter(request=req)
        .exclude(to_status="")
        .values_list("to_status", flat=True)
    )
    mails = Notification.objects.filter(email=req.contact_email).count()
    assert mails == len(statuses) == 5  # received, verified, issued, recorded, notified


def test_the_sweep_reminds_the_holder_and_escalates_to_the_head_at_the_breach(
    submit, office, head, now
):
    req = submit()
    services.claim_request(req.pk, office, now=now)
    sweep_deadlines(now + 19 * H)
    reminder = Notification.objects.get(template="portal/deadline_reminder")
    assert reminder.user == office
    sweep_deadlines(now + 24 * H + dt.timedelta(minutes=1))
    escalation = Notification.objects.get(template="portal/deadline_escalation")
    assert escalation.user == head
    sweep_deadlines(now + 30 * H)  # a second sweep sends nothing new
    assert Notification.objects.filter(template__startswith="portal/deadline").count() == 2


def test_an_escalation_reaches_the_head_whatever_role_held_the_step(submit, office, head, now):
    req = submit()
    services.verify_request(
        req.pk, office, now=now, reason=CHECKED_ON_PAPER
    )  # now with the technicians
    sweep_deadlines(now + 25 * H)
    assert Notification.objects.get(template="portal/deadline_escalation").user == head


def test_bulk_verify_forwards_only_exact_registry_matches(submit, registry_student, office, now):
    registry_student()
    registry_student(person_id="20230002", given_name="Bình")
    exact = submit()
    wrong = submit(person_id="20230002", given_name="Bính")
    unknown = submit(person_id="20239998")
    assert services.bulk_verify_matching(office, now=now) == 1
    statuses = dict(AccountRequest.objects.values_list("pk", "status"))
    assert statuses[exact.pk] == Status.VERIFIED
    assert statuses[wrong.pk] == statuses[unknown.pk] == Status.SUBMITTED


def test_the_mail_system_export_is_audited_and_carries_the_passwords(
    submit, office, technician, now
):
    from accounts.models import MailSystemExport

    a, b = submit(), submit(person_id="20230002")  # two namesakes
    for r in (a, b):
        services.verify_request(r.pk, office, now=now, reason=CHECKED_ON_PAPER)
    export, rows = services.export_for_mail_system([a.pk, b.pk], technician, now=now)
    addresses = [address for _r, address, _p in rows]
    assert addresses == ["an.nguyenvan@sis.hust.edu.vn", "an.nguyenvan2@sis.hust.edu.vn"]
    assert MailSystemExport.objects.get().references == [a.reference, b.reference]
    assert RequestEvent.objects.filter(action="exported").count() == 2
    assert not RequestEvent.objects.filter(note__contains=rows[0][2]).exists()
    req = services.issue_account(b.pk, technician, address=addresses[1], now=now)
    assert req.issued_address == addresses[1]


def test_reveal_shows_the_password_once_then_it_is_gone(issued, manager, office, now):
    import re

    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office, now=now)
    body = build_email(Notification.objects.get(template="accounts/result")).body
    token = re.search(r"/accounts/secret/([^/]+)/", body).group(1)
    with pytest.raises(TransitionError):
        services.reveal_password(token, id_check="00000000", now=now)
    _req, password = services.reveal_password(token, id_check="20231234", now=now)
    assert password == "Temp-Pass-12345"
    with pytest.raises(services.SecretGone):
        services.reveal_password(token, id_check="20231234", now=now)
    assert TemporaryPassword.objects.get(request=req).ciphertext is None


def test_an_expired_link_destroys_the_password(issued, manager, office, now, settings):
    import re

    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office, now=now)
    token = re.search(
        r"/accounts/secret/([^/]+)/",
        build_email(Notification.objects.get(template="accounts/result")).body,
    ).group(1)
    with pytest.raises(services.SecretGone):
        services.reveal_password(token, id_check="20231234", now=now + 73 * H)
    assert TemporaryPassword.objects.get(request=req).ciphertext is None


def test_the_database_holds_only_the_links_digest(issued, manager, office, now):
    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office, now=now)
    secret = TemporaryPassword.objects.get(request=req)
    body = build_email(Notification.objects.get(template="accounts/result")).body
    assert secret.link_digest not in body
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM accounts_temporarypassword")
        (cipher,) = cursor.fetchone()
    assert b"Temp-Pass" not in bytes(cipher)
