"""Steps 1–2: the applicant submits BM01 / BM02 or corrects it; the view-once password link."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import crypto
from .. import deadlines as clock
from ..models import (
    AccountRequest,
    Status,
    TemporaryPassword,
)
from ._common import TransitionError, _email_applicant, _event, _move, allocate_references

# --- steps 1–2: the applicant submits BM01 / BM02 -------------------------------------------

REQUEST_FIELDS = (
    "person_kind",
    "request_kind",
    "family_and_middle_names",
    "given_name",
    "date_of_birth",
    "person_id",
    "unit_name",
    "unit_code",
    "student_class",
    "cohort",
    "mobile_phone",
    "contact_email",
    "existing_address",
    "note",
)


def submit_request(
    data: dict, *, idempotency_key=None, created_by=None, now=None, language="vi"
) -> tuple[AccountRequest, bool]:
    """Receive a BM01/BM02 request; the 24-hour clock of step 3 starts (seed 004 step 3).

    A second submit of the same form (double click, back and resubmit) carries the same
    idempotency key and returns the request the first one created: (request, created=False).
    """
    now = now or timezone.now()
    if idempotency_key:
        found = AccountRequest.objects.filter(idempotency_key=idempotency_key).first()
        if found:
            return found, False
    try:
        with transaction.atomic():
            req = AccountRequest(
                **{f: data.get(f) or "" for f in REQUEST_FIELDS if f != "date_of_birth"},
                date_of_birth=data["date_of_birth"],
                reference=allocate_references(1, now)[0],
                idempotency_key=idempotency_key,
                status=Status.SUBMITTED,
                submitted_at=now,
                due_at=now,
                language=language,
                created_by=created_by if created_by and created_by.is_authenticated else None,
            )
            req.search_key = req.compute_search_key()
            req.save(force_insert=True)
            req.due_at = clock.open_for(req, "accounts.review", now)
            req.save(update_fields=["due_at"])
            event = _event(req, "submitted", "", Status.SUBMITTED, created_by, now)
            _email_applicant(req, event)
    except IntegrityError:
        # Two submits of one form at the same instant: the other one won.
        if idempotency_key:
            found = AccountRequest.objects.filter(idempotency_key=idempotency_key).first()
            if found:
                return found, False
        raise
    return req, True


def resubmit_request(token: str, data: dict, *, now=None) -> AccountRequest:
    """The applicant corrects a returned request through the tracking link: a new 24-hour
    clock for step 3 starts (issue 5 §4)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            req = AccountRequest.objects.select_for_update().get(tracking_token=token)
        except AccountRequest.DoesNotExist:
            raise TransitionError(_("This request does not exist.")) from None
        if req.status != Status.REJECTED:
            raise TransitionError(_("Only a request returned for correction can be corrected."))
        changed = []
        for f in REQUEST_FIELDS:
            if f in data and f not in ("person_kind",) and getattr(req, f) != data[f]:
                setattr(req, f, data[f] if data[f] is not None else "")
                changed.append(f)
        req.claimed_by, req.claimed_at = None, None
        _move(
            req,
            Status.SUBMITTED,
            actor=None,
            now=now,
            action="resubmitted",
            note=", ".join(str(AccountRequest._meta.get_field(f).verbose_name) for f in changed),
            fields=[*changed, "claimed_by", "claimed_at"],
        )
    return req


class SecretGone(Exception):
    pass


def reveal_password(token: str, *, id_check: str, now=None) -> tuple[AccountRequest, str]:
    """The view-once link: the applicant proves they hold it and knows the staff/student ID;
    the password is decrypted once and the ciphertext destroyed in the same transaction.
    Five wrong IDs, or the expiry, destroy it too."""
    now = now or timezone.now()
    outcome = None
    with transaction.atomic():
        secret = (
            TemporaryPassword.objects.select_for_update()
            .select_related("request")
            .filter(link_digest=crypto.token_digest(token))
            .first()
        )
        if secret is None or secret.ciphertext is None:
            outcome = "gone"
        elif secret.link_expires_at and secret.link_expires_at <= now:
            secret.ciphertext, secret.destroyed_at = None, now
            secret.save(update_fields=["ciphertext", "destroyed_at"])
            outcome = "gone"
        elif (id_check or "").strip().upper() != secret.request.person_id.strip().upper():
            secret.failed_attempts += 1
            fields = ["failed_attempts"]
            if secret.failed_attempts >= 5:
                secret.ciphertext, secret.destroyed_at = None, now
                fields += ["ciphertext", "destroyed_at"]
            secret.save(update_fields=fields)
            outcome = "wrong"
        else:
            req = secret.request
            password = crypto.decrypt(secret.ciphertext)
            secret.ciphertext, secret.viewed_at, secret.destroyed_at = None, now, now
            secret.save(update_fields=["ciphertext", "viewed_at", "destroyed_at"])
            _event(req, "password_viewed", req.status, req.status, None, now)
    # Raised after the commit: a wrong guess is counted, an expired secret stays destroyed.
    if outcome == "gone":
        raise SecretGone()
    if outcome == "wrong":
        raise TransitionError(_("This is not the ID the request was made with."))
    return req, password
