import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from office.models import Assignment, AuditEvent, Person, Relation, Unit, UnitKind

from .factories import AssignmentFactory, PersonFactory, PositionFactory, UnitFactory

DIRECTORY = "/directory/"


def test_the_office_card_lists_the_four_people_with_titles_and_areas(client, seeded):
    page = client.get(DIRECTORY).content.decode()
    for name in [
        "TS. Lê Xuân Thành",
        "TS. Nguyễn Thị Thanh Nga",
        "TS. Trịnh Thành Trung",
        "KS. Nguyễn Thanh Nguyệt",
        "Truyền thông",
        "Hành chính – Tổng hợp",
        "Tuyển sinh &amp; Hợp tác Doanh nghiệp",
        "Phụ trách chung",
        "P505, nhà B1, trường Đại học Bách khoa Hà Nội",
        "+84 (0)24 8692463",
        "vp@soict.hust.edu.vn",
        "SoICT Office",
    ]:
        assert name in page, name


def test_searching_thanh_finds_thanh_and_trung(client, seeded):
    page = client.get("/directory/search/", {"q": "thanh"}).content.decode()
    assert "Lê Xuân Thành" in page
    assert "Trịnh Thành Trung" in page


def test_searching_giao_vu_finds_giao_vu_and_who_handles_it(client, seeded):
    page = client.get("/directory/search/?q=giao+vu").content.decode()
    assert "Bộ phận Giáo vụ" in page
    assert "Nguyễn Thanh Nguyệt" in page


def test_searching_truyen_thong_finds_both_deputies(client, seeded):
    response = client.get("/directory/search/", {"q": "truyen thong"})
    first = response.context["results"].units[0]
    assert first.unit.name == "Truyền thông"
    page = response.content.decode()
    assert "Nguyễn Thị Thanh Nga" in page and "Trịnh Thành Trung" in page


@pytest.mark.parametrize(
    "url", ["/directory/chart/", "/directory/units/hou/", "/directory/units/mtt/history/"]
)
def test_public_pages_need_no_log_in(client, seeded, url):
    assert client.get(url).status_code == 200


def test_a_person_page_shows_duties_and_history(client, seeded):
    nga = Person.objects.get(full_name="Nguyễn Thị Thanh Nga")
    page = client.get(reverse("office:person", args=[nga.pk])).content.decode()
    assert "Hỗ trợ Trưởng Văn phòng điều hành công việc hàng ngày" in page
    assert "Bộ phận Giáo vụ" in page


@pytest.fixture
def person_with_phone(db):
    unit = UnitFactory(code="soict-office", kind=UnitKind.OFFICE)
    position = PositionFactory(unit=unit, name="Trưởng Văn phòng")
    person = PersonFactory(phone="0912 345 678")
    AssignmentFactory(person=person, relation=Relation.POSITION, unit=unit, position=position)
    return person


@pytest.mark.parametrize(
    ("roles", "sees_phone"),
    [
        ((), False),
        (("learner",), False),
        (("applicant",), False),
        (("mtt_office",), True),
        (("directory_admin",), True),
    ],  # fmt: skip
)
def test_personal_phones_are_shown_to_logged_in_staff_only(
    client, make_user, person_with_phone, roles, sees_phone
):
    if roles:
        client.force_login(make_user(*roles))
    for url in [DIRECTORY, reverse("office:person", args=[person_with_phone.pk]),
                "/directory/search/?q=nguyen"]:  # fmt: skip
        page = client.get(url).content.decode()
        assert ("0912 345 678" in page) is sees_phone, url


def test_exports_never_contain_personal_phones(client, person_with_phone):
    assert "0912" not in client.get("/directory/export.csv").getvalue().decode("utf-8-sig")


EDIT_URLS = [
    "/directory/manage/",
    "/directory/manage/changes/",
    "/directory/manage/units/new/",
    "/directory/manage/people/new/",
    "/directory/manage/positions/new/",
    "/directory/manage/assignments/new/",
]


