"""Every write that changes the state of the dialogue: one function per business action.

Each checks the from-state and who may act, raises TransitionError when not allowed, saves
the fields it changed, writes an `Event` row, and opens/closes deadline steps and enqueues
notifications — all in one transaction.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import engine
from .models import (
    DialogueSession,
    DutyItem,
    Event,
    FeedbackAnswer,
    FeedbackForm,
    FeedbackItem,
    FeedbackReceipt,
    FeedbackResponse,
    Level,
    Milestone,
    Participant,
    Plan,
    ProgrammeItem,
    Question,
    Topic,
    UnitDuty,
)
from .scope import is_committee, is_responder_for, is_unit_leader, is_unit_staff


class TransitionError(Exception):
    """The action is not allowed now, or not for this person. The message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- who may do what ---------------------------------------------------------------------


def _require_committee(user):
    if not is_committee(user):
        raise TransitionError(_("Only the Organising Committee standing office may do this."))


def _event(plan, action, *, actor=None, from_status="", to_status="", note="", at=None, **targets):
    return Event.objects.create(
        plan=plan,
        action=action,
        actor=actor if (actor and actor.is_authenticated) else None,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note or "",
        at=at or timezone.now(),
        **targets,
    )


# --- milestones (section III) --------------------------------------------------------------

MS = Milestone.Status


