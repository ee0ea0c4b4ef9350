"""The plan and its milestones (section III): start, complete, reopen, late, edit, copy, publish."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal.deadlines import ESCALATION, REMINDER
from portal.deferred import deferred

from .. import engine
from ..models import (
    DutyItem,
    Milestone,
    MilestoneRound,
    Plan,
    UnitDuty,
)
from ._common import TransitionError, _event, _require_committee

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
    """A milestone marked done by mistake goes back to "in progress" (the reason is kept).

    Reopening starts a new round (issue 12 §6): the round's date and evidence move to its
    history, and the milestone waits for new evidence instead of showing the old as current.
    """
    _require_committee(actor)
    if not note.strip():
        raise TransitionError(_("Say why the milestone is reopened."))
    current = _lock_milestone(milestone)
    if current.status == MS.DONE:
        MilestoneRound.objects.create(
            milestone=current,
            number=current.round,
            done_on=current.done_on,
            evidence_note=current.evidence_note,
            evidence_file=current.evidence_file.name if current.evidence_file else "",
            reopened_at=timezone.now(),
            reopen_reason=note.strip(),
        )
    m = _move_milestone(
        milestone,
        allowed_from={MS.DONE},
        to=MS.IN_PROGRESS,
        actor=actor,
        note=note,
        action="milestone_reopened",
        done_on=None,
        evidence_note="",
        evidence_file="",
        round=current.round + 1,
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
        note=deferred(gettext_noop("The last day of the milestone has passed.")),
        action="milestone_late",
        at=at,
    )


def milestone_recipients(step, kind):
    """Who hears of a milestone's deadline step (registered in dialogue.engine). Here, beside
    mark_milestone_late, because the breach is a state change: the milestone becomes late in
    the same transaction as the alert."""
    if step.step_type == "dialogue.milestone_start":
        # Only the "starts soon" reminder; reaching the start is not a breach.
        return engine.committee_users() if kind == REMINDER else []
    if kind == ESCALATION:
        milestone = Milestone.objects.filter(pk=step.object_id).first()
        if milestone and milestone.status in (MS.PLANNED, MS.IN_PROGRESS):
            mark_milestone_late(milestone, at=timezone.now())
        return engine.users_with_roles("dialogue_committee", "leadership")
    return engine.committee_users()


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
        preamble_en=plan.preamble_en,
        purposes=plan.purposes,
        purposes_en=plan.purposes_en,
        organisation=plan.organisation,
        organisation_en=plan.organisation_en,
        requirements=plan.requirements.replace(plan.academic_year, academic_year),
        requirements_en=plan.requirements_en.replace(plan.academic_year, academic_year),
        grassroots_starts_on=shift(plan.grassroots_starts_on),
        grassroots_ends_on=shift(plan.grassroots_ends_on),
        recipients=plan.recipients,
        recipients_en=plan.recipients_en,
        signer_title=plan.signer_title,
        signer_title_en=plan.signer_title_en,
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
            unit_note_en=duty.unit_note_en,
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
        note=deferred(
            gettext_noop("Copied from %(plan)s, dates shifted by %(days)s days."),
            plan=str(plan.number or plan.academic_year),
            days=offset_days,
        ),
    )
    return new


def copy_duty_units(duty, new_duty):
    """Hook for the office units linked to a duty (filled once the duty has units)."""
    units = getattr(duty, "units", None)
    if units is not None:
        new_duty.units.set(units.all())
