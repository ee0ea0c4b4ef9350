"""Steps 3 and 5b, the MTT Office: claim, verify against the registry, reject, notify the result."""

from django.conf import settings
from django.db import transaction
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
from ._common import TransitionError, _absolute, _email_applicant, _event, _lock, _move, _require

# --- step 3: the MTT Office checks against the registry -------------------------------------


def claim_request(pk, user, *, now=None) -> AccountRequest:
    """Take a request from the queue. One conditional UPDATE: of two reviewers, one wins."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        won = AccountRequest.objects.filter(pk=pk, status=Status.SUBMITTED, claimed_by=None).update(
            claimed_by=user, claimed_at=now
        )
        req = _lock(pk)
        if not won:
            if req.claimed_by_id and req.claimed_by_id != user.pk:
                raise TransitionError(
                    _("%(name)s is already checking this request.")
                    % {"name": req.claimed_by.display_name}
                )
            if req.claimed_by_id == user.pk:
                return req
            raise TransitionError(_("This request is not waiting to be checked."))
        _move(req, Status.IN_REVIEW, actor=user, now=now, action="claimed", holder_user=user)
    return req


def release_request(pk, user, *, now=None) -> AccountRequest:
    """Give a claimed request back to the queue (the reviewer is away, or claimed by mistake)."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.IN_REVIEW:
            raise TransitionError(_("This request is not being checked."))
        if req.claimed_by_id != user.pk and not user.is_superuser:
            raise TransitionError(_("Only the person checking it can hand it back."))
        req.claimed_by, req.claimed_at = None, None
        clock.open_for(req, "accounts.review", now)  # the holder becomes the role again
        _move(
            req,
            Status.SUBMITTED,
            actor=user,
            now=now,
            action="released",
            fields=["claimed_by", "claimed_at"],
        )
    return req


def _check_reviewer(req, user):
    if req.status in (Status.SUBMITTED, Status.DRAFT) and req.claimed_by_id is None:
        return  # acting straight from the queue claims it on the way (a draft is returned only)
    if req.status != Status.IN_REVIEW:
        raise TransitionError(_("This request is not waiting to be checked."))
    if req.claimed_by_id != user.pk:
        raise TransitionError(
            _("%(name)s is already checking this request.")
            % {"name": req.claimed_by.display_name if req.claimed_by else "?"}
        )


def verify_request(pk, user, *, note="", reason="", now=None) -> AccountRequest:
    """Correct against the registry: forward to the technical section (step 4 clock starts).

    The history says what was compared (issue 12 §3): which fields matched and which differed;
    a request that differs, or is not in the registry, is forwarded only with a typed reason.
    """
    from ..selectors import compare, registry_record_for
    from .technician import reserve_address

    _require(user, "mtt_office")
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        req = _lock(pk)
        _check_reviewer(req, user)
        if req.status == Status.DRAFT:
            raise TransitionError(_("Confirm the request received by e-mail first."))
        comparison = compare(req, registry_record_for(req))
        if comparison.record is None:
            action = "verified_not_in_registry"
        elif not comparison.exact:
            action = "verified_differences"
        else:
            action = "verified"
        if action != "verified" and not reason:
            raise TransitionError(
                _("The request does not match the registry: type why you accept it.")
            )
        req.claimed_by, req.claimed_at = user, req.claimed_at or now
        _move(
            req,
            Status.VERIFIED,
            actor=user,
            now=now,
            action=action,
            note=reason or note,
            details=comparison.summary(),
            fields=["claimed_by", "claimed_at"],
        )
        reserve_address(req)  # the suggestion is held for this request (issue 12 §2)
    return req


def reject_request(pk, user, reason: str, *, now=None) -> AccountRequest:
    """Wrong against the registry: the reason is e-mailed; the applicant corrects the request."""
    _require(user, "mtt_office")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Give the reason: the applicant reads it to correct the request."))
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        _check_reviewer(req, user)
        req.reject_reason = reason
        req.claimed_by, req.claimed_at = user, req.claimed_at or now
        _move(
            req,
            Status.REJECTED,
            actor=user,
            now=now,
            action="rejected",
            note=reason,
            fields=["reject_reason", "claimed_by", "claimed_at"],
        )
    return req


def bulk_verify_matching(user, *, now=None, limit=200) -> int:
    """Verify the waiting requests that match their registry record on every field."""
    from ..selectors import compare_many

    _require(user, "mtt_office")
    now = now or timezone.now()
    candidates = list(
        AccountRequest.objects.filter(status=Status.SUBMITTED, claimed_by=None).order_by(
            "due_at", "id"
        )[:limit]
    )
    matching = [req.pk for req, cmp in compare_many(candidates) if cmp.exact]
    done = 0
    for pk in matching:
        try:
            verify_request(pk, user, note=str(_("Matches the registry on every field.")), now=now)
            done += 1
        except TransitionError:
            continue  # someone else took it meanwhile
    return done


# --- step 5 (notify): the MTT Office sends the result ---------------------------------------


def notify_result(pk, user, *, now=None) -> AccountRequest:
    """One click: the prepared e-mail with the address and a view-once link to the password."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        send_result(req, user, now)
    return req


def send_result(req, user, now):
    """The result e-mail with its view-once link, for a locked, logged request (user: None when
    the portal sends it after provisioning by itself, issue 17)."""
    import secrets
    from datetime import timedelta

    from portal.sealing import Secret

    if req.status != Status.RECORDED:
        raise TransitionError(_("Only a logged issuance can be notified."))
    secret = TemporaryPassword.objects.select_for_update().filter(request=req).first()
    if secret is None or secret.ciphertext is None:
        raise TransitionError(_("There is no temporary password to send."))
    token = secrets.token_urlsafe(32)
    secret.link_digest = crypto.token_digest(token)
    secret.link_expires_at = now + timedelta(hours=settings.ACCOUNTS_SECRET_LINK_HOURS)
    secret.save(update_fields=["link_digest", "link_expires_at"])
    req.notified_at = now
    clock.close_for(req, "accounts.notify", now)
    from_status = req.status
    req.status = Status.NOTIFIED
    req.save(update_fields=["status", "notified_at", "updated_at"])
    event = _event(req, "notified", from_status, Status.NOTIFIED, user, now)
    event.extra_context = {
        "secret_url": Secret(_absolute(reverse("accounts:secret", args=[token]))),
        "secret_expires_at": secret.link_expires_at,
        "hours": settings.ACCOUNTS_SECRET_LINK_HOURS,
        "is_reset": req.is_reset,
    }
    _email_applicant(req, event)