def _lock_milestone(milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("plan").get(pk=milestone.pk)


def _move_milestone(milestone, *, allowed_from, to, actor, note="", action, at=None, **fields):
    m = _lock_milestone(milestone)
    if m.status not in allowed_from:
        raise TransitionError(
            _("Milestone %(no)s is %(status)s; this cannot be done now.")
            % {"no": m.position, "status": m.get_status_display()}
        )
    old = m.status
    m.status = to
    for name, value in fields.items():
        setattr(m, name, value)
    m.save(update_fields=["status", "updated_at", *fields.keys()])
    _event(
        m.plan, action, actor=actor, from_status=old, to_status=to, note=note, at=at, milestone=m
    )
    return m


@transaction.atomic
def start_milestone(milestone, *, actor, note="") -> Milestone:
    _require_committee(actor)
    m = _move_milestone(
        milestone,
        allowed_from={MS.PLANNED, MS.LATE},
        to=MS.IN_PROGRESS,
        actor=actor,
        note=note,
        action="milestone_started",
    )
    engine.milestone_started(m)
    return m


@transaction.atomic
def complete_milestone(
    milestone, *, actor, done_on: date, note="", evidence_file=None
) -> Milestone:
    """Done, with the date and the evidence: a note, a file, or both."""
    _require_committee(actor)
    if not note.strip() and not evidence_file:
        raise TransitionError(_("Give the evidence: a note, a file, or both."))
    if done_on > timezone.localdate():
        raise TransitionError(_("The date it was done cannot be in the future."))
    fields = {"done_on": done_on, "evidence_note": note.strip()}
    if evidence_file:
        fields["evidence_file"] = evidence_file
    m = _move_milestone(
        milestone,
        allowed_from={MS.PLANNED, MS.IN_PROGRESS, MS.LATE},
        to=MS.DONE,
        actor=actor,
        note=note,
        action="milestone_done",
        **fields,
    )
    engine.milestone_closed(m)
    return m


@transaction.atomic
def reopen_milestone(milestone, *, actor, note) -> Milestone:
    """A milestone marked done by mistake goes back to "in progress" (the reason is kept)."""
    _require_committee(actor)
    if not note.strip():
        raise TransitionError(_("Say why the milestone is reopened."))
    m = _move_milestone(
        milestone,
        allowed_from={MS.DONE},
        to=MS.IN_PROGRESS,
        actor=actor,
        note=note,
        action="milestone_reopened",
        done_on=None,
    )
    engine.milestone_started(m)
    return m


@transaction.atomic
def mark_milestone_late(milestone, *, at: datetime | None = None) -> Milestone:
    """The sweep: a milestone past its last day and not done becomes late (no person acts)."""
    return _move_milestone(
        milestone,
        allowed_from={MS.PLANNED, MS.IN_PROGRESS},
        to=MS.LATE,
        actor=None,
        note=str(_("The last day of the milestone has passed.")),
        action="milestone_late",
        at=at,
    )


def sweep_late_milestones(now: datetime | None = None) -> int:
    """Mark every overdue milestone late; safe to run twice (the second run finds none)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    overdue = Milestone.objects.filter(
        status__in=[MS.PLANNED, MS.IN_PROGRESS],
        ends_on__lt=today,
        plan__status=Plan.Status.PUBLISHED,
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        try:
            mark_milestone_late(Milestone(pk=pk), at=now)
            count += 1
        except TransitionError:
            pass  # somebody finished it meanwhile
    return count


@transaction.atomic
def update_milestone(
    milestone, *, actor, content, responsible_body, starts_on, ends_on, time_text=""
):
    """Edit a row of a draft plan (a copied plan before it is published)."""
    _require_committee(actor)
    m = _lock_milestone(milestone)
    if m.plan.status != Plan.Status.DRAFT:
        raise TransitionError(
            _("A published plan's timeline is the document: it cannot be edited.")
        )
    if ends_on < starts_on:
        raise TransitionError(_("The end date is before the start date."))
    m.content, m.responsible_body = content, responsible_body
    m.starts_on, m.ends_on, m.time_text = starts_on, ends_on, time_text
    m.save()
    _event(m.plan, "milestone_edited", actor=actor, milestone=m, note=m.period)
    return m


@transaction.atomic
def set_duty_item_done(item, *, actor, done: bool) -> DutyItem:
    """Tick (or untick) one duty of section IV on the unit's checklist."""
    _require_committee(actor)
    item = DutyItem.objects.select_for_update().select_related("duty__plan").get(pk=item.pk)
    if bool(item.done_at) == done:
        return item
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    _event(
        item.duty.plan,
        "duty_done" if done else "duty_undone",
        actor=actor,
        duty_item=item,
        from_status="open" if done else "done",
        to_status="done" if done else "open",
        note=item.text[:200],
    )
    return item


# --- plans ---------------------------------------------------------------------------------


@transaction.atomic
def publish_plan(plan, *, actor, number: str = "", issued_on: date | None = None) -> Plan:
    _require_committee(actor)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise TransitionError(_("This plan is already published."))
    number = (number or plan.number).strip()
    if not number:
        raise TransitionError(_("Give the plan its number before publishing it."))
    plan.number = number
    plan.issued_on = issued_on or plan.issued_on or timezone.localdate()
    plan.status = Plan.Status.PUBLISHED
    plan.save(update_fields=["number", "issued_on", "status"])
    _event(
        plan, "plan_published", actor=actor, from_status="draft", to_status="published", note=number
    )
    for m in plan.milestones.all():
        engine.milestone_scheduled(m)
    return plan


@transaction.atomic
def copy_plan(plan, *, actor, academic_year: str, offset_days: int) -> Plan:
    """A new draft plan for another academic year: the same milestones and duties, every date
    shifted by the same number of days, statuses back to "planned", no number yet."""
    _require_committee(actor)
    academic_year = academic_year.strip()
    if not academic_year:
        raise TransitionError(_("Give the academic year of the new plan."))

    def shift(d):
        return d + timedelta(days=offset_days) if d else None

    new = Plan.objects.create(
        number="",
        issued_on=None,
        place=plan.place,
        academic_year=academic_year,
        title=plan.title.replace(plan.academic_year, academic_year),
        title_en=plan.title_en.replace(plan.academic_year, academic_year),
        preamble=plan.preamble,
        purposes=plan.purposes,
        organisation=plan.organisation,
        requirements=plan.requirements.replace(plan.academic_year, academic_year),
        grassroots_starts_on=shift(plan.grassroots_starts_on),
        grassroots_ends_on=shift(plan.grassroots_ends_on),
        recipients=plan.recipients,
        signer_title=plan.signer_title,
        signer_name="",
        status=Plan.Status.DRAFT,
        copied_from=plan,
    )
    Milestone.objects.bulk_create(
        Milestone(
            plan=new,
            position=m.position,
            content=m.content,
            content_en=m.content_en,
            starts_on=shift(m.starts_on),
            ends_on=shift(m.ends_on),
            time_text="",  # formatted from the shifted dates
            responsible_body=m.responsible_body,
            responsible_body_en=m.responsible_body_en,
        )
        for m in plan.milestones.all()
    )
    for duty in plan.unit_duties.prefetch_related("items"):
        new_duty = UnitDuty.objects.create(
            plan=new,
            position=duty.position,
            unit_name=duty.unit_name,
            unit_name_en=duty.unit_name_en,
            unit_note=duty.unit_note,
        )
        copy_duty_units(duty, new_duty)
        DutyItem.objects.bulk_create(
            DutyItem(duty=new_duty, position=i.position, text=i.text, text_en=i.text_en)
            for i in duty.items.all()
        )
    _event(
        new,
        "plan_copied",
        actor=actor,
        to_status="draft",
        note=str(_("Copied from %(plan)s, dates shifted by %(days)s days."))
        % {"plan": plan, "days": offset_days},
    )
    return new


def copy_duty_units(duty, new_duty):
    """Hook for the office units linked to a duty (filled once the duty has units)."""
    units = getattr(duty, "units", None)
    if units is not None:
        new_duty.units.set(units.all())


# --- routing table -------------------------------------------------------------------------


def _name(unit) -> str:
    return unit.name if unit else "—"


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
    from .selectors import current_plan

    plan = current_plan()
    if plan:
        _event(
            plan,
            "topic_routed",
            actor=actor,
            topic=topic,
            from_status=old.code if old else "",
            to_status=department.code if department else "",
            note=f"{topic.name}: {_name(old)} → {_name(department)}",
        )
    return topic


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
        note=f"{department.name} · {timezone.localtime(q.due_at):%H:%M %d/%m/%Y}"
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
            note=str(_("Merged into no. %(no)s")) % {"no": p.pk} + (f"\n{note}" if note else ""),
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
        note=f"{old.name} → {topic.name}",
    )
    return q


