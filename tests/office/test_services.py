from datetime import date

import pytest
from django.core.exceptions import ValidationError

from office import services
from office.models import Assignment, AuditEvent, Relation, Unit, UnitKind
from office.selectors import responsible_for

from .factories import AssignmentFactory, PersonFactory, UnitFactory

MON = date(2025, 3, 10)


@pytest.fixture
def admin(make_user):
    return make_user("directory_admin")


def test_a_unit_knows_its_place_in_the_tree(db, admin):
    school = services.create_unit(actor=admin, parent=None, kind="school", code="s", name="S")
    office = services.create_unit(actor=admin, parent=school, kind="office", code="o", name="O")
    area = services.create_unit(actor=admin, parent=office, kind="area", code="a", name="A")
    assert area.path == f"/{school.pk}/{office.pk}/{area.pk}/"
    assert area.depth == 2
    assert list(Unit.objects.subtree_of(office)) == [office, area]


def test_moving_a_unit_carries_its_subtree_and_is_audited(db, admin):
    a = services.create_unit(actor=admin, parent=None, kind="school", code="a", name="A")
    b = services.create_unit(actor=admin, parent=None, kind="school", code="b", name="B")
    office = services.create_unit(actor=admin, parent=a, kind="office", code="o", name="O")
    area = services.create_unit(actor=admin, parent=office, kind="area", code="x", name="X")

    services.update_unit(actor=admin, unit=office, parent=b)

    area.refresh_from_db()
    assert area.path == f"/{b.pk}/{office.pk}/{area.pk}/"
    event = AuditEvent.objects.filter(action="unit.move").get()
    assert event.actor == admin
    assert (event.before["parent"], event.after["parent"]) == ("a", "b")


def test_a_unit_cannot_be_moved_under_its_own_descendant(db, admin):
    top = services.create_unit(actor=admin, parent=None, kind="school", code="t", name="Top")
    child = services.create_unit(actor=admin, parent=top, kind="office", code="c", name="Child")
    with pytest.raises(ValidationError) as info:
        services.update_unit(actor=admin, unit=top, parent=child)
    assert "parent" in info.value.error_dict
    top.refresh_from_db()
    assert top.parent is None


def test_renaming_a_unit_records_the_name_before_and_after(db, admin):
    unit = services.create_unit(actor=admin, parent=None, kind="office", code="o", name="Cũ")
    services.update_unit(actor=admin, unit=unit, name="Mới")
    event = AuditEvent.objects.get(action="unit.update")
    assert (event.before["name"], event.after["name"]) == ("Cũ", "Mới")


def test_an_assignment_cannot_end_before_it_starts(db, admin):
    with pytest.raises(ValidationError) as info:
        services.assign(
            actor=admin,
            person=PersonFactory(),
            relation=Relation.IN_CHARGE,
            unit=UnitFactory(),
            starts_on=date(2025, 5, 1),
            ends_on=date(2025, 4, 1),
        )
    assert "ends_on" in info.value.error_dict
    assert not Assignment.objects.exists()


def test_the_same_assignment_cannot_overlap_itself(db, admin):
    person, area = PersonFactory(), UnitFactory(kind=UnitKind.AREA)
    services.assign(actor=admin, person=person, relation=Relation.IN_CHARGE, unit=area,
                    starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 1))  # fmt: skip
    with pytest.raises(ValidationError) as info:
        services.assign(actor=admin, person=person, relation=Relation.IN_CHARGE, unit=area,
                        starts_on=date(2025, 5, 1))  # fmt: skip
    assert "starts_on" in info.value.error_dict
    # Back to back is not an overlap, and monitoring is a different assignment.
    services.assign(actor=admin, person=person, relation=Relation.IN_CHARGE, unit=area,
                    starts_on=date(2025, 6, 1))  # fmt: skip
    services.assign(actor=admin, person=person, relation=Relation.MONITORS, unit=area,
                    starts_on=date(2025, 5, 1))  # fmt: skip
    assert Assignment.objects.count() == 3


def test_two_people_may_be_in_charge_of_one_area_at_once(db, admin):
    area = UnitFactory(kind=UnitKind.AREA)
    for _ in range(2):
        services.assign(actor=admin, person=PersonFactory(), relation=Relation.IN_CHARGE, unit=area)
    assert len(responsible_for(area)) == 2


def test_reassigning_closes_the_old_assignment_on_the_new_start_date(db, admin):
    area = UnitFactory(kind=UnitKind.AREA)
    old_holder, new_holder = PersonFactory(), PersonFactory()
    old = AssignmentFactory(person=old_holder, unit=area)

    new = services.reassign(actor=admin, assignment=old, person=new_holder, starts_on=MON)

    old.refresh_from_db()
    assert old.ends_on == MON
    assert (new.person, new.unit, new.relation, new.starts_on) == (
        new_holder,
        area,
        Relation.IN_CHARGE,
        MON,
    )
    assert responsible_for(area, on=date(2025, 3, 9)) == [old_holder]
    assert responsible_for(area, on=MON) == [new_holder]
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["assignment.end", "assignment.create"]
    ended = AuditEvent.objects.get(action="assignment.end")
    assert (ended.before["ends_on"], ended.after["ends_on"]) == (None, "2025-03-10")


def test_a_handover_cannot_start_before_the_current_holder_started(db, admin):
    old = AssignmentFactory(starts_on=date(2025, 4, 1))
    with pytest.raises(ValidationError) as info:
        services.reassign(actor=admin, assignment=old, person=PersonFactory(), starts_on=MON)
    assert "starts_on" in info.value.error_dict
    old.refresh_from_db()
    assert old.ends_on is None


def test_ending_an_assignment_keeps_it_in_the_history(db, admin):
    a = AssignmentFactory()
    services.end_assignment(actor=admin, assignment=a, ends_on=MON)
    assert Assignment.objects.get(pk=a.pk).ends_on == MON
    assert responsible_for(a.unit, on=MON) == []
    assert responsible_for(a.unit, on=date(2025, 3, 9)) == [a.person]


def test_audit_events_cannot_be_edited_or_deleted(db, admin):
    unit = services.create_unit(actor=admin, parent=None, kind="office", code="o", name="O")
    event = AuditEvent.objects.get(object_id=unit.pk)
    event.note = "sửa"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
