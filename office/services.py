"""Every change of the directory, one function per action.

Each runs in one transaction, checks the rules that forms cannot see (overlaps, moves under a
descendant), and writes an immutable AuditEvent with who, when, before and after. Rule
violations raise django.core.exceptions.ValidationError keyed by form field, so the form shows
the message next to the field and keeps what the person typed.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from portal.deferred import both, deferred

from .models import (
    Assignment,
    AuditEvent,
    Person,
    Position,
    Relation,
    Unit,
    UnitDuty,
    UnitVersion,
)

UNIT_FIELDS = [
    "kind",
    "code",
    "name",
    "name_en",
    "short_name",
    "description",
    "description_en",
    "address",
    "phone",
    "email",
    "website",
    "order",
    "starts_on",
    "ends_on",
]
PERSON_FIELDS = ["title", "full_name", "email", "staff_code", "phone", "note"]
POSITION_FIELDS = ["name", "name_en", "is_leadership", "order"]


def _snapshot(obj) -> dict:
    if isinstance(obj, Unit):
        data = {f: getattr(obj, f) for f in UNIT_FIELDS}
        data["parent"] = obj.parent.code if obj.parent_id else None
        data["merged_into"] = obj.merged_into.code if obj.merged_into_id else None
        for f in ("starts_on", "ends_on"):
            data[f] = data[f].isoformat() if data[f] else None
        return data
    if isinstance(obj, Person):
        data = {f: getattr(obj, f) for f in PERSON_FIELDS}
        data["user"] = obj.user.username if obj.user_id else None
        return data
    if isinstance(obj, Position):
        data = {f: getattr(obj, f) for f in POSITION_FIELDS}
        data["unit"] = obj.unit.code
        return data
    if isinstance(obj, Assignment):
        return {
            "person": obj.person.display_name,
            "relation": obj.relation,
            "unit": obj.unit.code,
            "position": obj.position.name if obj.position_id else None,
            "duty": obj.duty,
            "starts_on": obj.starts_on.isoformat() if obj.starts_on else None,
            "ends_on": obj.ends_on.isoformat() if obj.ends_on else None,
            "note": obj.note,
        }
    if isinstance(obj, UnitDuty):
        return {"unit": obj.unit.code, "text": obj.text, "text_en": obj.text_en}
    raise TypeError(obj)


def _label(obj) -> str:
    """What the change log names, in both languages when they differ (a unit, a position, an
    assignment): the reader's is shown (portal.deferred)."""
    with translation.override("vi"):
        vi = str(obj)
    with translation.override("en"):
        en = str(obj)
    if vi != en:
        label = deferred("%(name)s", name=both(vi, en))
        if len(label) <= 500:
            return label
    return vi[:500]


def _audit(actor, action: str, obj, before=None, after=None, note="") -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_label=_label(obj),
        before=before,
        after=after,
        note=note[:500],
    )


# --- units --------------------------------------------------------------------------------


def _check_parent(unit: Unit | None, parent: Unit | None):
    if unit is None or unit.pk is None or parent is None:
        return
    if parent.pk == unit.pk:
        raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
    if parent.path.startswith(unit.path):
        raise ValidationError(
            {
                "parent": _(
                    "%(parent)s belongs to %(unit)s: a unit cannot be moved under its own sub-unit."
                )
                % {"parent": parent.name, "unit": unit.name}
            }
        )


def create_unit(*, actor, parent: Unit | None, kind: str, code: str, name: str, **fields) -> Unit:
    with transaction.atomic():
        if Unit.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Another unit already has this code.")})
        unit = Unit(parent=parent, kind=kind, code=code, name=name, **fields)
        unit.full_clean(exclude=["path", "sort_path", "search_key"])
        unit.save()
        _audit(actor, "unit.create", unit, after=_snapshot(unit))
        return unit