# Step 13 takes its questions from the consolidated items (steps 8–9): those with a department
# or already answered — not those still at a faculty or waiting to be routed.
SELECTABLE = (QS.ROUTED, QS.ANSWERED, QS.PUBLISHED)


@transaction.atomic
def select_for_session(question, *, actor, session, selected=True) -> Question:
    """The committee picks the questions for the university-level dialogue (step 13)."""
    _require_committee(actor)
    q = _lock_question(question)
    if session.level != Level.UNIVERSITY:
        raise TransitionError(_("Questions are selected for the university-level dialogue."))
    if selected and q.status == QS.MERGED:
        raise TransitionError(_("Select the item it was merged into."))
    if selected and q.status not in SELECTABLE:
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


# --- the university-level dialogue (step 13): details, programme, participants --------------
#
# The committee runs it in the portal's own pages. Each change locks the session row, so two
# members of the standing office editing at once apply one after the other, and writes an
# `Event` on the session saying what changed (the history on the organising page).

UNIVERSITY_FIELDS = (
    "title",
    "held_on",
    "starts_at",
    "ends_at",
    "time_text",
    "venue",
    "venue_address",
    "chair",
)


def _lock_university_session(session, actor) -> DialogueSession:
    _require_committee(actor)
    s = _lock_session(session)
    if s.level != Level.UNIVERSITY:
        raise TransitionError(_("This is not the university-level dialogue."))
    return s


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _check_times(starts_at, ends_at):
    if starts_at and ends_at and ends_at <= starts_at:
        raise TransitionError(_("The end time must be after the start time."))


