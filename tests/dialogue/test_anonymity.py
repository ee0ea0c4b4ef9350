"""Finding 5: an anonymous question cannot be tied to its unit or class by any filter, search,
export or count."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dialogue import selectors, services

pytestmark = pytest.mark.django_db

CLASS = "KHMT-07-K66"


@pytest.fixture
def published(routed, khtc_responder, committee):
    def _make(anonymous, text):
        q = routed("hoc-phi", text, anonymous=anonymous, student_class=CLASS)
        q = services.answer_question(q, actor=khtc_responder, text="Học phí giữ nguyên.")
        return services.publish_answer(q, actor=committee)

    return _make


def test_the_unit_filter_of_the_public_answers_never_lists_an_anonymous_question(
    client, published, units
):
    published(True, "Câu hỏi ẩn danh về học phí")
    published(False, "Câu hỏi có tên lớp về học phí")
    page = client.get(reverse("dialogue:answers"), {"unit": units["hou-cntt"].pk})
    body = page.content.decode()
    assert "Câu hỏi có tên lớp về học phí" in body
    assert "Câu hỏi ẩn danh về học phí" not in body
    # …but it is a published answer like any other.
    assert "Câu hỏi ẩn danh về học phí" in client.get(reverse("dialogue:answers")).content.decode()


@pytest.mark.parametrize("words", [CLASS, "khmt-07", "Công nghệ thông tin"])
def test_searching_for_the_class_or_the_unit_does_not_find_it(published, words):
    published(True, "Câu hỏi ẩn danh về học phí")
    assert not selectors.public_answers(words).filter(text__contains="ẩn danh").exists()


def test_the_report_counts_anonymous_questions_apart_from_their_unit(
    client, committee, published, units
):
    published(True, "Câu hỏi ẩn danh về học phí")
    client.force_login(committee)
    body = client.get(reverse("dialogue:report")).content.decode()
    assert units["hou-cntt"].display_name not in body
    assert "(ẩn danh)" in body
    book = load_workbook(BytesIO(client.get(reverse("dialogue:report-xlsx")).content))
    values = {c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert units["hou-cntt"].display_name not in values
    assert CLASS not in values
