"""The dialogue's use of the deadlines and notifications engine (portal.deadlines,
portal.notifications). Called from dialogue.services inside their transactions.

Step types (registered in DialogueConfig.ready):
- dialogue.milestone_start — a published plan's milestone that has not started: a reminder to
  the standing office shortly before its first day (no escalation: starting is not late);
- dialogue.milestone — a milestone under way, due at the end of its last day: a reminder before
  it ends, and at the breach the milestone becomes late and the standing office and the
  leadership are alerted;
- dialogue.unit_answer — a question at its faculty/institute/centre (step 7);
- dialogue.answer — a question routed to a department, due when the committee said (step 9);
- dialogue.minutes_approval — class minutes waiting for the unit's leaders (step 6).
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.deadlines import (
    REMINDER,
    close_step,
    open_step,
    register_step_type,
    sweep_memo,
    users_with_role,
)
from portal.notifications import absolute_url, notify


def register():
    register_step_type(
        "dialogue.milestone_start",
        label=_("Milestone of the dialogue plan starts"),
        hours=24 * 7,
        recipients="dialogue.services.plan.milestone_recipients",
        reminder_at=0.9,
    )
    register_step_type(
        "dialogue.milestone",
        label=_("Milestone of the dialogue plan"),
        hours=24 * 7,
        recipients="dialogue.services.plan.milestone_recipients",
        reminder_at=0.75,
    )
    register_step_type(
        "dialogue.unit_answer",
        label=_("Answer or escalate a learner's question (step 7)"),
        hours=24 * 14,
        recipients="dialogue.engine.unit_recipients",
    )
    register_step_type(
        "dialogue.answer",
        label=_("Written answer to a learner's question (step 9)"),
        hours=24 * 7,
        recipients="dialogue.engine.answer_recipients",
    )
    register_step_type(
        "dialogue.minutes_approval",
        label=_("Approve the minutes of a class dialogue (step 6)"),
        hours=72,
        recipients="dialogue.engine.minutes_recipients",
    )


# --- recipients ----------------------------------------------------------------------------


def users_with_roles(*roles) -> list:
    """The active users holding any of `roles`, through the engine's users_with_role(): in a
    sweep each role is read once, not once per step."""
    users = {}
    for role in roles:
        for user in users_with_role(role):
            users.setdefault(user.pk, user)
    return list(users.values())


def users_in_unit(role: str, unit_id, leaders_only: bool = False):
    """Active log-ins holding `role` whose office assignments put them in the unit today.

    In a deadline sweep, the members of every unit are read once for the whole sweep (one
    query, with the role's members the engine already holds), not once per step.
    """
    today = timezone.localdate()
    by_unit = sweep_memo(
        ("dialogue.users_in_unit", role, leaders_only, today),
        lambda: _users_by_unit(role, leaders_only, today),
    )
    if by_unit is not None:
        return list(by_unit.get(unit_id, ()))
    from office.models import Assignment

    assignments = Assignment.objects.on(today).filter(unit_id=unit_id)
    if leaders_only:
        assignments = assignments.filter(position__is_leadership=True)
    person_ids = assignments.values("person_id")
    return list(users_with_role(role).filter(person__pk__in=person_ids))


def _users_by_unit(role: str, leaders_only: bool, today) -> dict:
    """{unit id: [users holding `role` assigned there today]} for every unit at once."""
    from office.models import Assignment

    assignments = Assignment.objects.on(today).filter(person__user__isnull=False)
    if leaders_only:
        assignments = assignments.filter(position__is_leadership=True)
    user_ids_by_unit = {}
    for unit_id, user_id in assignments.values_list("unit_id", "person__user_id").distinct():
        user_ids_by_unit.setdefault(unit_id, set()).add(user_id)
    members = list(users_with_role(role))  # in a sweep: the engine's rows, no query
    return {
        unit_id: [user for user in members if user.pk in user_ids]
        for unit_id, user_ids in user_ids_by_unit.items()
    }


def committee_users():
    return users_with_roles("dialogue_committee")


def unit_recipients(step, kind):
    if kind == REMINDER:
        return users_in_unit("dialogue_unit", step.holder_unit_id)
    return committee_users()


def answer_recipients(step, kind):
    if kind == REMINDER:
        # A department with nobody holding the responder role yet: the committee hears of it,
        # so a routed question never waits in silence.
        return users_in_unit("dialogue_responder", step.holder_unit_id) or committee_users()
    return committee_users()


def minutes_recipients(step, kind):
    if kind == REMINDER:
        return users_in_unit("dialogue_unit", step.holder_unit_id, leaders_only=True)
    return committee_users()


# --- milestones ----------------------------------------------------------------------------


def _day_start(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


def _hours_until(start: dt.datetime, end: dt.datetime) -> float:
    return max((end - start).total_seconds() / 3600, 0.01)


def milestone_scheduled(milestone, now=None):
    """A published plan: a reminder before each future milestone starts, and the clock of the
    ones already under way."""
    now = now or timezone.now()
    start = _day_start(milestone.starts_on)
    if start > now:
        open_step(
            milestone,
            "dialogue.milestone_start",
            start=now,
            holder_role="dialogue_committee",
            hours=_hours_until(now, start),
        )
    elif milestone.status != milestone.Status.DONE:
        milestone_started(milestone, now=now)


def milestone_started(milestone, now=None):
    """The clock until the end of the milestone's last day (a reminder before, an alert at it)."""
    now = now or timezone.now()
    close_step(milestone, "dialogue.milestone_start", at=now)
    end = _day_start(milestone.ends_on + dt.timedelta(days=1))
    if end <= now:
        return None  # already past: the sweep marks it late, no clock to run
    return open_step(
        milestone,
        "dialogue.milestone",
        start=now,
        holder_role="dialogue_committee",
        hours=_hours_until(now, end),
    )


def milestone_closed(milestone, now=None):
    now = now or timezone.now()
    close_step(milestone, "dialogue.milestone_start", at=now)
    close_step(milestone, "dialogue.milestone", at=now)


# --- questions -----------------------------------------------------------------------------


def question_submitted(question):
    open_step(
        question,
        "dialogue.unit_answer",
        start=question.created_at,
        holder_role="dialogue_unit",
        holder_unit=question.unit_id,
    )


def question_left_unit(question, at):
    close_step(question, "dialogue.unit_answer", at=at)


def question_routed(question, *, due_at, at):
    close_step(question, "dialogue.answer", at=at)  # a re-route starts a new clock
    step = open_step(
        question,
        "dialogue.answer",
        start=at,
        holder_role="dialogue_responder",
        holder_unit=question.department_id,
        hours=_hours_until(at, due_at),
    )
    url = absolute_url(question.get_absolute_url())
    for user in users_in_unit("dialogue_responder", question.department_id):
        notify(
            template="dialogue/question_routed",
            context={
                "recipient": user.display_name,
                "number": question.pk,
                # Objects, not strings: each language of the message names them in its own.
                "topic": question.topic,
                "text": question.text,
                "department": question.department,
                "due_at": step.due_at,
                "url": url,
            },
            dedupe_key=f"dialogue:question:{question.pk}:routed:{step.pk}:{user.pk}",
            user=user,
        )
    return step


def question_answered(question, at):
    close_step(question, "dialogue.answer", at=at)
    url = absolute_url(question.get_absolute_url())
    for user in committee_users():
        notify(
            template="dialogue/question_answered",
            context={
                "recipient": user.display_name,
                "number": question.pk,
                "department": question.department if question.department_id else "",
                "url": url,
            },
            dedupe_key=f"dialogue:question:{question.pk}:answered:{at.isoformat()}:{user.pk}",
            user=user,
        )


def question_published(question):
    close_step(question, "dialogue.unit_answer", at=question.published_at)
    close_step(question, "dialogue.answer", at=question.published_at)
    if question.asked_by_id:
        from django.urls import reverse

        notify(
            template="dialogue/question_published",
            context={
                "recipient": question.asked_by.display_name,
                "number": question.pk,
                "text": question.text,
                "url": absolute_url(reverse("dialogue:answers") + f"#q{question.pk}"),
            },
            dedupe_key=f"dialogue:question:{question.pk}:published",
            user=question.asked_by,
        )


def question_merged(question, at):
    close_step(question, "dialogue.unit_answer", at=at)
    close_step(question, "dialogue.answer", at=at)


# --- minutes -------------------------------------------------------------------------------


def minutes_submitted(session, at):
    open_step(
        session,
        "dialogue.minutes_approval",
        start=at,
        holder_role="dialogue_unit",
        holder_unit=session.unit_id,
    )


def minutes_decided(session, at, *, approved: bool, note=""):
    close_step(session, "dialogue.minutes_approval", at=at)
    if session.submitted_by_id:
        notify(
            template="dialogue/minutes_decided",
            context={
                "recipient": session.submitted_by.display_name,
                "session": session,
                "approved": approved,
                "note": note,
                "url": absolute_url(session.get_absolute_url()),
            },
            dedupe_key=f"dialogue:session:{session.pk}:decided:{at.isoformat()}",
            user=session.submitted_by,
        )
