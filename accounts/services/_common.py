"""What every MTT.QT06 service shares: the exception, locking, events, moving the clock, e-mail."""

import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.access import has_role

from .. import deadlines as clock
from ..models import (
    STEP_OF_STATUS,
    AccountRequest,
    ReferenceCounter,
    RequestEvent,
    RequestKind,
    Status,
)


class TransitionError(Exception):
    """A step that is not allowed now, or not to this person. The message is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- helpers -------------------------------------------------------------------------------


def _require(user, *roles):
    if user is None or not user.is_authenticated:
        raise TransitionError(_("Please log in first."))
    if not has_role(user, *roles):
        raise TransitionError(_("Your role does not take this step."))


def _lock(pk) -> AccountRequest:
    try:
        return AccountRequest.objects.select_for_update().get(pk=pk)
    except AccountRequest.DoesNotExist:
        raise TransitionError(_("This request does not exist.")) from None


def unit_ids(codes) -> dict[str, int]:
    """The directory's units by code (one query): a request links to its unit (issue 12 §5)."""
    from office.models import Unit

    codes = {c for c in codes if c}
    return dict(Unit.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def tracking_url(req: AccountRequest) -> str:
    """The applicant's tracking link: a Secret, so the outbox keeps it for the mail only."""
    from portal.sealing import Secret

    return Secret(_absolute(reverse("accounts:track", args=[req.tracking_token])))


def tracking_url_maker():
    """tracking_url() for many tokens: the URL reversed once, each token put in its place."""
    from portal.sealing import Secret

    marker = "0" * 43  # the length of new_tracking_token()'s tokens
    head, tail = _absolute(reverse("accounts:track", args=[marker])).split(marker)
    return lambda token: Secret(f"{head}{token}{tail}")


def allocate_references(count: int, now) -> list[str]:
    """`count` new references TK-<year>-<nnnnnn>, from one locked counter row per year."""
    year = timezone.localtime(now).year
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"TK-{year}-{n:06d}" for n in range(first, first + count)]


def _event(req, action, from_status, to_status, actor, at, note="", details=None):
    """The event, written once with everything it says: the table is append-only."""
    return RequestEvent.objects.create(
        request=req,
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        note=note,
        details=details or {},
    )


def _move(
    req,
    to_status,
    *,
    actor,
    now,
    action,
    note="",
    details=None,
    holder_user=None,
    fields=(),
    email=True,
):
    """Close the step the request was on, open the next one, save, write the event (with its
    `details`: events are never updated). email=False: a step the portal passes on its way to
    the next mail (issue 17)."""
    from_status = req.status
    old_step, new_step = STEP_OF_STATUS.get(from_status), STEP_OF_STATUS.get(to_status)
    if old_step and old_step != new_step:
        clock.close_for(req, old_step, now)
    if new_step and (new_step != old_step or holder_user is not None):
        req.due_at = clock.open_for(req, new_step, now, holder_user=holder_user)
    req.status = to_status
    req.search_key = req.compute_search_key()
    req.save(update_fields=["status", "due_at", "search_key", "updated_at", *fields])
    event = _event(req, action, from_status, to_status, actor, now, note, details)
    if email:
        _email_applicant(req, event)
    return event


def _email_applicant(req, event):
    """The applicant hears of every change of status (DESIGN.md accounts, issue 5 §10)."""
    from portal.notifications import notify

    template = {
        "submitted": "accounts/request_received",
        "resubmitted": "accounts/request_received",
        "confirmed": "accounts/request_received",
        "rejected": "accounts/request_rejected",
        "notified": "accounts/result",
    }.get(event.action, "accounts/status_changed")
    # Lazy labels: the message is written in every language (portal.notifications), each
    # with the labels of its own.
    status_label = Status(req.status).label
    kind_label = RequestKind(req.request_kind).label
    context = {
        "reference": req.reference,
        "full_name": req.full_name,
        "form_code": req.form_code,
        "kind_label": kind_label,
        "status_label": status_label,
        "reason": req.reject_reason,
        "address": req.issued_address or req.existing_address,
        "due_at": req.due_at,
        "url": tracking_url(req),
        **getattr(event, "extra_context", {}),
    }
    notify(
        template=template,
        context=context,
        dedupe_key=f"accounts:{req.pk}:event:{event.pk}",
        email=req.contact_email,
        language=req.language or "vi",
    )


def new_idempotency_key() -> str:
    return str(uuid.uuid4())
