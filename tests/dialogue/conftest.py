"""Fixtures for the dialogue: plan 4402/KH-ĐHM, the HOU units it names, and people placed in
those units through office assignments (the scope every dialogue permission reads)."""

import datetime as dt

import pytest
from django.utils import timezone

from dialogue import services
from dialogue.demo import load_plan, load_topics
from dialogue.models import Topic
from office import services as office
from office.models import Position, Relation, UnitKind

HOU_UNITS = [
    ("hou-ctctsv", UnitKind.DEPARTMENT, "Phòng Công tác chính trị và sinh viên"),
    ("hou-qtcsvc", UnitKind.DEPARTMENT, "Phòng Quản trị Cơ sở vật chất"),
    ("hou-qldt", UnitKind.DEPARTMENT, "Phòng Quản lý Đào tạo"),
    ("hou-khtc", UnitKind.DEPARTMENT, "Phòng Kế hoạch - Tài chính"),
    ("hou-thuvien", UnitKind.LIBRARY, "Thư viện"),
    ("hou-cntt", UnitKind.FACULTY, "Khoa Công nghệ Thông tin"),
    ("hou-ktqt", UnitKind.FACULTY, "Khoa Kinh tế"),
]


@pytest.fixture
def units(db):
    hou = office.create_unit(
        actor=None,
        parent=None,
        kind=UnitKind.UNIVERSITY,
        code="hou",
        name="Trường Đại học Mở Hà Nội",
    )
    found = {"hou": hou}
    for code, kind, name in HOU_UNITS:
        found[code] = office.create_unit(actor=None, parent=hou, kind=kind, code=code, name=name)
    return found


@pytest.fixture
def plan(units):
    """Plan 4402/KH-ĐHM as the document writes it, with the routing table of section IV."""
    plan, _created = load_plan()
    load_topics()
    return plan


@pytest.fixture
def topic(plan):
    return lambda code: Topic.objects.get(code=code)


@pytest.fixture
def member(make_user, units):
    """member("dialogue_responder", "hou-khtc") → a user holding the role and a position there."""

    def _member(role, unit_code, leader=False, **kwargs):
        user = make_user(role, **kwargs)
        unit = units[unit_code] if isinstance(unit_code, str) else unit_code
        name = "Lãnh đạo đơn vị" if leader else "Chuyên viên"
        position = Position.objects.filter(unit=unit, name=name).first() or office.create_position(
            actor=None, unit=unit, name=name, is_leadership=leader
        )
        person = office.create_person(actor=None, full_name=user.display_name, user=user)
        office.assign(
            actor=None,
            person=person,
            relation=Relation.POSITION,
            position=position,
            starts_on=timezone.localdate() - dt.timedelta(days=30),
        )
        return user

    return _member


@pytest.fixture
def committee(member):
    return member("dialogue_committee", "hou-ctctsv", full_name="Vũ Hoàng Giang")


@pytest.fixture
def unit_staff(member):
    return member("dialogue_unit", "hou-cntt", leader=True, full_name="Bùi Thị Hạnh")


@pytest.fixture
def khtc_responder(member):
    return member("dialogue_responder", "hou-khtc", full_name="Ngô Văn Khoa")


@pytest.fixture
def csvc_responder(member):
    return member("dialogue_responder", "hou-qtcsvc", full_name="Lý Thị Tâm")


@pytest.fixture
def learner(member):
    return member("learner", "hou-cntt", full_name="Đặng Thị Mai")


@pytest.fixture
def ask(plan, learner, units, topic):
    """ask("hoc-phi", "…") → a question a learner of Khoa CNTT submitted online."""

    def _ask(code="hoc-phi", text="Học phí học kỳ 2 có tăng không?", **kwargs):
        kwargs.setdefault("unit", units["hou-cntt"])
        return services.submit_question(
            plan=plan,
            learner=kwargs.pop("learner", learner),
            topic=topic(code),
            text=text,
            **kwargs,
        )

    return _ask


def in_a_week():
    return timezone.now() + dt.timedelta(days=7)


@pytest.fixture
def routed(ask, unit_staff, committee):
    """routed("hoc-phi") → a question escalated by its unit and routed by the committee."""

    def _routed(code="hoc-phi", text="Học phí học kỳ 2 có tăng không?", **kwargs):
        q = ask(code, text, **kwargs)
        services.escalate_question(q, actor=unit_staff)
        return services.route_question(q, actor=committee, due_at=in_a_week())

    return _routed
