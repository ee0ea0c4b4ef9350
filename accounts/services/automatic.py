"""Step 3 without a person (issue 17): a request that matches the registry exactly is verified
by the portal, when the admins switched it on for its kind of applicant."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from portal.deferred import both, deferred

from ..models import (
    OPEN_STATUSES,
    AccountRequest,
    AutoVerification,
    IssuanceLogEntry,
    RegistryImport,
    RequestKind,
    Status,
)
from ._common import _lock, _move
from .provisioning import queue_provisioning


def _blocks_auto_verification(req: AccountRequest, record) -> bool:
    """What sends a request that matches the registry to a person anyway: another request of
    the same person still open (or, for a new account, already issued), an address the person
    already has, or a note the applicant wrote for the office (an open flag)."""
    if req.note.strip():
        return True
    others = AccountRequest.objects.filter(
        person_kind=req.person_kind, person_id=req.person_id
    ).exclude(pk=req.pk)
    if others.filter(status__in=OPEN_STATUSES).exists():
        return True
    if not req.is_reset:
        if (
            record.email
            or others.filter(request_kind=RequestKind.NEW_ACCOUNT)
            .exclude(status=Status.REJECTED)
            .exists()
        ):
            return True
        if IssuanceLogEntry.objects.filter(
            person_kind=req.person_kind, person_id=req.person_id
        ).exists():
            return True
    return False


def auto_verify_request(pk, *, now=None) -> bool:
    """Step 3 without a person (issue 17): a request whose every checked field matches the
    registry exactly, with no duplicate and no open flag, is verified by the portal, when the
    admins switched it on for its kind of applicant. Anything else waits for the MTT Office.

    The history names the fields that matched and the date of the registry they matched.
    With a backend that reaches the mail system, the account is created next (a Celery job).
    """
    from ..selectors import compare

    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.SUBMITTED or req.claimed_by_id is not None:
            return False
        if not AutoVerification.is_on(req.person_kind):
            return False
        from ..selectors import registry_record_for

        record = registry_record_for(req)
        comparison = compare(req, record)
        if not comparison.exact or _blocks_auto_verification(req, record):
            return False
        last_import = (
            RegistryImport.objects.filter(kind=req.person_kind).order_by("-imported_at").first()
        )
        as_of = timezone.localtime(last_import.imported_at if last_import else record.updated_at)
        # Translated when read (portal.deferred): the fields named in the reader's language.
        fields = {}
        for language in ("vi", "en"):
            with translation.override(language):
                fields[language] = ", ".join(str(row.label) for row in comparison.rows)
        note = deferred(
            gettext_noop("Registry of %(date)s: %(fields)s."),
            date=f"{as_of:%d/%m/%Y}",
            fields=both(fields["vi"], fields["en"]),
        )
        _move(req, Status.VERIFIED, actor=None, now=now, action="auto_verified", note=note)
        queue_provisioning(req, requested_by=None, now=now)
    return True


def auto_verify_batch(batch_pk, *, now=None) -> int:
    """A bulk upload's rows, each through auto_verify_request (each in its own transaction)."""
    pks = AccountRequest.objects.filter(
        batch_id=batch_pk, status=Status.SUBMITTED, claimed_by=None
    ).values_list("pk", flat=True)
    return sum(auto_verify_request(pk, now=now) for pk in list(pks))
