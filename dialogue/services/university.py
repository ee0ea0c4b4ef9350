"""The university-level dialogue (step 13): details, programme, participants."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from ..models import (
    DialogueSession,
    Level,
    Participant,
    ProgrammeItem,
)
from ._common import TransitionError, _event, _require_committee
from .sessions import _lock_session

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
