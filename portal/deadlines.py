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
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import connections, router, transaction
from django.db.models import Value
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import lazystr
from django.utils.module_loading import import_string
from django.utils.translation import ngettext

from .calendar import add_working_hours
from .models import Calendar, DeadlineStep

# The step-type registry lives beside DeadlineStep, which shows the labels; apps reach it here.
from .models import StepType as StepType
from .models import get_step_type as get_step_type
from .models import register_step_type as register_step_type
from .models import registered_step_types as registered_step_types
from .models import step_type_label as step_type_label
from .notifications import (
    MessageRenderer,
    absolute_url,
    new_notification,
    recipient_language,
    write_notifications,
)
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

# Within one sweep, the members of a role are read once (not once per step): see sweep_cache().
_role_members: ContextVar[dict | None] = ContextVar("deadline_role_members", default=None)
_holding_users: ContextVar[dict | None] = ContextVar("deadline_holding_users", default=None)
_sweep_memo: ContextVar[dict | None] = ContextVar("deadline_sweep_memo", default=None)


@contextmanager
def sweep_cache():
    """Remember each role's members (and the people holding steps) until the block ends.

    users_with_role() (and so holders() and the default recipients, and an app's `recipients`
    callable that uses them) then reads a role's members once for the whole sweep.
    """
    roles, users, memo = _role_members.set({}), _holding_users.set({}), _sweep_memo.set({})
    try:
        yield
    finally:
        _role_members.reset(roles)
        _holding_users.reset(users)
        _sweep_memo.reset(memo)


def sweep_memo(key, load):
    """In a sweep: `load()` once per sweep for `key`, then its result again. Outside a sweep:
    None (and `load` is not called), so the caller does its usual narrow query.

    For an app's `recipients` callable that would otherwise query once per step: it loads what
    every step of the sweep needs in one query (dialogue.engine.users_in_unit).
    """
    memo = _sweep_memo.get()
    if memo is None:
        return None
    if key not in memo:
        memo[key] = load()
    return memo[key]


def _holders_cache() -> dict:
    cache = _holding_users.get()
    return {} if cache is None else cache


def users_with_role(role: str):
    """The active users holding `role`: a QuerySet (filter it further if you need).

    In a sweep, its rows come from the sweep's cache; a further .filter() queries again.
    """
    cache = _role_members.get()
    if cache is None:
        return _role_query(role)
    if role not in cache:
        cache[role] = _role_query(role)
        len(cache[role])  # read the rows now, once
    users = cache[role]._chain()
    users._result_cache = list(cache[role])
    users._prefetch_done = True
    return users


def _role_query(role: str):
    return get_user_model().objects.filter(groups__name=role, is_active=True).distinct()


def _members(role: str) -> list:
    """users_with_role() as a list: in a sweep, straight from the cache."""
    cache = _role_members.get()
    if cache is None or role not in cache:
        return list(users_with_role(role))
    return list(cache[role])


def holders(step: DeadlineStep) -> list:
    """The person holding the step, or else everyone holding its role."""
    if step.holder_user_id:
        return [step.holder_user] if step.holder_user.is_active else []
    if step.holder_role:
        return _members(step.holder_role)
    return []


def escalation_role(role: str) -> str | None:
    mapping = {**DEFAULT_ESCALATE_TO, **getattr(settings, "DEADLINE_ESCALATE_TO", {})}
    return mapping.get(role)


def default_recipients(step: DeadlineStep, kind: str) -> list:
    if kind == REMINDER:
        return holders(step)
    head = escalation_role(step.holder_role)
    return _members(head) if head else []


def recipients_for(step: DeadlineStep, kind: str) -> list:
    try:
        step_type = get_step_type(step.step_type)
    except LookupError:
        step_type = None
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


class _LostRace(Exception):
    """Another sweep claimed some of the batch between our read and our claim."""


def _target(step: DeadlineStep):
    """The step's object, or None when it is gone: a reminder still goes out."""
    if "target_object" in step.__dict__:  # fetched for the whole batch
        return step.target_object
    try:
        return step.target
    except (ObjectDoesNotExist, ValueError, TypeError):
        return None


def _local_text(value: dt.datetime | None, tz) -> str:
    # The same text as the template filter date:"d/m/Y H:i" in the time zone `tz`.
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M") if value else ""


