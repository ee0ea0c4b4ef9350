from datetime import date

from office.models import Relation, UnitKind
from office.selectors import (
    handled_by,
    people_with_role_in,
    responsible_for,
    search,
    unit_by_code,
    units_of_user,
)

from .factories import AssignmentFactory, PersonFactory, PositionFactory, UnitFactory


def _names(people):
    return [p.full_name for p in people]


def test_search_for_thanh_finds_thanh_and_trung_without_accents(seeded):
    found = _names(search("thanh").people)
    assert "Lê Xuân Thành" in found
    assert "Trịnh Thành Trung" in found


def test_search_ignores_case_and_accents_either_way(seeded):
    assert "Lê Xuân Thành" in _names(search("LÊ XUÂN THÀNH").people)
    assert "Lê Xuân Thành" in _names(search("le  xuan   thanh").people)


def test_search_for_giao_vu_finds_the_section_and_who_handles_it(seeded):
    results = search("giao vu")
    first = results.units[0]
    assert first.unit.name == "Bộ phận Giáo vụ"
    assert _names(a.person for a in first.general) == ["Nguyễn Thanh Nguyệt"]
    assert _names(a.person for a in first.monitors) == ["Nguyễn Thị Thanh Nga"]


def test_search_for_truyen_thong_finds_both_deputies(seeded):
    first = search("truyen thong").units[0]
    assert first.unit.code == "soict-truyen-thong"
    assert _names(a.person for a in first.in_charge) == [
        "Nguyễn Thị Thanh Nga",
        "Trịnh Thành Trung",
    ]


def test_search_finds_duties(seeded):
    results = search("phu trach chung")
    assert _names(a.person for a in results.duties) == ["Lê Xuân Thành"]


def test_an_empty_search_finds_nothing(seeded):
    assert search("   ").count == 0


def test_responsible_for_falls_back_to_the_unit_leaders_then_up_the_tree(db):
    faculty = UnitFactory(kind=UnitKind.FACULTY)
    dean = PositionFactory(unit=faculty, is_leadership=True)
    head = AssignmentFactory(relation=Relation.POSITION, unit=faculty, position=dean).person
    team = UnitFactory(parent=faculty)
    assert responsible_for(faculty) == [head]
    assert responsible_for(team) == [head]
    assert responsible_for(team.code) == [head]


def test_the_directory_reads_as_of_any_date_future_included(db):
    area = UnitFactory(kind=UnitKind.AREA)
    now = AssignmentFactory(unit=area, ends_on=date(2030, 1, 1)).person
    later = AssignmentFactory(unit=area, starts_on=date(2030, 1, 1)).person
    assert responsible_for(area, on=date(2029, 12, 31)) == [now]
    assert responsible_for(area, on=date(2030, 1, 1)) == [later]


def test_handled_by_lists_areas_in_charge_and_monitored_on_a_date(seeded):
    from office.models import Person

    nga = Person.objects.get(full_name="Nguyễn Thị Thanh Nga")
    codes = [u.code for u in handled_by(nga)]
    assert {"soict-hanh-chinh", "soict-truyen-thong", "soict-giaovu"} <= set(codes)


def test_people_with_role_in_lists_the_holders_leaders_first(seeded):
    people = people_with_role_in(unit_by_code("soict-office"))
    assert _names(people)[:3] == ["Lê Xuân Thành", "Nguyễn Thị Thanh Nga", "Trịnh Thành Trung"]
    assert people[0].positions_here == ["Trưởng Văn phòng"]
    assert _names(people_with_role_in("mtt-office", position="CB Văn phòng MTT")) == ["Phạm Thu Hà"]


def test_units_of_user_is_empty_for_a_visitor_and_a_stranger(db, make_user):
    from django.contrib.auth.models import AnonymousUser

    assert units_of_user(AnonymousUser()) == []
    assert units_of_user(make_user()) == []
    person = PersonFactory(user=make_user())
    AssignmentFactory(person=person, relation=Relation.MONITORS)
    assert len(units_of_user(person.user)) == 1
