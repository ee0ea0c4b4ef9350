"""Step 5: the account manager records the issuance in CreateEmailHUST-log."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    IssuanceLogEntry,
    Status,
)
from ._common import TransitionError, _event, _lock, _move, _require

# --- step 5: the account manager updates CreateEmailHUST-log --------------------------------


def _log_entry(req, user, now, *, action, address, note="", corrects=None):
    return IssuanceLogEntry.objects.create(
        recorded_at=now,
        request=req,
        reference=req.reference,
        full_name=req.full_name,
        person_kind=req.person_kind,
        person_id=req.person_id,
        unit_name=req.unit_name,
        address=address,
        action=action,
        issued_at=req.issued_at or now,
        issued_by_name=req.issued_by.display_name if req.issued_by_id else "",
        recorded_by=user,
        recorded_by_name=user.display_name,
        note=note,
        corrects=corrects,
    )


def record_issuance(pk, user, *, note="", now=None) -> IssuanceLogEntry:
    _require(user, "mtt_account_manager")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.ISSUED:
            raise TransitionError(_("Only an issued request can be logged."))
        entry = _log_entry(
            req, user, now, action=req.request_kind, address=req.issued_address, note=note
        )
        req.recorded_at = now
        _move(
            req,
            Status.RECORDED,
            actor=user,
            now=now,
            action="recorded",
            note=f"CreateEmailHUST-log #{entry.pk}",
            fields=["recorded_at"],
        )
    return entry


def correct_log_entry(entry_pk, user, *, address: str, note: str, now=None):
    """A correction is a new row that points at the one it corrects (the log is permanent)."""
    _require(user, "mtt_account_manager")
    note = (note or "").strip()
    if not note:
        raise TransitionError(_("Say what the correction is for."))
    now = now or timezone.now()
    with transaction.atomic():
        original = IssuanceLogEntry.objects.select_related("request").get(pk=entry_pk)
        address = (address or original.address).strip().lower()
        entry = _log_entry(
            original.request,
            user,
            now,
            action=IssuanceLogEntry.Action.CORRECTION,
            address=address,
            note=note,
            corrects=original,
        )
        _event(
            original.request,
            "log_corrected",
            original.request.status,
            original.request.status,
            user,
            now,
            f"#{original.pk} → #{entry.pk}: {note}",
        )
    return entry
