"""Units are effective-dated (issue 12 §10): a renamed or merged unit keeps its history, and
the directory reads as of any day, units included. Ranges are half-open [from, to)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from office import selectors, services
from office.models import Assignment, AuditEvent, UnitVersion

from .factories import AssignmentFactory, PersonFactory, UnitFactory

RENAMED = date(2024, 3, 15)


@pytest.fixture
def admin(make_user):
    return make_user("directory_admin")


@pytest.fixture
def school(db):
    return UnitFactory(kind="school", code="truong", name="Trường CNTT", name_en="School of IT")


@pytest.fixture
def renamed(school, admin):
    office = UnitFactory(
        parent=school,
        kind="office",
        code="ctct",
        name="Phòng Công tác chính trị",
        name_en="Political Affairs Office",
    )
    return services.update_unit(
        actor=admin,
        unit=office,
        name="Phòng Công tác chính trị và Sinh viên",
        name_en="Office of Political and Student Affairs",
        renamed_on=RENAMED,
    )


def test_a_renaming_from_a_day_keeps_the_old_name_for_the_days_before(renamed, school):
    version = UnitVersion.objects.get(unit=renamed)
    assert (version.name, version.name_en, version.starts_on, version.ends_on) == (
        "Phòng Công tác chính trị",
        "Political Affairs Office",
        None,
        RENAMED,
    )
    assert AuditEvent.objects.filter(action="unit.rename", object_id=renamed.pk).exists()

    def name_on(day):
        node = selectors.tree(school, on=day)
        return [(c.unit.name, c.unit.name_en) for c in node.children]

    # Half-open: the day before the renaming is the old name's last day, the day itself the new.
    assert name_on(date(2024, 3, 14)) == [("Phòng Công tác chính trị", "Political Affairs Office")]
    assert name_on(RENAMED) == [
        ("Phòng Công tác chính trị và Sinh viên", "Office of Political and Student Affairs")
    ]


def test_a_name_corrected_without_a_date_keeps_no_earlier_name(school, admin):
    office = UnitFactory(parent=school, code="typo", name="Phòng Công tác Công tác chính trị")
    services.update_unit(actor=admin, unit=office, name="Phòng Công tác chính trị")
    assert not UnitVersion.objects.exists()


@pytest.mark.parametrize(
    ("renamed_on", "same_name"),
    [(date(2024, 3, 1), False), (date(2099, 1, 1), False), (date(2024, 5, 1), True)],
)
def test_a_renaming_date_must_follow_the_last_one_not_be_ahead_and_change_the_name(
    renamed, admin, renamed_on, same_name
):
    name = renamed.name if same_name else "Phòng Chính trị"
    with pytest.raises(ValidationError) as caught:
        services.update_unit(actor=admin, unit=renamed, name=name, renamed_on=renamed_on)
    assert "renamed_on" in caught.value.message_dict
    assert UnitVersion.objects.count() == 1


def test_a_merged_unit_ends_its_assignments_and_leaves_the_directory_on_that_day(school, admin):
    old = UnitFactory(parent=school, code="old", name="Bộ môn cũ")
    new = UnitFactory(parent=school, code="new", name="Bộ môn mới")
    person = PersonFactory(full_name="Lê Văn Bình")
    AssignmentFactory(person=person, unit=old, starts_on=date(2020, 1, 1))
    services.update_unit(actor=admin, unit=old, ends_on=date(2024, 9, 1), merged_into=new)
    a = Assignment.objects.get(unit=old)
    assert a.ends_on == date(2024, 9, 1)  # kept, ended: the history stays
    assert AuditEvent.objects.filter(action="unit.merge", object_id=old.pk).exists()

    def codes(day):
        return {c.unit.code for c in selectors.tree(school, on=day).children}

    assert codes(date(2024, 8, 31)) == {"new", "old"}  # its last day
    assert codes(date(2024, 9, 1)) == {"new"}
    assert [p.full_name for p in selectors.responsible_for(old, on=date(2024, 8, 31))] == [
        "Lê Văn Bình"
    ]


def test_a_unit_with_sub_units_still_open_cannot_close(school, admin):
    UnitFactory(parent=school, code="con")
    with pytest.raises(ValidationError) as caught:
        services.update_unit(actor=admin, unit=school, ends_on=date(2024, 1, 1))
    assert "ends_on" in caught.value.message_dict


@pytest.mark.parametrize("past", [False, True])
def test_the_office_card_as_of_a_past_day_costs_one_query_more_at_most(
    client, renamed, django_assert_max_num_queries, past
):
    url = "/directory/units/ctct/" + ("?on=2024-03-14" if past else "")
    with django_assert_max_num_queries(6 + past):
        body = client.get(url).content.decode()
    assert ("Phòng Công tác chính trị và Sinh viên" in body) is not past


def test_the_unit_history_lists_its_names_with_half_open_ranges(client, renamed):
    body = client.get("/directory/units/ctct/history/").content.decode()
    names = body[body.index('data-testid="unit-names"') :]
    names = names[: names.index("</table>")]
    # The old name's last day is the day before the new name's first day.
    assert "Phòng Công tác chính trị</td>" in names.replace(
        ' <span class="text-muted small" lang="en">(Political Affairs Office)</span>', ""
    )
    assert "14/03/2024" in names and names.count("15/03/2024") == 1