def _step_context(step: DeadlineStep, tz) -> dict:
    """What the deadline templates print about a step, as ready-made strings (MessageRenderer:
    the dates formatted here, not by the template's date filter)."""
    target = _target(step)
    url = ""
    if target is not None and hasattr(target, "get_absolute_url"):
        url = absolute_url(target.get_absolute_url())
    return {
        "step_label": step.label,
        # Lazy: each language of the message names the object in its own (issue 13).
        "object": lazystr(target) if target is not None else "",
        "due_at": None,
        "due_text": _local_text(step.due_at, tz),
        "started_at": None,
        "started_text": _local_text(step.started_at, tz),
        "holder_role": step.holder_role_label,
        "holder_user": str(step.holder_user) if step.holder_user_id else "",
        "url": url,
    }


def _notify_steps(claimed: list) -> dict:
    """Write the notifications of the claimed (kind, step) pairs: each message filled into a
    template rendered once per language and shape, all rows in one INSERT, one delivery task
    on commit. Returns {(kind, step pk): [notifications written]}."""
    renderers = {kind: _renderer(kind) for kind in KINDS}
    written_at = timezone.now()
    tz = timezone.get_current_timezone()
    languages = [code for code, _name in settings.LANGUAGES]
    rows, sent_for, contexts = [], {}, {}
    for kind, step in claimed:
        if step.pk not in contexts:  # a step due for both kinds: described once
            contexts[step.pk] = _step_context(step, tz)
        context, renderer = contexts[step.pk], renderers[kind]
        messages = {}  # per language: the recipient's name is the only difference
        seen = set()
        for user in recipients_for(step, kind):
            # The unique key per step, kind and person: a second sweep, or a sweep racing
            # this one, cannot create the same notification again.
            key = f"deadline:{step.pk}:{kind}:{user.pk}"
            if key in seen:
                continue
            seen.add(key)
            language = recipient_language(user)
            name = str(user)
            # Written in every language: the reader's of the moment is shown (issue 13).
            texts = {}
            for code in (language, *(c for c in languages if c != language)):
                message = messages.get(code)
                if message is None:
                    message = messages[code] = renderer.prepare(context, code, later=("recipient",))
                texts[code] = message.fill(recipient=name)
            rows.append(
                new_notification(
                    template=renderer.template,
                    dedupe_key=key,
                    rendered=texts.pop(language),
                    alternates=texts,
                    url=context["url"],
                    user=user,
                    language=language,
                    now=written_at,
                )
            )
            sent_for[key] = (kind, step.pk)
    sent = {(kind, step.pk): [] for kind, step in claimed}
    for row in write_notifications(rows):
        sent[sent_for[row.dedupe_key]].append(row)
    return sent


# The deadline templates cut at their placeholders, per language and shape: kept from one
# sweep to the next (a handful of shapes; a worker restart picks up a changed template, as it
# picks up a changed translation). Tests that change the settings start afresh.
_frames: dict[str, dict] = {}


def _renderer(kind: str) -> MessageRenderer:
    template = f"portal/deadline_{kind}"
    return MessageRenderer(template, frames=_frames.setdefault(template, {}))


@receiver(setting_changed)
def _forget_frames(**kwargs):
    _frames.clear()
    _statements.clear()


def _attach_holders(steps: list) -> None:
    """Each step's content type and holding person, from caches: the few clerks holding many
    steps are read once per sweep (one query for the new ones), not joined to every row."""
    users = _holders_cache()
    missing = {s.holder_user_id for s in steps if s.holder_user_id} - users.keys()
    if missing:
        users.update(get_user_model()._base_manager.in_bulk(missing))
    # Put straight into each step's cache of related objects (what reading step.content_type
    # would store): the descriptor's checks (types, the routers) cost more than the lookups.
    content_type = DeadlineStep._meta.get_field("content_type")
    holder_user = DeadlineStep._meta.get_field("holder_user")
    for step in steps:
        content_type.set_cached_value(step, ContentType.objects.get_for_id(step.content_type_id))
        if step.holder_user_id:
            user = users.get(step.holder_user_id)
            if user is None:
                step.holder_user = None  # gone: the step is held by its role
            else:
                holder_user.set_cached_value(step, user)


def _pending(kind: str, now: dt.datetime) -> tuple[str, str, dict]:
    when, marker = ("remind_at", "reminded_at") if kind == REMINDER else ("due_at", "escalated_at")
    return when, marker, {"closed_at__isnull": True, f"{marker}__isnull": True, f"{when}__lte": now}


def _is_due(kind: str, now: dt.datetime) -> bool:
    """One read of the kind's partial index: no transaction, no lock."""
    return DeadlineStep.objects.filter(**_pending(kind, now)[2]).exists()