def update_unit(*, actor, unit: Unit, renamed_on: date | None = None, **changes) -> Unit:
    """Rename, re-describe, move (`parent=`), close or merge a unit. Moving carries its whole
    subtree. With `renamed_on`, a new name applies from that day and the old one is kept for
    the days before (a UnitVersion); without it a changed name is a correction. Closing it
    (`ends_on`, with `merged_into` for a merger) ends its people's assignments that day."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        before = _snapshot(unit)
        if "parent" in changes:
            _check_parent(unit, changes["parent"])
        code = changes.get("code")
        if code and code != unit.code and Unit.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Another unit already has this code.")})
        old_names = (unit.name, unit.name_en)
        for field, value in changes.items():
            setattr(unit, field, value)
        _check_unit_dates(unit)
        unit.full_clean(exclude=["path", "sort_path", "search_key"])
        if renamed_on is not None:
            _keep_earlier_name(unit, old_names, renamed_on)
        unit.save()
        closing = unit.ends_on and unit.ends_on != (
            date.fromisoformat(before["ends_on"]) if before["ends_on"] else None
        )
        if closing:
            _end_unit_assignments(actor, unit)
        after = _snapshot(unit)
        if after != before:
            action = "unit.move" if before["parent"] != after["parent"] else "unit.update"
            if renamed_on is not None:
                action = "unit.rename"
            elif closing:
                action = "unit.merge" if unit.merged_into_id else "unit.close"
            _audit(actor, action, unit, before=before, after=after)
        return unit


def _check_unit_dates(unit: Unit) -> None:
    from django.utils import timezone

    if unit.starts_on and unit.ends_on and unit.ends_on <= unit.starts_on:
        raise ValidationError({"ends_on": _("A unit closes after the day it starts.")})
    if unit.merged_into_id and not unit.ends_on:
        raise ValidationError({"ends_on": _("Give the day of the merger.")})
    if unit.merged_into_id:
        into = unit.merged_into
        if into.pk == unit.pk or into.path.startswith(unit.path):
            raise ValidationError(
                {"merged_into": _("A unit merges into another unit, not into itself or its own.")}
            )
        if not into.exists_on(unit.ends_on):
            raise ValidationError(
                {"merged_into": _("That unit does not exist on the day of the merger.")}
            )
    if unit.ends_on:
        if unit.ends_on > timezone.localdate() + timedelta(days=366):
            raise ValidationError({"ends_on": _("Give a date within the next year.")})
        still_open = unit.children.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=unit.ends_on))
        if still_open.exists():
            raise ValidationError(
                {
                    "ends_on": _(
                        "Its sub-units still exist on that day: move, merge or close them first."
                    )
                }
            )


def _keep_earlier_name(unit: Unit, old_names, renamed_on: date) -> None:
    """The old name stays for the days before `renamed_on`: [previous renaming, renamed_on)."""
    from django.utils import timezone

    if (unit.name, unit.name_en) == old_names:
        raise ValidationError({"renamed_on": _("Type the new name too, or leave the date empty.")})
    if renamed_on > timezone.localdate():
        raise ValidationError(
            {"renamed_on": _("Record a renaming on or after the day it takes effect.")}
        )
    last = unit.versions.order_by("-ends_on").first()
    since = last.ends_on if last else unit.starts_on
    if since and renamed_on <= since:
        raise ValidationError(
            {
                "renamed_on": _("The current name applies from %(date)s: give a later day.")
                % {"date": since.strftime("%d/%m/%Y")}
            }
        )
    UnitVersion.objects.create(
        unit=unit, name=old_names[0], name_en=old_names[1], starts_on=since, ends_on=renamed_on
    )


def _end_unit_assignments(actor, unit: Unit) -> None:
    """A closed or merged unit's assignments end on its last day + 1 (history kept)."""
    day = unit.ends_on
    running = Assignment.objects.filter(unit=unit).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=day)
    )
    for a in running.select_related("person", "unit", "position"):
        if a.starts_on and a.starts_on >= day:
            continue  # planned after the unit closes: left for a person to look at
        before = _snapshot(a)
        a.ends_on = day
        a.save(update_fields=["ends_on"])
        _audit(actor, "assignment.end", a, before, _snapshot(a), note=str(_("unit closed")))


def add_unit_duty(*, actor, unit: Unit, text: str, text_en: str = "", order=None) -> UnitDuty:
    with transaction.atomic():
        if order is None:
            order = unit.duties.count() + 1
        duty = UnitDuty.objects.create(unit=unit, text=text, text_en=text_en, order=order)
        _audit(actor, "duty.create", duty, after=_snapshot(duty))
        return duty


# --- people and positions -----------------------------------------------------------------


def create_person(*, actor, full_name: str, **fields) -> Person:
    with transaction.atomic():
        person = Person(full_name=full_name, **fields)
        person.full_clean(exclude=["search_key"])
        person.save()
        _audit(actor, "person.create", person, after=_snapshot(person))
        return person


def update_person(*, actor, person: Person, **changes) -> Person:
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = _snapshot(person)
        for field, value in changes.items():
            setattr(person, field, value)
        person.full_clean(exclude=["search_key"])
        person.save()
        after = _snapshot(person)
        if after != before:
            _audit(actor, "person.update", person, before=before, after=after)
        return person


def link_person_to_user(*, user, email: str = "", staff_code: str = "") -> Person | None:
    """After a sign-in through the university's directory: the directory's person is this
    account, so "directly in charge" and escalations reach a real log-in.

    Matched by staff code first, then by e-mail (case-insensitive), among people not linked to
    another account. A person already linked to the account stays as they are. Audited.
    """
    if Person.objects.filter(user=user).exists():
        return None
    free = Person.objects.filter(user__isnull=True)
    person = None
    if staff_code:
        person = free.filter(staff_code__iexact=staff_code.strip()).order_by("pk").first()
    if person is None and email:
        matches = list(free.filter(email__iexact=email.strip()).order_by("pk")[:2])
        # Two people with one address: no guess; an administrator links them by hand.
        person = matches[0] if len(matches) == 1 else None
    if person is None:
        return None
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.user_id:
            return None
        before = _snapshot(person)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        _audit(
            None,
            "person.link",
            person,
            before=before,
            after=_snapshot(person),
            note="signed in through the university's directory",
        )
    return person


