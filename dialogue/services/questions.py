"""Learners' questions: submit, record from minutes, answer at the unit, escalate, merge,
change topic, select for a session."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal.deferred import deferred, name_of

from .. import engine
from ..models import (
    Level,
    Question,
)
from ..scope import is_committee, is_unit_staff
from ._common import TransitionError, _event, _require_committee
from .sessions import _require_session_writer

# --- learners' questions -------------------------------------------------------------------

QS = Question.Status


def _save_question(q, fields):
    q.refresh_search_key()
    q.save(update_fields=[*fields, "search_key"])


def _lock_question(question) -> Question:
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("plan", "topic", "unit", "department", "asked_by")
        .get(pk=question.pk)
    )


def _check_status(q, *allowed):
    if q.status not in allowed:
        raise TransitionError(
            _("Question no. %(no)s is “%(status)s”; this cannot be done now.")
            % {"no": q.pk, "status": q.get_status_display()}
        )


@transaction.atomic
def submit_question(
    *,
    plan,
    learner,
    topic,
    text,
    unit,
    kind=Question.Kind.QUESTION,
    student_class="",
    anonymous=False,
) -> Question:
    """A logged-in learner asks online; the question goes to their faculty/institute/centre."""
    if not (learner.is_authenticated and learner.has_role("learner")):
        raise TransitionError(_("Only learners may submit questions."))
    if not text.strip():
        raise TransitionError(_("Write the question."))
    q = Question(
        plan=plan,
        topic=topic,
        text=text.strip(),
        kind=kind,
        unit=unit,
        student_class=student_class.strip(),
        asked_by=learner,
        asker_name=learner.display_name,
        anonymous=anonymous,
        source=Question.Source.ONLINE,
        created_by=learner,
    )
    q.refresh_search_key()
    q.save()
    _event(plan, "question_submitted", actor=learner, question=q, to_status=q.status)
    engine.question_submitted(q)
    return q


@transaction.atomic
def record_question_from_minutes(
    *,
    session,
    actor,
    topic,
    text,
    kind=Question.Kind.QUESTION,
    asker_name="",
    student_class="",
    anonymous=False,
) -> Question:
    """Staff enter a question or opinion raised at a session, as the minutes record it."""
    if session.level == Level.UNIVERSITY or session.unit_id is None:
        raise TransitionError(_("Questions from minutes belong to a class or unit session."))
    _require_session_writer(actor, session.unit_id, session.level)
    if not text.strip():
        raise TransitionError(_("Write the question."))
    q = Question(
        plan=session.plan,
        topic=topic,
        text=text.strip(),
        kind=kind,
        unit=session.unit,
        student_class=(student_class or session.student_class).strip(),
        session=session,
        asker_name=asker_name.strip(),
        anonymous=anonymous,
        source=Question.Source.MINUTES,
        created_by=actor,
    )
    q.refresh_search_key()
    q.save()
    _event(
        session.plan,
        "question_submitted",
        actor=actor,
        question=q,
        session=session,
        to_status=q.status,
    )
    engine.question_submitted(q)
    return q


def _require_unit_staff(user, q):
    if not (is_unit_staff(user, q.unit_id) or is_committee(user)):
        raise TransitionError(
            _("Only the staff of the learner's faculty, institute or centre may do this.")
        )


@transaction.atomic
def answer_at_unit(question, *, actor, text) -> Question:
    """Step 7: within the unit's authority — the unit answers (and then publishes)."""
    q = _lock_question(question)
    _require_unit_staff(actor, q)
    _check_status(q, QS.SUBMITTED)
    if not text.strip():
        raise TransitionError(_("Write the answer."))
    now = timezone.now()
    q.status, q.answer_text, q.answered_by, q.answered_at = QS.ANSWERED, text.strip(), actor, now
    q.answered_by_unit = q.unit
    _save_question(q, ["status", "answer_text", "answered_by", "answered_at", "answered_by_unit"])
    _event(
        q.plan,
        "question_answered_at_unit",
        actor=actor,
        question=q,
        from_status=QS.SUBMITTED,
        to_status=q.status,
        at=now,
    )
    engine.question_left_unit(q, now)
    return q