def _due_kinds(now: dt.datetime) -> list[str]:
    """The kinds with a step due: on PostgreSQL one query, each kind's partial index read for
    one entry (an index-only scan), the two reads joined by UNION ALL; elsewhere one EXISTS
    per kind. No transaction, no lock: the common minute with nothing due ends here."""
    connection = connections[router.db_for_read(DeadlineStep)]
    if not connection.features.supports_slicing_ordering_in_compound:
        return [kind for kind in KINDS if _is_due(kind, now)]

    def build(now):
        first, *others = [
            DeadlineStep.objects.filter(**_pending(kind, now)[2])
            .annotate(kind=Value(number))
            .values_list("kind", flat=True)[:1]
            for number, kind in enumerate(KINDS)
        ]
        return first.union(*others, all=True).query.sql_with_params()

    sql, params = _statement(connection, ("due",), build, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        due = {number for (number,) in cursor.fetchall()}
    return [kind for number, kind in enumerate(KINDS) if number in due]


# The SQL of the sweep's statements, compiled once per database, kind and batch size: only
# `now` changes from one sweep to the next (Django's compiler took 0.2-0.4 ms a statement,
# half of an idle sweep's CPU). Forgotten when a setting changes.
_statements: dict[tuple, tuple[str, tuple]] = {}
# Stands for `now` while a statement is compiled; `now` takes its place in the parameters.
_NOW = dt.datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC)


def _statement(connection, key: tuple, build, now: dt.datetime) -> tuple[str, tuple]:
    """`build(now)`'s (sql, params), compiled once (with _NOW) for `key`, with `now` put in."""
    key = (connection.alias, SWEEP_BATCH, *key)
    if key not in _statements:
        sql, params = build(_NOW)
        if not any(_is_now(p) for p in params):
            return build(now)  # `now` did not reach the parameters as it is: never cached
        _statements[key] = (sql, tuple(params))
    sql, params = _statements[key]
    return sql, tuple(now if _is_now(p) else p for p in params)


def _is_now(param) -> bool:
    return isinstance(param, dt.datetime) and param == _NOW


def _lock_batch(kind: str, now: dt.datetime) -> tuple[list, bool]:
    """Up to SWEEP_BATCH due steps of the kind, oldest first, and whether there are more.

    Two sweeps at once: each locks the rows it takes and skips the other's (PostgreSQL);
    _claim is the claim everywhere. One row more is read (and locked until the commit) to
    know whether another batch is due without another query.
    """
    when, _marker, pending = _pending(kind, now)
    batch = list(
        DeadlineStep.objects.filter(**pending)
        .order_by(when, "pk")
        .select_for_update(skip_locked=True)[: SWEEP_BATCH + 1]
    )
    return batch[:SWEEP_BATCH], len(batch) > SWEEP_BATCH


def _claim(batch: list, marker: str, pending: dict, now: dt.datetime, one_by_one: bool) -> list:
    """Set the batch's marker: the claim that makes each step's notification go out once."""
    steps = DeadlineStep.objects.filter(**pending)
    if not one_by_one:
        # One UPDATE for the batch. Rows locked by our SELECT … FOR UPDATE always match on
        # PostgreSQL; elsewhere (no row locks) a sweep racing this one may have taken some.
        won = steps.filter(pk__in=[s.pk for s in batch]).update(**{marker: now})
        if won != len(batch):
            raise _LostRace  # roll the batch back and claim it row by row
        claimed = batch
    else:
        claimed = [s for s in batch if steps.filter(pk=s.pk).update(**{marker: now})]
    for step in claimed:  # as the database holds them now (PostgreSQL's RETURNING does so)
        setattr(step, marker, now)
    return claimed


def _claims_in_one_statement(connection) -> bool:
    """PostgreSQL locks, claims and returns a batch in one UPDATE … RETURNING."""
    return connection.vendor == "postgresql"


