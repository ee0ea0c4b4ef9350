"""Steps 1–2: the applicant submits BM01 / BM02 or corrects it; the view-once password link."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import crypto
from .. import deadlines as clock
from ..models import (
    AccountRequest,
    Status,
    TemporaryPassword,
)
from ._common import (
    TransitionError,
    _absolute,
    _email_applicant,
    _event,
    _lock,
    _move,
    _require,
    allocate_references,
    unit_ids,
)

# --- steps 1–2: the applicant submits BM01 / BM02 -------------------------------------------

REQUEST_FIELDS = (
    "person_kind",
    "request_kind",
    "family_and_middle_names",
    "given_name",
    "date_of_birth",
    "person_id",
    "citizen_id",
    "unit_name",
    "unit_code",
    "student_class",
    "cohort",
    "mobile_phone",
    "contact_email",
    "existing_address",
    "note",
)


_SUBMISSION_NS = uuid.UUID("6f0c7a52-2f8e-4d4e-9a43-4c1d0e6b7a10")


def bound_idempotency_key(token, data: dict) -> uuid.UUID:
    """The stored key: the form's one-time token bound to the content it was submitted with.

    A token reused with other content (a shared computer's back button, a copied form, a
    guessed token) gives another key: a new request of its own, never someone else's page.
    """
    content = "\x1f".join(str(data.get(f) or "").strip() for f in REQUEST_FIELDS)
    return uuid.uuid5(_SUBMISSION_NS, f"{token}\x1e{content}")


def submit_request(
    data: dict,
    *,
    idempotency_key=None,
    created_by=None,
    now=None,
    language="vi",
    check_duplicates=True,
) -> tuple[AccountRequest, bool]:
    """Receive a BM01/BM02 request; the 24-hour clock of step 3 starts (seed 004 step 3).

    A second submit of the same form with the same content (double click, back and resubmit)
    carries the same idempotency key and returns the request the first one created:
    (request, created=False). The key is bound to the content (bound_idempotency_key).
    """
    now = now or timezone.now()
    if idempotency_key:
        idempotency_key = bound_idempotency_key(idempotency_key, data)
        found = AccountRequest.objects.filter(idempotency_key=idempotency_key).first()
        if found:
            return found, False
    from ..duplicates import DuplicateRequest, check_not_duplicate

    if check_duplicates:
        try:
            check_not_duplicate(data)  # one person, one open request, one account (issue 12 §1)
        except DuplicateRequest:
            # The same form posted twice at once (a retry of a post whose answer did not come):
            # the other post committed its request after the look-up above. That request is
            # this form's, not a duplicate (the fault harness found it, issue 14).
            if idempotency_key:
                found = AccountRequest.objects.filter(idempotency_key=idempotency_key).first()
                if found:
                    return found, False
            raise
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
            req.unit_id = unit_ids([req.unit_code]).get(req.unit_code)
            req.search_key = req.compute_search_key()
            req.set_tracking_token()
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
    from .automatic import auto_verify_request

    if auto_verify_request(req.pk, now=now):
        req.refresh_from_db()
    return req, True


def remember_language(req: AccountRequest, language: str) -> bool:
    """The applicant switched language on their tracking page: their mail follows the choice
    (issue 13). One UPDATE, only when it changes; returns whether it did."""
    if not language or language == req.language:
        return False
    AccountRequest.objects.filter(pk=req.pk).update(language=language)
    req.language = language
    return True


def tracking_link_expired(req: AccountRequest, now=None) -> bool:
    """A tracking link stops working ACCOUNTS_TRACKING_LINK_DAYS after the request closed."""
    if req.status != Status.NOTIFIED or not req.notified_at:
        return False
    days = settings.ACCOUNTS_TRACKING_LINK_DAYS
    return req.notified_at + timedelta(days=days) <= (now or timezone.now())


def resubmit_request(token: str, data: dict, *, now=None) -> AccountRequest:
    """The applicant corrects a returned request through the tracking link: a new 24-hour
    clock for step 3 starts (issue 5 §4).

    A new contact e-mail is not taken as it is: whoever holds the link could redirect all
    further mail. It waits until confirmed from the old address or by the MTT Office
    (`req.contact_change_pending` tells the caller).
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            req = AccountRequest.objects.select_for_update().get(
                tracking_digest=crypto.token_digest(token or "")
            )
        except AccountRequest.DoesNotExist:
            raise TransitionError(_("This request does not exist.")) from None
        if req.status != Status.REJECTED:
            raise TransitionError(_("Only a request returned for correction can be corrected."))
        new_email = (data.get("contact_email") or "").strip()
        req.contact_change_pending = bool(
            new_email and new_email.lower() != req.contact_email.lower()
        )
        if req.contact_change_pending:
            _ask_for_contact_change(req, new_email, now)
        changed = []
        for f in REQUEST_FIELDS:
            if f == "contact_email":
                continue
            if f in data and f not in ("person_kind",) and getattr(req, f) != data[f]:
                setattr(req, f, data[f] if data[f] is not None else "")
                changed.append(f)
        req.claimed_by, req.claimed_at = None, None
        if {"family_and_middle_names", "given_name"} & set(changed):
            req.proposed_address = ""  # a new name gets a new suggestion when checked
        _move(
            req,
            Status.SUBMITTED,
            actor=None,
            now=now,
            action="resubmitted",
            note=", ".join(str(AccountRequest._meta.get_field(f).verbose_name) for f in changed),
            fields=[*changed, "claimed_by", "claimed_at", "proposed_address"],
        )
    return req