def create_position(*, actor, unit: Unit, name: str, **fields) -> Position:
    with transaction.atomic():
        if Position.objects.filter(unit=unit, name=name).exists():
            raise ValidationError({"name": _("This unit already has a position with this name.")})
        position = Position.objects.create(unit=unit, name=name, **fields)
        _audit(actor, "position.create", position, after=_snapshot(position))
        return position


# --- assignments --------------------------------------------------------------------------


def _check_dates(starts_on: date | None, ends_on: date | None):
    if starts_on and ends_on and ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The end date must be after the start date.")})


def _check_no_duplicate(
    *, person, relation, unit, position, duty, starts_on, ends_on, exclude_pk=None
):
    clash = (
        Assignment.objects.filter(person=person, relation=relation, unit=unit, position=position)
        .filter(duty=duty)
        .overlapping(starts_on, ends_on)
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.first()
    if other is not None:
        since = other.starts_on.strftime("%d/%m/%Y") if other.starts_on else _("the beginning")
        until = other.ends_on.strftime("%d/%m/%Y") if other.ends_on else _("further notice")
        raise ValidationError(
            {
                "starts_on": _(
                    "%(person)s already has this assignment from %(since)s until %(until)s: "
                    "the same assignment cannot overlap itself."
                )
                % {"person": person.display_name, "since": since, "until": until}
            }
        )


def assign(
    *,
    actor,
    person: Person,
    relation: str,
    unit: Unit | None = None,
    position: Position | None = None,
    duty: str = "",
    duty_en: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    order: int = 0,
    note: str = "",
) -> Assignment:
    """Give `person` a position, a general duty, or an area to be in charge of / to monitor."""
    if relation == Relation.POSITION:
        if position is None:
            raise ValidationError({"position": _("Choose the position.")})
        unit = position.unit
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit or area.")})
    if relation == Relation.GENERAL and not duty.strip():
        raise ValidationError({"duty": _("Describe the duty.")})
    if relation != Relation.POSITION:
        position = None
    _check_dates(starts_on, ends_on)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        _check_no_duplicate(
            person=person,
            relation=relation,
            unit=unit,
            position=position,
            duty=duty,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        assignment = Assignment.objects.create(
            person=person,
            relation=relation,
            unit=unit,
            position=position,
            duty=duty,
            duty_en=duty_en,
            starts_on=starts_on,
            ends_on=ends_on,
            order=order,
            note=note,
        )
        _audit(actor, "assignment.create", assignment, after=_snapshot(assignment))
        return assignment


def end_assignment(*, actor, assignment: Assignment, ends_on: date, note: str = "") -> Assignment:
    """Close an assignment: it no longer applies from `ends_on` (the history keeps it)."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        _check_dates(assignment.starts_on, ends_on)
        if assignment.ends_on is not None and assignment.ends_on <= ends_on:
            raise ValidationError(
                {
                    "ends_on": _("This assignment already ends on %(date)s.")
                    % {"date": assignment.ends_on.strftime("%d/%m/%Y")}
                }
            )
        before = _snapshot(assignment)
        assignment.ends_on = ends_on
        assignment.save(update_fields=["ends_on"])
        _audit(actor, "assignment.end", assignment, before, _snapshot(assignment), note=note)
        return assignment


def reassign(
    *, actor, assignment: Assignment, person: Person, starts_on: date, note: str = ""
) -> Assignment:
    """Hand `assignment` over to `person` from `starts_on`: the old one closes on that date.

    The new assignment keeps the relation, unit, position and duty, and the old end date if the
    old assignment had one.
    """
    with transaction.atomic():
        old = Assignment.objects.select_for_update().select_related("person").get(pk=assignment.pk)
        if old.starts_on is not None and starts_on <= old.starts_on:
            raise ValidationError(
                {
                    "starts_on": _(
                        "The handover must come after the current assignment starts (%(date)s)."
                    )
                    % {"date": old.starts_on.strftime("%d/%m/%Y")}
                }
            )
        if old.ends_on is not None and starts_on >= old.ends_on:
            raise ValidationError(
                {
                    "starts_on": _(
                        "The current assignment already ends on %(date)s; add a new assignment "
                        "instead."
                    )
                    % {"date": old.ends_on.strftime("%d/%m/%Y")}
                }
            )
        if person.pk == old.person_id:
            raise ValidationError({"person": _("Choose someone other than the current holder.")})
        before = _snapshot(old)
        old_end = old.ends_on
        old.ends_on = starts_on
        old.save(update_fields=["ends_on"])
        _audit(actor, "assignment.end", old, before, _snapshot(old), note=note)
        return assign(
            actor=actor,
            person=person,
            relation=old.relation,
            unit=old.unit,
            position=old.position,
            duty=old.duty,
            duty_en=old.duty_en,
            starts_on=starts_on,
            ends_on=old_end,
            order=old.order,
            note=note,
        )