def _lock_and_claim(kind: str, now: dt.datetime) -> tuple[list, bool]:
    """One statement for _lock_batch and _claim (PostgreSQL): the SKIP LOCKED read of one row
    more than a batch (from the kind's partial index), the UPDATE of the batch's markers, the
    claimed rows returned, and how many the read found (to know whether more are due).

    The rows the read locked all match (they are locked until the commit): the claim cannot
    lose a race, so there is no fallback. A step due for both kinds is claimed by two
    statements, one per kind (one statement may not update a row twice)."""
    when = _pending(kind, now)[0]

    def build(now):
        _when, marker, pending = _pending(kind, now)
        read = (
            DeadlineStep.objects.filter(**pending)
            .order_by(when, "pk")
            .select_for_update(skip_locked=True)
            .values("id", when)[: SWEEP_BATCH + 1]
        )
        read_sql, params = read.query.sql_with_params()
        table = DeadlineStep._meta.db_table
        columns = ", ".join(f'"{table}"."{f.column}"' for f in DeadlineStep._meta.concrete_fields)
        sql = (
            f"WITH batch AS ({read_sql}), "
            f'first AS (SELECT "id" FROM batch ORDER BY "{when}", "id" LIMIT %s) '
            f'UPDATE "{table}" SET "{marker}" = %s FROM first WHERE "{table}"."id" = first."id" '
            f"RETURNING {columns}, (SELECT count(*) FROM batch) AS batch_read"
        )
        return sql, (*params, SWEEP_BATCH, now)

    connection = connections[router.db_for_write(DeadlineStep)]
    sql, params = _statement(connection, ("claim", kind), build, now)
    with connection.cursor() as cursor:
        _native_datetimes(connection, cursor)
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    # Each row as Django builds a row it read (DeadlineStep.from_db: the fields in order, no
    # converters on PostgreSQL), without RawQuerySet's column matching per row.
    names = [f.attname for f in DeadlineStep._meta.concrete_fields]
    rows = [DeadlineStep.from_db(connection.alias, names, row[:-1]) for row in fetched]
    rows.sort(key=lambda step: (getattr(step, when), step.pk))
    return rows, bool(fetched) and fetched[0][-1] > SWEEP_BATCH


def _native_datetimes(connection, cursor) -> None:
    """Read this cursor's dates and times with psycopg's own (compiled) loader instead of
    Django's, a Python subclass of it that sets the time zone it already has: 200 claimed
    steps hold ~1,000 of them, 2 ms of the sweeping process's CPU through Django's loader.
    Only when the two give the same value: psycopg 3 and the session's time zone being the
    one Django puts on the values (UTC with USE_TZ)."""
    raw = getattr(cursor, "cursor", None)
    adapters = getattr(raw, "adapters", None)
    info = getattr(getattr(raw, "connection", None), "info", None)
    if adapters is None or info is None or getattr(connection, "timezone", None) is None:
        return
    if info.timezone is not connection.timezone:
        return
    import psycopg  # only reached with psycopg 3

    oid = psycopg.postgres.types["timestamptz"].oid
    adapters.register_loader(oid, psycopg.postgres.adapters.get_loader(oid, psycopg.pq.Format.TEXT))


def _sweep_batch(kinds: list, now: dt.datetime, one_by_one: bool) -> tuple[dict, list]:
    """One transaction: a batch of each kind locked, claimed and notified. Returns the kinds
    that have more due steps and the (kind, step, notifications)."""
    more, claimed = [], []
    one_statement = _claims_in_one_statement(connections[router.db_for_write(DeadlineStep)])
    for kind in kinds:
        if one_statement:
            batch, has_more = _lock_and_claim(kind, now)
            if has_more:
                more.append(kind)
            claimed += [(kind, step) for step in batch]
            continue
        _when, marker, pending = _pending(kind, now)
        batch, has_more = _lock_batch(kind, now)
        if has_more:
            more.append(kind)
        if batch:
            claimed += [(kind, step) for step in _claim(batch, marker, pending, now, one_by_one)]
    steps = [step for _kind, step in claimed]
    _attach_holders(steps)
    # The objects the steps are about: one query per content type, not per step.
    attach_targets(steps)
    sent = _notify_steps(claimed)
    return more, [(kind, step, sent[kind, step.pk]) for kind, step in claimed]


def sweep_deadlines(now: dt.datetime) -> SweepResult:
    """Send the reminders and escalations due at `now`. Safe to run twice, or twice at once.

    Most minutes nothing is due: two index reads and nothing else. Otherwise each transaction
    takes a batch of each kind: the claims and the notifications commit together, so a worker
    that dies mid-sweep leaves nothing half done, and the next sweep sends them — once.
    """
    result = SweepResult()
    with sweep_cache():
        kinds = _due_kinds(now)
        one_by_one = False
        while kinds:
            try:
                with transaction.atomic():
                    more, done = _sweep_batch(kinds, now, one_by_one)
            except _LostRace:
                one_by_one = True  # the same batch again, claimed step by step
                continue
            one_by_one = False
            for kind, step, notifications in done:  # committed: now they count
                rows = result.reminders if kind == REMINDER else result.escalations
                rows.append((step, notifications))
            kinds = more
    if result.sent or result.reminders or result.escalations:
        log.info(
            "sweep at %s: %d reminders, %d escalations, %d notifications",
            now.isoformat(),
            len(result.reminders),
            len(result.escalations),
            result.sent,
        )
    return result