def _ask_for_contact_change(req, new_email: str, now) -> None:
    """Keep the new address aside, and send the old address a link that confirms it."""
    import secrets

    from portal.notifications import notify
    from portal.sealing import Secret

    token = secrets.token_urlsafe(32)
    req.pending_contact_email = new_email
    req.contact_change_digest = crypto.token_digest(token)
    req.contact_change_expires_at = now + timedelta(hours=settings.ACCOUNTS_SECRET_LINK_HOURS)
    req.save(
        update_fields=[
            "pending_contact_email",
            "contact_change_digest",
            "contact_change_expires_at",
            "updated_at",
        ]
    )
    event = _event(
        req,
        "contact_change_requested",
        req.status,
        req.status,
        None,
        now,
        f"{req.contact_email} → {new_email}",
    )
    notify(
        template="accounts/contact_change",
        context={
            "reference": req.reference,
            "full_name": req.full_name,
            "new_email": new_email,
            "hours": settings.ACCOUNTS_SECRET_LINK_HOURS,
            "url": Secret(_absolute(reverse("accounts:contact-confirm", args=[token]))),
        },
        dedupe_key=f"accounts:{req.pk}:contact:{event.pk}",
        email=req.contact_email,
        language=req.language or "vi",
    )


def _apply_contact_change(req, *, actor, now, how: str) -> AccountRequest:
    old, new = req.contact_email, req.pending_contact_email
    req.contact_email = new
    req.pending_contact_email = req.contact_change_digest = ""
    req.contact_change_expires_at = None
    req.search_key = req.compute_search_key()
    req.save(
        update_fields=[
            "contact_email",
            "pending_contact_email",
            "contact_change_digest",
            "contact_change_expires_at",
            "search_key",
            "updated_at",
        ]
    )
    _event(req, "contact_changed", req.status, req.status, actor, now, f"{old} → {new} ({how})")
    return req


def confirm_contact_change(token: str, *, now=None) -> AccountRequest:
    """The old address confirms the new one (the link mailed to it)."""
    now = now or timezone.now()
    with transaction.atomic():
        req = (
            AccountRequest.objects.select_for_update()
            .filter(contact_change_digest=crypto.token_digest(token or ""))
            .exclude(contact_change_digest="")
            .first()
        )
        if req is None or not req.pending_contact_email:
            raise TransitionError(_("This confirmation link is not valid any more."))
        if req.contact_change_expires_at and req.contact_change_expires_at <= now:
            raise TransitionError(_("This confirmation link is not valid any more."))
        return _apply_contact_change(
            req, actor=None, now=now, how=str(_("confirmed from the old address"))
        )


def confirm_contact_change_by_staff(pk, user, *, now=None) -> AccountRequest:
    """The MTT Office confirms a new contact address (e.g. after a phone call)."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if not req.pending_contact_email:
            raise TransitionError(_("No new contact e-mail is waiting for confirmation."))
        return _apply_contact_change(req, actor=user, now=now, how=str(_("confirmed by staff")))


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
