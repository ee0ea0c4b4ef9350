from office import demo
from office.models import Assignment, AuditEvent, Person, Relation, Unit, UnitDuty
from office.selectors import responsible_for, unit_by_code


def test_loaddemo_loads_the_soict_office_card_verbatim(seeded):
    office = unit_by_code("soict-office")
    assert office.name == "Văn phòng Trường"
    assert office.name_en == "SoICT Office"
    assert office.address == "P505, nhà B1, trường Đại học Bách khoa Hà Nội"
    assert office.phone == "+84 (0)24 8692463"
    assert office.email == "vp@soict.hust.edu.vn"
    assert UnitDuty.objects.filter(unit=office).count() == 4
    assert [u.name for u in Unit.objects.filter(parent=office).order_by("sort_path")] == [
        "Bộ phận Giáo vụ",
        "Bộ phận Hành chính – Tổng hợp, Truyền thông, Tuyển sinh & Hợp tác Doanh nghiệp",
        "Bộ phận Khoa học Công nghệ & Hợp tác Quốc tế",
        "Bộ phận Tài chính & Kế toán, và Cơ sở vật chất",
    ]


def test_the_four_people_of_seed_000_have_their_titles(seeded):
    names = {p.display_name for p in Person.objects.filter(user__isnull=True)}
    assert {
        "TS. Lê Xuân Thành",
        "TS. Nguyễn Thị Thanh Nga",
        "TS. Trịnh Thành Trung",
        "KS. Nguyễn Thanh Nguyệt",
    } <= names


def test_truyen_thong_has_two_deputies_directly_in_charge_at_once(seeded):
    people = responsible_for("soict-truyen-thong")
    assert [p.full_name for p in people] == ["Nguyễn Thị Thanh Nga", "Trịnh Thành Trung"]


def test_monitoring_giao_vu_is_not_being_in_charge_of_it(seeded):
    nga = Person.objects.get(full_name="Nguyễn Thị Thanh Nga")
    giaovu = unit_by_code("soict-giaovu")
    assert Assignment.objects.filter(person=nga, unit=giaovu, relation=Relation.MONITORS).exists()
    assert not Assignment.objects.filter(
        person=nga, unit=giaovu, relation=Relation.IN_CHARGE
    ).exists()
    assert [p.full_name for p in responsible_for(giaovu)] == ["Nguyễn Thanh Nguyệt"]


def test_a_bundled_section_keeps_its_areas_and_the_head_holds_one_of_them(seeded):
    section = unit_by_code("soict-hcth")
    areas = [u.name for u in Unit.objects.filter(parent=section).order_by("sort_path")]
    assert areas == ["Hành chính – Tổng hợp", "Truyền thông", "Tuyển sinh & Hợp tác Doanh nghiệp"]
    assert [p.full_name for p in responsible_for("soict-tuyen-sinh")] == ["Lê Xuân Thành"]


def test_the_mtt_and_the_section_iv_units_of_plan_4402_are_loaded(seeded):
    for code in ["mtt", "mtt-office", "mtt-technical", "hou", "hou-ctctsv", "hou-qtcsvc",
                 "hou-qldt", "hou-khdn", "hou-ktqlcl", "hou-khtc", "hou-thanhtra", "hou-ttcnkts",
                 "hou-tttts", "hou-thuvien", "hou-doan", "hou-hsv", "hou-cntt", "hou-dtttx",
                 "hou-ttdttt", "hou-danang"]:  # fmt: skip
        assert unit_by_code(code)
    assert unit_by_code("hou-khtc").name == "Phòng Kế hoạch - Tài chính"
    assert unit_by_code("mtt-office").email == "office-bknic@hust.edu.vn"


def test_demo_log_ins_are_linked_to_people_in_their_units(seeded):
    from office.selectors import units_of_user
    from portal.models import User

    expected = {
        "mtt_office": "mtt-office",
        "mtt_head": "mtt-office",
        "mtt_technician": "mtt-technical",
        "mtt_manager": "mtt-technical",
        "directory_admin": "soict-office",
        "committee": "hou-ctctsv",
        "responder": "hou-khtc",
        "unit_leader": "hou-cntt",
        "leader": "hou-bgh",
        "learner": "hou-cntt",
    }
    for username, code in expected.items():
        units = units_of_user(User.objects.get(username=username))
        assert [u.code for u in units] == [code], username


def test_running_loaddemo_twice_changes_nothing(seeded):
    counts = (Unit.objects.count(), Person.objects.count(), Assignment.objects.count())
    events = AuditEvent.objects.count()
    demo.load()
    assert (Unit.objects.count(), Person.objects.count(), Assignment.objects.count()) == counts
    assert AuditEvent.objects.count() == events