@transaction.atomic
def escalate_question(question, *, actor, note="") -> Question:
    """Step 7: outside the unit's authority — forwarded to the standing office."""
    q = _lock_question(question)
    _require_unit_staff(actor, q)
    _check_status(q, QS.SUBMITTED)
    now = timezone.now()
    q.status, q.escalated_at = QS.ESCALATED, now
    _save_question(q, ["status", "escalated_at"])
    _event(
        q.plan,
        "question_escalated",
        actor=actor,
        question=q,
        from_status=QS.SUBMITTED,
        to_status=q.status,
        note=note,
        at=now,
    )
    engine.question_left_unit(q, now)
    return q


@transaction.atomic
def merge_questions(primary, duplicates, *, actor, note="") -> Question:
    """Step 8: the same complaint from many classes becomes one item that keeps its count and
    its sources (the duplicates stay, marked merged, pointing at it)."""
    _require_committee(actor)
    p = _lock_question(primary)
    if p.status in (QS.MERGED, QS.SUBMITTED):
        raise TransitionError(_("Merge into an item the standing office holds."))
    dups = list(
        Question.objects.select_for_update(of=("self",))
        .select_related("plan", "topic", "unit")
        .filter(pk__in=[d.pk for d in duplicates])
        .exclude(pk=p.pk)
    )
    if not dups:
        raise TransitionError(_("Choose the duplicates to merge."))
    now = timezone.now()
    for d in dups:
        _check_status(d, QS.ESCALATED, QS.ROUTED)
        old = d.status
        d.status, d.merged_into = QS.MERGED, p
        d.save(update_fields=["status", "merged_into"])
        Question.objects.filter(merged_into=d).update(merged_into=p)
        p.source_count += d.source_count
        _event(
            d.plan,
            "question_merged",
            actor=actor,
            question=d,
            from_status=old,
            to_status=QS.MERGED,
            note=deferred(gettext_noop("Merged into no. %(no)s"), no=p.pk)
            + (f"\n{note}" if note else ""),
            at=now,
        )
        engine.question_merged(d, now)
    p.save(update_fields=["source_count"])
    _event(
        p.plan,
        "question_absorbed",
        actor=actor,
        question=p,
        from_status=p.status,
        to_status=p.status,
        note=", ".join(f"#{d.pk}" for d in dups),
        at=now,
    )
    return p


@transaction.atomic
def change_topic(question, *, actor, topic) -> Question:
    _require_committee(actor)
    q = _lock_question(question)
    if q.topic_id == topic.pk:
        return q
    old = q.topic
    q.topic = topic
    _save_question(q, ["topic"])
    _event(
        q.plan,
        "question_topic",
        actor=actor,
        question=q,
        from_status=q.status,
        to_status=q.status,
        note=deferred("%(old)s → %(new)s", old=name_of(old), new=name_of(topic)),
    )
    return q


# Step 13 takes its questions from the consolidated items (steps 8–9): those with a department
# or already answered — not those still at a faculty or waiting to be routed.
@transaction.atomic
def select_for_session(question, *, actor, session, selected=True) -> Question:
    """The committee picks the questions for the university-level dialogue (step 13)."""
    _require_committee(actor)
    q = _lock_question(question)
    if session.level != Level.UNIVERSITY:
        raise TransitionError(_("Questions are selected for the university-level dialogue."))
    if selected and q.status == QS.MERGED:
        raise TransitionError(_("Select the item it was merged into."))
    if selected and q.status not in Question.SELECTABLE:
        raise TransitionError(_("Select an item sent to a department, answered or published."))
    target = session if selected else None
    if q.selected_for_id == (target.pk if target else None) or (
        not selected and q.selected_for_id != session.pk
    ):
        return q  # already so (a second click, or another member was quicker): no new event
    q.selected_for = target
    q.save(update_fields=["selected_for"])
    _event(
        q.plan,
        "question_selected" if selected else "question_unselected",
        actor=actor,
        question=q,
        session=session,
        from_status=q.status,
        to_status=q.status,
    )
    return q