@pytest.mark.parametrize("url", EDIT_URLS)
def test_a_visitor_is_sent_to_log_in_before_editing(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", EDIT_URLS)
@pytest.mark.parametrize("role", ["mtt_office", "leader", "learner"])
def test_staff_without_the_directory_role_cannot_edit(client_for, url, role):
    assert client_for(role).get(url).status_code == 403


@pytest.mark.parametrize("url", EDIT_URLS)
def test_a_directory_admin_can_open_every_editing_page(client_for, url):
    assert client_for("directory_admin").get(url).status_code == 200


def test_staff_do_not_see_edit_buttons_and_admins_do(client_for, seeded):
    assert (
        "/directory/manage/units/" not in client_for("mtt_office").get(DIRECTORY).content.decode()
    )
    assert (
        "/directory/manage/units/" in client_for("directory_admin").get(DIRECTORY).content.decode()
    )


def test_an_admin_creates_a_unit_and_the_change_is_audited(client_for, db):
    client = client_for("directory_admin")
    parent = UnitFactory(code="soict")
    response = client.post(
        "/directory/manage/units/new/",
        {
            "parent": parent.pk,
            "kind": "section",
            "code": "new-section",
            "name": "Bộ phận Mới",
            "order": 5,
        },  # fmt: skip
    )
    unit = Unit.objects.get(code="new-section")
    assert response.status_code == 302
    assert unit.parent == parent
    event = AuditEvent.objects.get(action="unit.create")
    assert event.actor == client.user
    assert event.after["name"] == "Bộ phận Mới"


def test_moving_a_unit_under_its_own_sub_unit_is_refused_next_to_the_field(client_for, db):
    client = client_for("directory_admin")
    top = UnitFactory(code="top", name="Trên")
    child = UnitFactory(code="child", parent=top)
    response = client.post(
        "/directory/manage/units/top/edit/",
        {"parent": child.pk, "kind": top.kind, "code": "top", "name": "Đổi tên", "order": 0},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert response.context["form"]["name"].value() == "Đổi tên"  # nothing typed is lost
    top.refresh_from_db()
    assert top.parent is None and top.name == "Trên"


def _assignment_post(person, unit, **extra):
    data = {"person": person.pk, "relation": "in_charge", "unit": unit.pk}
    data.update(extra)
    return data


def test_an_end_date_before_the_start_is_shown_next_to_the_end_date(client_for, db):
    client = client_for("directory_admin")
    person, area = PersonFactory(), UnitFactory(kind=UnitKind.AREA)
    response = client.post(
        "/directory/manage/assignments/new/",
        _assignment_post(person, area, starts_on="2025-05-01", ends_on="2025-04-01", note="x"),
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert response.context["form"]["note"].value() == "x"
    assert not Assignment.objects.exists()


def test_the_same_assignment_twice_over_overlapping_dates_is_refused(client_for, db):
    client = client_for("directory_admin")
    person, area = PersonFactory(), UnitFactory(kind=UnitKind.AREA)
    url = "/directory/manage/assignments/new/"
    assert (
        client.post(url, _assignment_post(person, area, starts_on="2025-01-01")).status_code == 302
    )
    response = client.post(url, _assignment_post(person, area, starts_on="2025-02-01"))
    assert response.status_code == 200
    assert "starts_on" in response.context["form"].errors
    assert Assignment.objects.count() == 1


def test_reassigning_from_next_monday_keeps_today_and_shows_the_new_person_next_week(
    client_for, seeded
):
    client = client_for("directory_admin")
    trung = Person.objects.get(full_name="Trịnh Thành Trung")
    newcomer = Person.objects.create(title="ThS.", full_name="Phạm Minh Tuấn")
    current = Assignment.objects.get(person=trung, unit__code="soict-truyen-thong")
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())

    response = client.post(
        f"/directory/manage/assignments/{current.pk}/reassign/",
        {"person": newcomer.pk, "starts_on": monday.isoformat()},
    )

    assert response.status_code == 302
    now = client.get("/directory/units/soict-truyen-thong/").context["node"]
    assert [a.person for a in now.in_charge][-1] == trung
    later = client.get(f"/directory/units/soict-truyen-thong/?on={monday.isoformat()}")
    assert [a.person.full_name for a in later.context["node"].in_charge] == [
        "Nguyễn Thị Thanh Nga",
        "Phạm Minh Tuấn",
    ]
    history = client.get("/directory/units/soict-truyen-thong/history/").content.decode()
    assert "Phạm Minh Tuấn" in history and "Trịnh Thành Trung" in history
    changes = client.get("/directory/manage/changes/").content.decode()
    assert client.user.display_name in changes


def test_an_unreadable_as_of_date_falls_back_to_today(client, seeded):
    response = client.get(DIRECTORY, {"on": "31/02/2025"})
    assert response.status_code == 200
    assert response.context["on"] == timezone.localdate()


def test_the_csv_export_has_one_row_per_assignment(client, seeded):
    response = client.get("/directory/export.csv", {"unit": "soict-office"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert any("TS. Lê Xuân Thành" in row and "soict-truyen-thong" not in row for row in rows)
    truyen_thong = [r for r in rows[1:] if r[0] == "soict-truyen-thong"]
    assert {r[5] for r in truyen_thong} == {"TS. Nguyễn Thị Thanh Nga", "TS. Trịnh Thành Trung"}


def test_a_name_written_as_a_formula_is_exported_as_text(client, seeded):
    from office.models import Person

    person = Person.objects.filter(assignments__isnull=False).first()
    Person.objects.filter(pk=person.pk).update(full_name="=1+2", title="")
    rows = list(
        csv.reader(io.StringIO(client.get("/directory/export.csv").getvalue().decode("utf-8-sig")))
    )
    assert any("'=1+2" in row for row in rows)
    assert not any("=1+2" in row for row in rows)
    sheet = load_workbook(io.BytesIO(client.get("/directory/export.xlsx").content)).active
    (cell,) = [c for row in sheet.iter_rows() for c in row if c.value == "=1+2"]
    assert cell.data_type == "s"


def test_the_xlsx_export_opens_as_a_workbook(client, seeded):
    response = client.get("/directory/export.xlsx", {"on": date.today().isoformat()})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "TS. Lê Xuân Thành" in values
    assert "hou-khtc" in values


def _grow_office(sections: int, areas: int):
    office = Unit.objects.create(kind=UnitKind.OFFICE, code="soict-office", name="Văn phòng")
    for p in range(3):
        position = PositionFactory(unit=office, name=f"Chức vụ {p}")
        AssignmentFactory(relation=Relation.POSITION, unit=office, position=position)
    for s in range(sections):
        section = Unit.objects.create(
            kind=UnitKind.SECTION, code=f"s{s}", name=f"Bộ phận {s}", parent=office
        )
        AssignmentFactory(relation=Relation.MONITORS, unit=section)
        for a in range(areas):
            area = Unit.objects.create(
                kind=UnitKind.AREA, code=f"s{s}a{a}", name=f"Mảng {a}", parent=section
            )
            AssignmentFactory(unit=area)
            AssignmentFactory(unit=area, relation=Relation.GENERAL, duty="Điều hành")


@pytest.mark.parametrize("size", [(1, 1), (8, 6)])
def test_the_office_card_renders_in_a_constant_number_of_queries(
    client, db, django_assert_max_num_queries, size
):
    _grow_office(*size)
    # unit, ancestors, subtree, assignments, duties, the institutions: whatever the tree's size
    with django_assert_max_num_queries(6):
        assert client.get(DIRECTORY).status_code == 200


@pytest.mark.parametrize("size", [(1, 1), (8, 6)])
def test_the_org_chart_renders_in_a_constant_number_of_queries(
    client, db, django_assert_max_num_queries, size
):
    _grow_office(*size)
    # the institutions, the home unit, then one institution's tree (3)
    with django_assert_max_num_queries(5):
        assert client.get("/directory/chart/").status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/directory/units/s0/").status_code == 200


def test_back_to_back_assignments_show_a_last_day_before_the_next_first_day(client, db):
    import datetime as dt

    from tests.office.factories import AssignmentFactory, PersonFactory, UnitFactory

    person = PersonFactory(full_name="Trần Thị Lan")
    unit = UnitFactory(name="Phòng Đào tạo")
    AssignmentFactory(
        person=person, unit=unit, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2026, 3, 10)
    )
    AssignmentFactory(person=person, unit=unit, starts_on=dt.date(2026, 3, 10))
    body = client.get(f"/directory/people/{person.pk}/").content.decode()
    # Half-open [01/01/2025, 10/03/2026): its last day is 09/03, the next one starts 10/03.
    assert "09/03/2026" in body
    assert body.count("10/03/2026") == 1


@pytest.mark.parametrize("staff", [1, 40])
def test_the_search_reads_a_constant_number_of_queries_however_many_staff_match(
    client, db, django_assert_max_num_queries, staff
):
    """Issue 15: a unit's staff positions are not on its search card, so a faculty of hundreds
    costs what a section of one costs; matching people are capped at 50."""
    unit = UnitFactory(code="tuyen-sinh", name="Tuyển sinh", kind=UnitKind.AREA)
    clerk = PositionFactory(unit=unit, name="Cán bộ tuyển sinh", is_leadership=False)
    for _ in range(staff):
        AssignmentFactory(unit=unit, position=clerk, person=PersonFactory())
    with django_assert_max_num_queries(10):
        response = client.get("/directory/search/", {"q": "tuyen sinh"})
    assert response.status_code == 200
    (card,) = response.context["results"].units
    assert card.staff == []  # not read: the card does not show them
    assert 'data-testid="unit-result"' in response.content.decode()


def test_a_kept_search_answers_again_without_the_database_and_sees_each_edit_at_once(
    client, db, django_assert_num_queries, django_assert_max_num_queries
):
    """Issue 15: the search's results are kept under the directory's version. The same search
    again reads no directory row; a person renamed, added or ended shows at the next search."""
    unit = UnitFactory(code="tuyen-sinh", name="Tuyển sinh", kind=UnitKind.AREA)
    clerk = PositionFactory(unit=unit, name="Cán bộ tuyển sinh", is_leadership=False)
    an = PersonFactory(full_name="Phạm Thị An")
    held = AssignmentFactory(unit=unit, position=clerk, person=an)
    search = "/directory/search/"
    assert "Phạm Thị An" in client.get(search, {"q": "tuyen sinh"}).content.decode()
    with django_assert_num_queries(0):  # an anonymous reader: no session, no user
        again = client.get(search, {"q": "tuyển  sinh"}).content.decode()
    assert "Phạm Thị An" in again and 'value="tuyển  sinh"' in again

    an.full_name = "Phạm Thị Ánh"
    an.save()
    page = client.get(search, {"q": "tuyen sinh"}).content.decode()
    assert "Phạm Thị Ánh" in page and "Phạm Thị An<" not in page

    AssignmentFactory(unit=unit, position=clerk, person=PersonFactory(full_name="Đỗ Văn Bình"))
    assert "Đỗ Văn Bình" in client.get(search, {"q": "tuyen sinh"}).content.decode()

    held.delete()
    with django_assert_max_num_queries(10):
        page = client.get(search, {"q": "tuyen sinh"}).content.decode()
    assert "Phạm Thị Ánh" not in page and "Đỗ Văn Bình" in page