@transaction.atomic
def update_university_dialogue(session, *, actor, **fields) -> DialogueSession:
    """Date, time, venue and chair of the university-level dialogue (section II.2.2)."""
    unknown = set(fields) - set(UNIVERSITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    s = _lock_university_session(session, actor)
    for required in ("held_on", "venue", "chair"):
        if required in fields and not fields[required]:
            raise TransitionError(_("Give the date, the venue and the chair."))
    _check_times(fields.get("starts_at", s.starts_at), fields.get("ends_at", s.ends_at))
    changes = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(s, name)
        if old != value:
            label = DialogueSession._meta.get_field(name).verbose_name
            changes.append(f"{str(label).capitalize()}: {_show(old)} → {_show(value)}")
            setattr(s, name, value)
    if not changes:
        return s
    s.save(update_fields=[n for n in fields if n in UNIVERSITY_FIELDS])
    _event(s.plan, "session_edited", actor=actor, session=s, note="\n".join(changes))
    return s


def _programme_line(item) -> str:
    when = _show(item.starts_at) + (f"–{_show(item.ends_at)}" if item.ends_at else "")
    who = f" ({item.presenter})" if item.presenter else ""
    return f"{when} {item.title}{who}"


@transaction.atomic
def add_programme_item(
    session, *, actor, starts_at, title, ends_at=None, presenter=""
) -> ProgrammeItem:
    s = _lock_university_session(session, actor)
    _check_times(starts_at, ends_at)
    if not (title or "").strip():
        raise TransitionError(_("Give the programme item."))
    item = ProgrammeItem.objects.create(
        session=s,
        starts_at=starts_at,
        ends_at=ends_at,
        title=title.strip(),
        presenter=(presenter or "").strip(),
    )
    _event(s.plan, "programme_item_added", actor=actor, session=s, note=_programme_line(item))
    return item


@transaction.atomic
def update_programme_item(
    item, *, actor, starts_at, title, ends_at=None, presenter=""
) -> ProgrammeItem:
    s = _lock_university_session(item.session, actor)
    item = ProgrammeItem.objects.get(pk=item.pk, session=s)
    _check_times(starts_at, ends_at)
    if not (title or "").strip():
        raise TransitionError(_("Give the programme item."))
    before = _programme_line(item)
    item.starts_at, item.ends_at = starts_at, ends_at
    item.title, item.presenter = title.strip(), (presenter or "").strip()
    after = _programme_line(item)
    if before == after:
        return item
    item.save(update_fields=["starts_at", "ends_at", "title", "presenter"])
    _event(s.plan, "programme_item_edited", actor=actor, session=s, note=f"{before}\n→ {after}")
    return item


def _plus(on: date, at: time, delta: timedelta) -> time:
    moment = datetime.combine(on, at) + delta
    if moment.date() != on:
        raise TransitionError(_("The programme would run past midnight."))
    return moment.time()


def _duration(on: date, item) -> timedelta | None:
    if item.ends_at is None:
        return None
    return datetime.combine(on, item.ends_at) - datetime.combine(on, item.starts_at)


@transaction.atomic
def move_programme_item(item, *, actor, direction: str) -> ProgrammeItem:
    """Swap an item with its neighbour. The programme is ordered by time, so the two items
    trade places in time: the pair starts when the earlier one started, each keeps its own
    length, and the other items do not move."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    s = _lock_university_session(item.session, actor)
    items = list(s.programme.order_by("starts_at", "id"))
    index = next((i for i, it in enumerate(items) if it.pk == item.pk), None)
    if index is None:
        raise ProgrammeItem.DoesNotExist
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        raise TransitionError(
            _("This item is already the first one.")
            if direction == "up"
            else _("This item is already the last one.")
        )
    first, second = sorted((items[index], items[other]), key=lambda it: (it.starts_at, it.pk))
    if first.starts_at == second.starts_at:
        raise TransitionError(
            _("Both items start at the same time: change the time of one of them.")
        )
    day = s.held_on
    start = first.starts_at
    d_second, d_first = _duration(day, second), _duration(day, first)
    # `second` now opens the pair; `first` follows when `second` ends (or at second's old time).
    new_second = (start, _plus(day, start, d_second) if d_second else None)
    first_start = new_second[1] or second.starts_at
    new_first = (first_start, _plus(day, first_start, d_first) if d_first else None)
    second.starts_at, second.ends_at = new_second
    first.starts_at, first.ends_at = new_first
    ProgrammeItem.objects.bulk_update([first, second], ["starts_at", "ends_at"])
    moved = items[index]
    _event(
        s.plan,
        "programme_item_moved",
        actor=actor,
        session=s,
        note=f"{_programme_line(second)}\n{_programme_line(first)}",
    )
    return moved


@transaction.atomic
def remove_programme_item(item, *, actor) -> None:
    s = _lock_university_session(item.session, actor)
    item = ProgrammeItem.objects.get(pk=item.pk, session=s)
    line = _programme_line(item)
    item.delete()
    _event(s.plan, "programme_item_removed", actor=actor, session=s, note=line)


def _participant_line(p) -> str:
    count = f" ({p.count})" if p.count else ""
    return f"{p.get_category_display()}: {p.name}{count}"


def _check_participant(category, name, count):
    if category not in Participant.Category.values:
        raise TransitionError(_("Choose a category of section II.2.1."))
    if not (name or "").strip():
        raise TransitionError(_("Give who takes part."))
    if count is not None and count < 1:
        raise TransitionError(_("The number of people must be at least 1."))


@transaction.atomic
def add_participant(session, *, actor, category, name, count=None) -> Participant:
    """A participant group of section II.2.1 (e.g. the learner delegates a faculty selected,
    a guest agency, a newspaper), with a number of people when it is known."""
    s = _lock_university_session(session, actor)
    _check_participant(category, name, count)
    last = s.participants.aggregate(m=Max("position"))["m"] or 0
    p = Participant.objects.create(
        session=s, category=category, name=name.strip(), count=count, position=last + 1
    )
    _event(s.plan, "participant_added", actor=actor, session=s, note=_participant_line(p))
    return p


@transaction.atomic
def update_participant(participant, *, actor, category, name, count=None) -> Participant:
    s = _lock_university_session(participant.session, actor)
    p = Participant.objects.get(pk=participant.pk, session=s)
    _check_participant(category, name, count)
    before = _participant_line(p)
    p.category, p.name, p.count = category, name.strip(), count
    after = _participant_line(p)
    if before == after:
        return p
    p.save(update_fields=["category", "name", "count"])
    _event(s.plan, "participant_edited", actor=actor, session=s, note=f"{before}\n→ {after}")
    return p


@transaction.atomic
def remove_participant(participant, *, actor) -> None:
    s = _lock_university_session(participant.session, actor)
    p = Participant.objects.get(pk=participant.pk, session=s)
    line = _participant_line(p)
    p.delete()
    _event(s.plan, "participant_removed", actor=actor, session=s, note=line)


# --- the feedback form ---------------------------------------------------------------------

FS = FeedbackForm.Status


@transaction.atomic
def create_feedback_form(*, plan, actor, title, intro="") -> FeedbackForm:
    _require_committee(actor)
    if not title.strip():
        raise TransitionError(_("Give the form a title."))
    return FeedbackForm.objects.create(
        plan=plan, title=title.strip(), intro=intro.strip(), created_by=actor
    )


@transaction.atomic
def add_feedback_item(form, *, actor, kind, text, required=True) -> FeedbackItem:
    _require_committee(actor)
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FS.DRAFT:
        raise TransitionError(_("The form is open: its questions can no longer change."))
    last = form.items.order_by("-position").values_list("position", flat=True).first() or 0
    return FeedbackItem.objects.create(
        form=form, kind=kind, text=text.strip(), required=required, position=last + 1
    )


@transaction.atomic
def remove_feedback_item(item, *, actor):
    _require_committee(actor)
    if item.form.status != FS.DRAFT:
        raise TransitionError(_("The form is open: its questions can no longer change."))
    item.delete()


@transaction.atomic
def open_feedback_form(form, *, actor) -> FeedbackForm:
    _require_committee(actor)
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FS.DRAFT:
        raise TransitionError(_("Only a form being built can be opened."))
    if not form.items.exists():
        raise TransitionError(_("Add at least one question first."))
    form.status = FS.OPEN
    form.save(update_fields=["status"])
    _event(
        form.plan,
        "feedback_opened",
        actor=actor,
        from_status=FS.DRAFT,
        to_status=FS.OPEN,
        note=form.title,
    )
    return form


@transaction.atomic
def close_feedback_form(form, *, actor) -> FeedbackForm:
    _require_committee(actor)
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FS.OPEN:
        raise TransitionError(_("Only an open form can be closed."))
    form.status = FS.CLOSED
    form.save(update_fields=["status"])
    _event(
        form.plan,
        "feedback_closed",
        actor=actor,
        from_status=FS.OPEN,
        to_status=FS.CLOSED,
        note=form.title,
    )
    return form


@transaction.atomic
def submit_feedback(form, *, learner, answers: dict) -> FeedbackResponse:
    """A learner answers once; the answers carry no trace of who gave them.

    `answers` maps item id → rating (1–5) or text."""
    if not (learner.is_authenticated and learner.has_role("learner")):
        raise TransitionError(_("Only learners answer the feedback form."))
    form = FeedbackForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FS.OPEN:
        raise TransitionError(_("This form is not open for answers."))
    # The receipt row is the claim: a second submission (even at the same moment) fails here.
    _receipt, created = FeedbackReceipt.objects.get_or_create(form=form, user=learner)
    if not created:
        raise TransitionError(_("You have already answered this form. Thank you!"))
    response = FeedbackResponse.objects.create(form=form)
    rows = []
    for item in form.items.all():
        value = answers.get(item.pk)
        if item.kind == FeedbackItem.Kind.RATING:
            rating = int(value) if value not in (None, "") else None
            if rating is not None and not 1 <= rating <= 5:
                raise TransitionError(_("A rating is from 1 to 5."))
            if rating is None and item.required:
                raise TransitionError(_("Answer every required question."))
            if rating is not None:
                rows.append(FeedbackAnswer(response=response, item=item, rating=rating))
        else:
            text = (value or "").strip()
            if not text and item.required:
                raise TransitionError(_("Answer every required question."))
            if text:
                rows.append(FeedbackAnswer(response=response, item=item, text=text))
    FeedbackAnswer.objects.bulk_create(rows)
    return response
