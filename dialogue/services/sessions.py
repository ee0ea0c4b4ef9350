"""Dialogue sessions and their minutes: create, write, submit, approve, return."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import engine
from ..models import (
    DialogueSession,
    Level,
)
from ..scope import is_committee, is_unit_leader, is_unit_staff
from ._common import TransitionError, _event, _require_committee

# --- dialogue sessions and minutes ---------------------------------------------------------

SS = DialogueSession.Status


def _require_session_writer(user, unit_id, level):
    """Class and unit sessions: the unit's academic staff and leaders; university: committee."""
    if is_committee(user):
        return
    if level != Level.UNIVERSITY and unit_id and is_unit_staff(user, unit_id):
        return
    raise TransitionError(_("Only the unit's staff or the standing office may do this."))


@transaction.atomic
def create_session(*, plan, actor, level, unit=None, **fields) -> DialogueSession:
    _require_session_writer(actor, unit.pk if unit else None, level)
    if level != Level.UNIVERSITY and unit is None:
        raise TransitionError(_("Choose the faculty, institute or centre."))
    if level == Level.CLASS and not (fields.get("student_class") or "").strip():
        raise TransitionError(_("Give the class."))
    session = DialogueSession.objects.create(
        plan=plan, level=level, unit=unit, created_by=actor, **fields
    )
    _event(
        plan,
        "session_created",
        actor=actor,
        session=session,
        to_status=session.status,
        note=session.display_title,
    )
    return session


def _lock_session(session) -> DialogueSession:
    return DialogueSession.objects.select_for_update().select_related("plan").get(pk=session.pk)


@transaction.atomic
def write_minutes(
    session, *, actor, minutes_text="", minutes_file=None, attendance=None, attendee_count=None
) -> DialogueSession:
    """The minutes (biên bản), typed in the portal or uploaded as PDF/DOCX, with attendance."""
    s = _lock_session(session)
    _require_session_writer(actor, s.unit_id, s.level)
    if s.status not in (SS.PLANNED, SS.MINUTES_DRAFT, SS.RETURNED):
        raise TransitionError(
            _("The minutes are submitted or approved: they can no longer be changed.")
        )
    if not minutes_text.strip() and not minutes_file and not s.minutes_file:
        raise TransitionError(_("Write the minutes or upload the file."))
    old = s.status
    s.minutes_text = minutes_text.strip()
    if minutes_file:
        s.minutes_file = minutes_file
    if attendance is not None:
        s.attendance = attendance
    if attendee_count is not None:
        s.attendee_count = attendee_count
    if s.status == SS.PLANNED:
        s.status = SS.MINUTES_DRAFT
    s.save()
    _event(s.plan, "minutes_written", actor=actor, session=s, from_status=old, to_status=s.status)
    return s


@transaction.atomic
def submit_minutes(session, *, actor) -> DialogueSession:
    """Step 6: the academic staff submit the class minutes to the unit's leaders."""
    s = _lock_session(session)
    _require_session_writer(actor, s.unit_id, s.level)
    if s.status not in (SS.MINUTES_DRAFT, SS.RETURNED):
        raise TransitionError(
            _("Only written minutes that are not yet submitted can be submitted.")
        )
    if not s.has_minutes:
        raise TransitionError(_("Write the minutes or upload the file."))
    old, now = s.status, timezone.now()
    s.status, s.submitted_by, s.submitted_at = SS.SUBMITTED, actor, now
    s.save(update_fields=["status", "submitted_by", "submitted_at"])
    _event(
        s.plan,
        "minutes_submitted",
        actor=actor,
        session=s,
        from_status=old,
        to_status=s.status,
        at=now,
    )
    engine.minutes_submitted(s, now)
    return s


def _require_approver(user, session):
    if session.level == Level.UNIVERSITY:
        _require_committee(user)
        return
    if not is_unit_leader(user, session.unit_id):
        raise TransitionError(
            _("Only the leaders of the faculty, institute or centre may approve the minutes.")
        )


@transaction.atomic
def approve_minutes(session, *, actor, note="") -> DialogueSession:
    s = _lock_session(session)
    _require_approver(actor, s)
    if s.status != SS.SUBMITTED:
        raise TransitionError(_("Only submitted minutes can be approved."))
    if s.submitted_by_id == actor.pk:
        # Step 6: the class's staff submit, the unit's leaders approve — two people.
        raise TransitionError(
            _("Minutes must be approved by someone other than who submitted them.")
        )
    now = timezone.now()
    s.status, s.approved_by, s.approved_at = SS.APPROVED, actor, now
    s.save(update_fields=["status", "approved_by", "approved_at"])
    _event(
        s.plan,
        "minutes_approved",
        actor=actor,
        session=s,
        from_status=SS.SUBMITTED,
        to_status=s.status,
        note=note,
        at=now,
    )
    engine.minutes_decided(s, now, approved=True)
    return s


@transaction.atomic
def return_minutes(session, *, actor, note) -> DialogueSession:
    s = _lock_session(session)
    _require_approver(actor, s)
    if s.status != SS.SUBMITTED:
        raise TransitionError(_("Only submitted minutes can be returned."))
    if not note.strip():
        raise TransitionError(_("Say what must be corrected."))
    now = timezone.now()
    s.status = SS.RETURNED
    s.save(update_fields=["status"])
    _event(
        s.plan,
        "minutes_returned",
        actor=actor,
        session=s,
        from_status=SS.SUBMITTED,
        to_status=s.status,
        note=note,
        at=now,
    )
    engine.minutes_decided(s, now, approved=False, note=note)
    return s
