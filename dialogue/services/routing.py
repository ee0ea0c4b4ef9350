"""Topic routing and the departments' answers (steps 8–11): the topic → department table,
route, answer, return, publish."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.deferred import both, deferred, name_of

from .. import engine
from ..models import (
    Question,
    Topic,
)
from ..scope import is_committee, is_responder_for, is_unit_staff
from ._common import TransitionError, _event, _require_committee
from .questions import QS, _check_status, _lock_question, _save_question

# --- routing table -------------------------------------------------------------------------


def _name(unit) -> dict:
    return name_of(unit) if unit else both("—")


@transaction.atomic
def set_topic_department(topic, *, actor, department) -> Topic:
    """The committee edits the topic → department table (pre-filled from section IV)."""
    _require_committee(actor)
    topic = (
        Topic.objects.select_for_update(of=("self",)).select_related("department").get(pk=topic.pk)
    )
    old = topic.department
    if (old.pk if old else None) == (department.pk if department else None):
        return topic
    topic.department = department
    topic.save(update_fields=["department"])
    from ..selectors import current_plan

    plan = current_plan()
    if plan:
        _event(
            plan,
            "topic_routed",
            actor=actor,
            topic=topic,
            from_status=old.code if old else "",
            to_status=department.code if department else "",
            note=deferred(
                "%(topic)s: %(old)s → %(new)s",
                topic=name_of(topic),
                old=_name(old),
                new=_name(department),
            ),
        )
    return topic


@transaction.atomic
def route_question(question, *, actor, due_at, department=None, note="") -> Question:
    """Steps 8–9: the standing office sends the item to its department with a due date."""
    _require_committee(actor)
    q = _lock_question(question)
    _check_status(q, QS.ESCALATED, QS.ROUTED)
    department = department or q.topic.department
    if department is None:
        raise TransitionError(_("Choose the department that answers this topic."))
    now = timezone.now()
    if due_at <= now:
        raise TransitionError(_("The due date must be in the future."))
    old = q.status
    q.status, q.department, q.routed_at = QS.ROUTED, department, now
    step = engine.question_routed(q, due_at=due_at, at=now)
    q.due_at = step.due_at
    _save_question(q, ["status", "department", "routed_at", "due_at"])
    _event(
        q.plan,
        "question_routed",
        actor=actor,
        question=q,
        from_status=old,
        to_status=q.status,
        note=deferred(
            "%(unit)s · %(due)s",
            unit=name_of(department),
            due=f"{timezone.localtime(q.due_at):%H:%M %d/%m/%Y}",
        )
        + (f"\n{note}" if note else ""),
        at=now,
    )
    return q


@transaction.atomic
def answer_question(question, *, actor, text, letter_number="", letter_file=None) -> Question:
    """Step 9: a responder of the department answers in writing (with the official letter)."""
    q = _lock_question(question)
    if not is_responder_for(actor, q.department_id):
        raise TransitionError(
            _("Only the responders of the department it was sent to may answer it.")
        )
    _check_status(q, QS.ROUTED)
    if not text.strip():
        raise TransitionError(_("Write the answer."))
    now = timezone.now()
    q.status, q.answer_text, q.answered_by, q.answered_at = QS.ANSWERED, text.strip(), actor, now
    q.answered_by_unit, q.letter_number = q.department, letter_number.strip()
    fields = [
        "status",
        "answer_text",
        "answered_by",
        "answered_at",
        "answered_by_unit",
        "letter_number",
    ]
    if letter_file:
        q.letter_file = letter_file
        fields.append("letter_file")
    _save_question(q, fields)
    _event(
        q.plan,
        "question_answered",
        actor=actor,
        question=q,
        from_status=QS.ROUTED,
        to_status=q.status,
        at=now,
    )
    engine.question_answered(q, now)
    return q


@transaction.atomic
def return_answer(question, *, actor, note, due_at) -> Question:
    """The standing office sends an insufficient answer back to the department."""
    _require_committee(actor)
    q = _lock_question(question)
    _check_status(q, QS.ANSWERED)
    if q.department_id is None:
        raise TransitionError(_("This answer came from the unit, not from a department."))
    if not note.strip():
        raise TransitionError(_("Say what the answer lacks."))
    now = timezone.now()
    if due_at <= now:
        raise TransitionError(_("The due date must be in the future."))
    q.status = QS.ROUTED
    step = engine.question_routed(q, due_at=due_at, at=now)
    q.due_at = step.due_at
    _save_question(q, ["status", "due_at"])
    _event(
        q.plan,
        "answer_returned",
        actor=actor,
        question=q,
        from_status=QS.ANSWERED,
        to_status=q.status,
        note=note,
        at=now,
    )
    return q


def can_publish(user, q) -> bool:
    if is_committee(user):
        return True
    # The unit publishes its own answers (step 7); department answers go through the committee.
    return q.department_id is None and is_unit_staff(user, q.unit_id)


@transaction.atomic
def publish_answer(question, *, actor) -> Question:
    q = _lock_question(question)
    if not can_publish(actor, q):
        raise TransitionError(
            _("Only the standing office (or the unit, for its own answers) may publish.")
        )
    _check_status(q, QS.ANSWERED)
    now = timezone.now()
    q.status, q.published_at = QS.PUBLISHED, now
    _save_question(q, ["status", "published_at"])
    _event(
        q.plan,
        "question_published",
        actor=actor,
        question=q,
        from_status=QS.ANSWERED,
        to_status=q.status,
        at=now,
    )
    engine.question_published(q)
    return q
