"""Deadlines as data: steps that must be done by a due time, and the sweep that enforces them.

An app registers its step types once (AppConfig.ready) and opens / closes steps inside its own
services' transactions:

    register_step_type("accounts.review", label=_("Check the registration (step 3)"), hours=24,
                       recipients="accounts.deadlines.recipients")
    step = open_step(request, "accounts.review", start=now, holder_role="mtt_office")
    close_step(request, "accounts.review", at=now)

`sweep_deadlines(now)` (Celery beat every minute, and `manage.py sweep_deadlines`) sends each
step's reminder (default: at 75 % of the allowed time, to the holders) and its escalation (at the
due time, to the head of the holding role), each exactly once.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import ngettext

from .calendar import add_working_hours
from .models import Calendar, DeadlineStep
from .roles import Role
from .selectors import attach_targets

log = logging.getLogger(__name__)

REMINDER = "reminder"
ESCALATION = "escalation"
KINDS = (REMINDER, ESCALATION)

# The head each holding role escalates to (DESIGN.md roles). Settings may extend or replace it
# with DEADLINE_ESCALATE_TO; an app's `recipients` callable decides first.
DEFAULT_ESCALATE_TO = {
    Role.MTT_OFFICE.value: Role.MTT_OFFICE_HEAD.value,
    Role.MTT_TECHNICIAN.value: Role.MTT_OFFICE_HEAD.value,
    Role.MTT_ACCOUNT_MANAGER.value: Role.MTT_OFFICE_HEAD.value,
    Role.DIALOGUE_UNIT.value: Role.DIALOGUE_COMMITTEE.value,
    Role.DIALOGUE_RESPONDER.value: Role.DIALOGUE_COMMITTEE.value,
    Role.DIALOGUE_COMMITTEE.value: Role.LEADERSHIP.value,
}

# How many due steps one transaction of the sweep handles.
SWEEP_BATCH = 100


@dataclass(frozen=True)
class StepType:
    key: str
    label: str
    hours: float
    recipients: str | None = None
    reminder_at: float = 0.75
    calendar: str = Calendar.WALL

    @property
    def allowed_hours(self) -> float:
        """The allowed time, unless settings.DEADLINE_HOURS overrides it for this key."""
        return float(getattr(settings, "DEADLINE_HOURS", {}).get(self.key, self.hours))

    @property
    def clock(self) -> str:
        return getattr(settings, "DEADLINE_CALENDARS", {}).get(self.key, self.calendar)


_step_types: dict[str, StepType] = {}


def register_step_type(
    key: str,
    *,
    label,
    hours: float,
    recipients: str | None = None,
    reminder_at: float = 0.75,
    calendar: str = Calendar.WALL,
) -> StepType:
    """Declare a kind of step ("<app>.<step>") with its allowed time and policy.

    `recipients` is the dotted path of `callable(step, kind) -> list[User]`; without one the
    holders are reminded and the head role of DEFAULT_ESCALATE_TO is escalated to.
    """
    if calendar not in Calendar.values:
        raise ValueError(f"calendar must be one of {Calendar.values}, not {calendar!r}")
    if not 0 < reminder_at < 1:
        raise ValueError("reminder_at is a fraction of the allowed time, between 0 and 1")
    step_type = StepType(key, label, hours, recipients, reminder_at, str(calendar))
    _step_types[key] = step_type
    return step_type


def get_step_type(key: str) -> StepType:
    try:
        return _step_types[key]
    except KeyError:
        raise LookupError(
            f"Unknown step type {key!r}: register it with register_step_type() in ready()"
        ) from None


def step_type_label(key: str):
    step_type = _step_types.get(key)
    return step_type.label if step_type else key


def registered_step_types() -> list[StepType]:
    return sorted(_step_types.values(), key=lambda s: s.key)


def compute_due(start: dt.datetime, hours, calendar: str = Calendar.WALL) -> dt.datetime:
    """The one function that turns a start and an allowed time into a due time.

    "wall": the documents' "within 24 hours" — 24 hours on the clock.
    "working": only office hours on Vietnamese working days count (portal.calendar).
    """
    if calendar == Calendar.WORKING:
        return add_working_hours(start, hours)
    if calendar != Calendar.WALL:
        raise ValueError(f"unknown calendar {calendar!r}")
    return start + dt.timedelta(hours=float(Decimal(str(hours))))


def _unit_id(unit):
    return getattr(unit, "pk", unit)


def open_step(
    obj,
    key: str,
    *,
    start: dt.datetime | None = None,
    holder_role: str = "",
    holder_user=None,
    holder_unit=None,
    hours=None,
) -> DeadlineStep:
    """Start the clock of step `key` on `obj`. Call it inside the service's transaction.

    Opening a step that is already open keeps its clock and updates who holds it (a person
    claiming a request from the role's queue), so calling it twice is harmless.
    """
    step_type = get_step_type(key)
    start = start or timezone.now()
    allowed = step_type.allowed_hours if hours is None else float(hours)
    holder = {
        "holder_role": str(holder_role or ""),
        "holder_user": holder_user,
        "holder_unit_id": _unit_id(holder_unit),
    }
    with transaction.atomic():
        return _open_or_update(obj, key, step_type, start, allowed, holder)


def _open_or_update(obj, key, step_type, start, allowed, holder) -> DeadlineStep:
    content_type = ContentType.objects.get_for_model(obj)
    existing = (
        DeadlineStep.objects.select_for_update()
        .filter(content_type=content_type, object_id=str(obj.pk), step_type=key)
        .open()
        .first()
    )
    if existing:
        for name, value in holder.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(holder))
        return existing
    clock = step_type.clock
    return DeadlineStep.objects.create(
        step_type=key,
        content_type=content_type,
        object_id=str(obj.pk),
        started_at=start,
        hours=Decimal(str(allowed)),
        calendar=clock,
        remind_at=compute_due(start, allowed * step_type.reminder_at, clock),
        due_at=compute_due(start, allowed, clock),
        **holder,
    )


def close_step(obj, key: str, *, at: dt.datetime | None = None) -> int:
    """Stop the clock of step `key` on `obj`. Idempotent: returns how many steps it closed."""
    return (
        DeadlineStep.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            step_type=key,
        )
        .open()
        .update(closed_at=at or timezone.now())
    )


def describe_duration(delta: dt.timedelta) -> str:
    """ "2 days 3 hours", "3 hours 5 minutes", "12 minutes": for "overdue by" / "left"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if not days and (minutes or not hours):
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


# --- Who hears about a step ----------------------------------------------------------------


def users_with_role(role: str):
    return get_user_model().objects.filter(groups__name=role, is_active=True).distinct()


def holders(step: DeadlineStep) -> list:
    """The person holding the step, or else everyone holding its role."""
    if step.holder_user_id:
        return [step.holder_user] if step.holder_user.is_active else []
    if step.holder_role:
        return list(users_with_role(step.holder_role))
    return []


def escalation_role(role: str) -> str | None:
    mapping = {**DEFAULT_ESCALATE_TO, **getattr(settings, "DEADLINE_ESCALATE_TO", {})}
    return mapping.get(role)


def default_recipients(step: DeadlineStep, kind: str) -> list:
    if kind == REMINDER:
        return holders(step)
    head = escalation_role(step.holder_role)
    return list(users_with_role(head)) if head else []


def recipients_for(step: DeadlineStep, kind: str) -> list:
    step_type = _step_types.get(step.step_type)
    if step_type and step_type.recipients:
        return list(import_string(step_type.recipients)(step, kind))
    return default_recipients(step, kind)


# --- The sweep -----------------------------------------------------------------------------


@dataclass
class SweepResult:
    reminders: list = field(default_factory=list)  # (step, [notifications])
    escalations: list = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(len(n) for _s, n in self.reminders + self.escalations)


def _target(step: DeadlineStep):
    """The step's object, or None when it is gone: a reminder still goes out."""
    if "target_object" in step.__dict__:  # fetched for the whole batch
        return step.target_object
    try:
        return step.target
    except (ObjectDoesNotExist, ValueError, TypeError):
        return None


def _notify_step(step: DeadlineStep, kind: str, now: dt.datetime) -> list:
    from .notifications import absolute_url, notify

    target = _target(step)
    url = ""
    if target is not None and hasattr(target, "get_absolute_url"):
        url = absolute_url(target.get_absolute_url())
    sent = []
    for user in recipients_for(step, kind):
        sent.append(
            notify(
                template=f"portal/deadline_{kind}",
                context={
                    "step_label": step.label,
                    "object": str(target) if target is not None else "",
                    "due_at": step.due_at,
                    "started_at": step.started_at,
                    "holder_role": step.holder_role_label,
                    "holder_user": str(step.holder_user) if step.holder_user_id else "",
                    "recipient": str(user),
                    "url": url,
                },
                # The unique key per step, kind and person: a second sweep, or a sweep racing
                # this one, cannot create the same notification again.
                dedupe_key=f"deadline:{step.pk}:{kind}:{user.pk}",
                user=user,
            )
        )
    return sent


def _sweep_kind(kind: str, now: dt.datetime, result: SweepResult) -> None:
    when, marker = ("remind_at", "reminded_at") if kind == REMINDER else ("due_at", "escalated_at")
    pending = {"closed_at__isnull": True, f"{marker}__isnull": True, f"{when}__lte": now}
    # Most minutes nothing is due: one read of the partial index, no transaction, no lock.
    if not DeadlineStep.objects.filter(**pending).exists():
        return
    while True:
        with transaction.atomic():
            # Two sweeps at once: each locks the rows it takes and skips the other's
            # (PostgreSQL); the conditional update below is the claim on every database.
            batch = list(
                DeadlineStep.objects.filter(**pending)
                .select_related("holder_user", "content_type")
                .order_by(when, "pk")
                .select_for_update(skip_locked=True, of=("self",))[:SWEEP_BATCH]
            )
            if not batch:
                return
            # The objects the steps are about: one query per content type, not one per step.
            attach_targets(batch)
            for step in batch:
                won = DeadlineStep.objects.filter(pk=step.pk, **pending).update(**{marker: now})
                if not won:
                    continue
                notifications = _notify_step(step, kind, now)
                (result.reminders if kind == REMINDER else result.escalations).append(
                    (step, notifications)
                )
        if len(batch) < SWEEP_BATCH:
            return


def sweep_deadlines(now: dt.datetime) -> SweepResult:
    """Send the reminders and escalations due at `now`. Safe to run twice, or twice at once.

    A worker that dies mid-sweep rolls its transaction back: the claim and the notifications
    go together, so the next sweep sends them — once.
    """
    result = SweepResult()
    for kind in KINDS:
        _sweep_kind(kind, now, result)
    if result.sent or result.reminders or result.escalations:
        log.info(
            "sweep at %s: %d reminders, %d escalations, %d notifications",
            now.isoformat(),
            len(result.reminders),
            len(result.escalations),
            result.sent,
        )
    return result
