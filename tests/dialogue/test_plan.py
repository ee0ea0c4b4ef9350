import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from dialogue import plan4402 as doc
from dialogue.demo import load_plan
from dialogue.models import DutyItem, Milestone, Plan, UnitDuty

pytestmark = pytest.mark.django_db

# The Vietnamese original, kept in the repository (a clone anywhere runs on its own).
SEED = Path(settings.BASE_DIR) / "dialogue" / "data" / "plan-4402-KH-DHM.vi.txt"


def test_a_visitor_reads_plan_4402_with_its_13_milestones_and_their_dates_without_logging_in(
    client, plan
):
    response = client.get(reverse("dialogue:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "4402/KH-ĐHM" in body
    assert "ngày 04 tháng 12 năm 2023" in body
    for _pos, _content, _en, time_text, *_rest in doc.MILESTONES:
        assert time_text in body
    assert body.count('data-testid="milestone-time"') == 13
    assert "26/02 - 17/3/2024" in body  # as the document writes it
    assert "Hiệu trưởng chủ trì" in body


def test_the_plan_is_loaded_verbatim_from_the_vietnamese_original(plan):
    source = SEED.read_text(encoding="utf-8")
    assert plan.milestones.count() == 13
    for m in plan.milestones.all():
        assert m.content in source
        assert m.responsible_body in source
    assert UnitDuty.objects.filter(plan=plan).count() == 12
    for item in DutyItem.objects.filter(duty__plan=plan):
        assert item.text in source, item.text
    first = plan.unit_duties.get(position=1)
    assert first.unit_name == "Phòng Công tác Công tác chính trị và sinh viên"  # (sic)
    assert first.items.count() == 8


def test_the_milestones_have_the_documents_date_ranges(plan):
    m5 = plan.milestones.get(position=5)
    assert (m5.starts_on, m5.ends_on) == (date(2023, 12, 18), date(2024, 1, 21))
    m13 = plan.milestones.get(position=13)
    assert (m13.starts_on, m13.ends_on) == (date(2024, 4, 24), date(2024, 4, 24))


def test_loading_the_plan_twice_changes_nothing(plan):
    load_plan()
    assert Plan.objects.count() == 1
    assert Milestone.objects.count() == 13
    assert DutyItem.objects.count() == sum(len(d[5]) for d in doc.UNIT_DUTIES)


def test_no_module_of_the_repository_reads_the_shared_folder_next_to_it():
    # Built from pieces so that this test does not find itself.
    outside = re.compile("|".join([r"\.\./" + "shared", r"parent\s*/\s*['\"]" + "shared"]))
    root = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(root))
        for top in ("portal", "accounts", "dialogue", "office", "tests", "bench", "scripts")
        for path in (root / top).rglob("*.py")
        if outside.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_draft_plan_is_not_shown_to_visitors(client, plan):
    draft = Plan.objects.create(academic_year="2024 - 2025", title="Nháp")
    assert client.get(reverse("dialogue:plan", args=[draft.pk])).status_code == 404
    assert client.get(reverse("dialogue:plan", args=[plan.pk])).status_code == 200


def test_the_plan_page_shows_the_first_unit_without_its_doubled_words(client, plan):
    body = client.get(reverse("dialogue:plan", args=[plan.pk])).content.decode()
    assert "Công tác Công tác" not in body
    assert "Phòng Công tác chính trị và sinh viên" in body
    # The document itself is kept as written.
    assert plan.unit_duties.get(position=1).unit_name.count("Công tác") == 2
