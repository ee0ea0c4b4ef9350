"""One person, one account (issue 12 §1).

A person is their ID within their kind (staff code or student code), or their citizen ID
(CCCD) when they gave it: the same CCCD under another code is the same person. At submission an open
request or an issued account for the same ID stops a second one, without telling the visitor
anything about it; staff see possible duplicates and merge or return them; the technician needs
a typed reason to give a person a second address, and the reason is kept in the history.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    OPEN_STATUSES,
    AccountRequest,
    IssuanceLogEntry,
    RegistryRecord,
    RequestKind,
    Status,
)

logger = logging.getLogger("accounts.duplicates")

ISSUED_STATUSES = (Status.ISSUED, Status.RECORDED, Status.NOTIFIED)
# A returned request may come back corrected: it still holds the person's place.
PENDING_STATUSES = (*OPEN_STATUSES, Status.REJECTED)


def _same_person(person_kind, person_id, citizen_id="") -> Q:
    same = Q(person_kind=person_kind, person_id__iexact=(person_id or "").strip())
    citizen_id = (citizen_id or "").strip()
    return same | Q(citizen_id=citizen_id) if citizen_id else same


@dataclass
class ExistingAccount:
    address: str
    reference: str  # the request it was issued through; "" when only the registry knows it


def existing_accounts(
    person_kind, person_id, *, citizen_id="", exclude_pk=None
) -> list[ExistingAccount]:
    """The addresses this person already has: issued by a request, in the log, in the registry."""
    found: dict[str, ExistingAccount] = {}
    issued = (
        AccountRequest.objects.filter(
            _same_person(person_kind, person_id, citizen_id),
            request_kind=RequestKind.NEW_ACCOUNT,
            status__in=ISSUED_STATUSES,
        )
        .exclude(issued_address="")
        .exclude(pk=exclude_pk)
        .values_list("issued_address", "reference")
    )
    for address, reference in issued:
        found.setdefault(address.lower(), ExistingAccount(address.lower(), reference))
    logged = (
        IssuanceLogEntry.objects.filter(
            _same_person(person_kind, person_id), action=IssuanceLogEntry.Action.NEW_ACCOUNT
        )
        .exclude(request_id=exclude_pk)
        .values_list("address", "reference")
    )
    for address, reference in logged:
        found.setdefault(address.lower(), ExistingAccount(address.lower(), reference))
    registry = RegistryRecord.objects.filter(
        kind=person_kind, person_id__iexact=(person_id or "").strip()
    ).exclude(email="")
    for address in registry.values_list("email", flat=True):
        found.setdefault(address.lower(), ExistingAccount(address.lower(), ""))
    return list(found.values())


def people_with_accounts(person_ids) -> set[tuple[str, str]]:
    """(kind, ID in upper case) of the people among `person_ids` who already have an account:
    three queries whatever the number of IDs (the bulk upload's check)."""
    ids = sorted({(i or "").strip() for i in person_ids} - {""})
    if not ids:
        return set()
    found = set(
        AccountRequest.objects.filter(
            person_id__in=ids, request_kind=RequestKind.NEW_ACCOUNT, status__in=ISSUED_STATUSES
        ).values_list("person_kind", "person_id")
    )
    found |= set(
        IssuanceLogEntry.objects.filter(
            person_id__in=ids, action=IssuanceLogEntry.Action.NEW_ACCOUNT
        ).values_list("person_kind", "person_id")
    )
    found |= set(
        RegistryRecord.objects.filter(person_id__in=ids)
        .exclude(email="")
        .values_list("kind", "person_id")
    )
    return {(kind, pid.upper()) for kind, pid in found}


def pending_requests(person_kind, person_id, request_kind, *, citizen_id="", exclude_pk=None):
    return (
        AccountRequest.objects.filter(
            _same_person(person_kind, person_id, citizen_id),
            request_kind=request_kind,
            status__in=PENDING_STATUSES,
        )
        .exclude(pk=exclude_pk)
        .order_by("submitted_at", "id")
    )


class DuplicateRequest(Exception):
    """A second request of a person who has one open, or a new account for one who has one.

    `kind` is "open" or "issued"; the message names nobody and shows none of their data.
    """

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def check_not_duplicate(data: dict) -> None:
    """At submission (steps 1–2): raise DuplicateRequest rather than open a second request."""
    kind, person_id, request_kind = data["person_kind"], data["person_id"], data["request_kind"]
    citizen_id = data.get("citizen_id") or ""
    if pending_requests(kind, person_id, request_kind, citizen_id=citizen_id).exists():
        raise DuplicateRequest("open")
    if request_kind == RequestKind.NEW_ACCOUNT and existing_accounts(
        kind, person_id, citizen_id=citizen_id
    ):
        raise DuplicateRequest("issued")


def possible_duplicates(req: AccountRequest) -> list[AccountRequest]:
    """For staff: the other requests of the same person that still hold a place or an account."""
    if req.status == Status.MERGED:
        return []
    return list(
        AccountRequest.objects.filter(_same_person(req.person_kind, req.person_id, req.citizen_id))
        .filter(
            Q(status__in=PENDING_STATUSES, request_kind=req.request_kind)
            | Q(status__in=ISSUED_STATUSES, request_kind=RequestKind.NEW_ACCOUNT)
        )
        .exclude(pk=req.pk)
        .order_by("submitted_at", "id")[:10]
    )


MERGEABLE = (Status.SUBMITTED, Status.IN_REVIEW, Status.REJECTED, Status.VERIFIED)


def merge_request(pk, into_pk, user, *, now=None) -> AccountRequest:
    """Close a duplicate into the person's other request: both histories say so; the duplicate
    releases its reserved address; its applicant is told it was merged (nothing of the other)."""
    from .services._common import TransitionError, _event, _lock, _move, _require

    _require(user, "mtt_office")
    now = now or timezone.now()
    if str(pk) == str(into_pk):
        raise TransitionError(_("A request cannot be merged into itself."))
    with transaction.atomic():
        # Lock in id order: two people merging the pair both ways cannot deadlock.
        first, second = sorted([int(pk), int(into_pk)])
        locked = {first: _lock(first), second: _lock(second)}
        req, into = locked[int(pk)], locked[int(into_pk)]
        if req.status not in MERGEABLE:
            raise TransitionError(_("This request can no longer be merged."))
        same_code = (
            into.person_kind == req.person_kind
            and into.person_id.strip().upper() == req.person_id.strip().upper()
        )
        same_citizen = bool(req.citizen_id) and into.citizen_id == req.citizen_id
        if into.status == Status.MERGED or not (same_code or same_citizen):
            raise TransitionError(_("Only a request of the same person can take this one."))
        req.duplicate_of, req.proposed_address = into, ""
        req.claimed_by, req.claimed_at = None, None
        _move(
            req,
            Status.MERGED,
            actor=user,
            now=now,
            action="merged",
            note=into.reference,
            fields=["duplicate_of", "proposed_address", "claimed_by", "claimed_at"],
        )
        _event(into, "merge_received", into.status, into.status, user, now, req.reference)
    return req


def check_second_address(req: AccountRequest, address: str, reason: str, user, now):
    """Step 4: a person who already has an address gets another only with a typed reason."""
    from .services._common import TransitionError, _event

    if req.is_reset:
        return
    others = [
        a
        for a in existing_accounts(
            req.person_kind, req.person_id, citizen_id=req.citizen_id, exclude_pk=req.pk
        )
        if a.address != address.lower()
    ]
    if not others:
        return
    reason = (reason or "").strip()
    if not reason:
        error = TransitionError(
            _(
                "This person already has %(addresses)s. Type the reason for a second address, "
                "or return the request."
            )
            % {"addresses": ", ".join(a.address for a in others)}
        )
        error.field = "reason"  # shown next to the reason field
        raise error
    note = f"{address} ({', '.join(a.address for a in others)}): {reason}"
    _event(req, "second_address", req.status, req.status, user, now, note)
    logger.warning(
        "second address for %s %s by %s: %s", req.reference, address, user.username, reason
    )
