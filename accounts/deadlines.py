"""The MTT.QT06 steps on the deadlines engine (portal.deadlines).

Every step of seed 004 §5.2 has "within 24 hours" (ACCOUNTS_STEP_HOURS, and per key
DEADLINE_HOURS): step 3 from receipt, step 4 from receipt of the checked request, step 5 and
the notification from issuance. Reminders go to whoever holds the step; escalations at the breach
go to the Head of the MTT Office (mtt_office_head).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from portal import deadlines as engine
from portal.models import DeadlineStep

from .models import HOLDER_OF_STEP

STEP_LABELS = {
    "accounts.review": _("Check the registration (step 3)"),
    "accounts.issue": _("Issue the account / reset the password (step 4)"),
    "accounts.record": _("Update the issuance log (step 5)"),
    "accounts.notify": _("Notify the user of the result (step 5)"),
}


def register():
    for key, label in STEP_LABELS.items():
        engine.register_step_type(
            key,
            label=label,
            hours=settings.ACCOUNTS_STEP_HOURS,
            recipients="accounts.deadlines.recipients",
        )


def recipients(step, kind):
    """Reminder: the person holding the step, else everyone in its role. Escalation: the Head
    of the MTT Office, whatever role held the step (seed 004 step 6 owner)."""
    if kind == engine.REMINDER:
        return engine.holders(step)
    return list(engine.users_with_role("mtt_office_head"))


def open_for(request, key, now, holder_user=None):
    """Open step `key` on the request and return its due time (computed by the engine)."""
    step = engine.open_step(
        request, key, start=now, holder_role=HOLDER_OF_STEP[key], holder_user=holder_user
    )
    return step.due_at


def close_for(request, key, now):
    engine.close_step(request, key, at=now)


def due_of(key, now):
    """The due time a step of type `key` opened at `now` gets (the engine's compute_due)."""
    step_type = engine.get_step_type(key)
    return engine.compute_due(now, step_type.allowed_hours, step_type.clock)


def open_many(model, ids, key, now):
    """open_step for a whole bulk upload (the rows of `model` with these `ids`): the same rows
    open_step writes, sent in one COPY (portal.bulkinsert) instead of two queries per request
    (10,000 rows must take seconds)."""
    from portal.bulkinsert import insert_many

    step_type = engine.get_step_type(key)
    hours = step_type.allowed_hours
    clock = step_type.clock
    due = engine.compute_due(now, hours, clock)
    remind = engine.compute_due(now, hours * step_type.reminder_at, clock)
    insert_many(
        DeadlineStep,
        {
            "step_type": key,
            "content_type": ContentType.objects.get_for_model(model),
            "started_at": now,
            "hours": hours,
            "calendar": clock,
            "remind_at": remind,
            "due_at": due,
            "holder_role": HOLDER_OF_STEP[key],
        },
        [{"object_id": str(pk)} for pk in ids],
    )


def steps_of(request):
    return list(DeadlineStep.objects.for_object(request).select_related("holder_user"))
