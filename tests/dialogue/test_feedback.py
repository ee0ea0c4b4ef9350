"""The feedback form (phiếu phản hồi): built by the committee, answered once, anonymously."""

import pytest
from django.urls import reverse

from dialogue import services
from dialogue.models import FeedbackAnswer, FeedbackForm, FeedbackReceipt, FeedbackResponse
from dialogue.services import TransitionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(plan, committee):
    form = services.create_feedback_form(
        plan=plan, actor=committee, title="Phiếu phản hồi 2023 - 2024"
    )
    services.add_feedback_item(form, actor=committee, kind="rating", text="Hài lòng về giảng dạy")
    services.add_feedback_item(
        form, actor=committee, kind="text", text="Ý kiến khác", required=False
    )
    return services.open_feedback_form(form, actor=committee)


def _answers(form, rating=4, text=""):
    rating_item, text_item = form.items.order_by("position")
    return {rating_item.pk: rating, text_item.pk: text}


def test_only_the_committee_builds_and_opens_a_form(plan, make_user):
    with pytest.raises(TransitionError):
        services.create_feedback_form(plan=plan, actor=make_user("learner"), title="Phiếu")


def test_an_empty_form_cannot_be_opened_and_an_open_form_cannot_change(plan, committee, form):
    empty = services.create_feedback_form(plan=plan, actor=committee, title="Trống")
    with pytest.raises(TransitionError):
        services.open_feedback_form(empty, actor=committee)
    with pytest.raises(TransitionError):
        services.add_feedback_item(form, actor=committee, kind="text", text="Thêm muộn")


def test_a_learner_answers_once_and_the_answers_carry_no_identity(form, learner):
    services.submit_feedback(form, learner=learner, answers=_answers(form, 5, "Tốt"))
    with pytest.raises(TransitionError):
        services.submit_feedback(form, learner=learner, answers=_answers(form, 1))
    assert FeedbackResponse.objects.count() == 1
    assert FeedbackReceipt.objects.filter(user=learner).count() == 1
    response_fields = {f.name for f in FeedbackResponse._meta.get_fields()}
    assert "user" not in response_fields and "submitted_at" not in response_fields
    answer_fields = {f.name for f in FeedbackAnswer._meta.get_fields()}
    assert "user" not in answer_fields


def test_a_required_rating_and_the_range_are_checked(form, learner):
    with pytest.raises(TransitionError):
        services.submit_feedback(form, learner=learner, answers=_answers(form, None))
    with pytest.raises(TransitionError):
        services.submit_feedback(form, learner=learner, answers=_answers(form, 9))
    assert not FeedbackReceipt.objects.exists()  # a refused answer leaves no receipt


def test_only_learners_answer_and_only_open_forms(form, committee, learner):
    with pytest.raises(TransitionError):
        services.submit_feedback(form, learner=committee, answers=_answers(form))
    services.close_feedback_form(form, actor=committee)
    with pytest.raises(TransitionError):
        services.submit_feedback(form, learner=learner, answers=_answers(form))


def test_the_results_show_counts_per_rating_and_the_texts(client, form, member, committee):
    for rating in (5, 5, 3):
        services.submit_feedback(
            form,
            learner=member("learner", "hou-cntt"),
            answers=_answers(form, rating, "Cần thêm điều hoà"),
        )
    client.force_login(committee)
    response = client.get(reverse("dialogue:feedback-results", args=[form.pk]))
    body = response.content.decode()
    assert "3 phiếu trả lời" in body
    assert "4,33" in body or "4.33" in body  # the average
    assert "Cần thêm điều hoà" in body
    rows = {row["item"].text: row for row in response.context["rows"]}
    bars = {r: n for r, n, _pct in rows["Hài lòng về giảng dạy"]["bars"]}
    assert bars == {1: 0, 2: 0, 3: 1, 4: 0, 5: 2}


def test_a_learner_answers_through_the_page_and_is_told_on_a_second_visit(client, form, learner):
    client.force_login(learner)
    rating_item, text_item = form.items.order_by("position")
    response = client.post(
        reverse("dialogue:feedback", args=[form.pk]),
        {f"item_{rating_item.pk}": "4", f"item_{text_item.pk}": "", "privacy_consent": "on"},
    )
    assert response.status_code == 302
    response = client.get(reverse("dialogue:feedback", args=[form.pk]), follow=True)
    assert "Bạn đã trả lời phiếu này" in response.content.decode()
    assert FeedbackForm.objects.get().responses.count() == 1


def test_learners_cannot_see_the_results(client, form, learner):
    client.force_login(learner)
    assert client.get(reverse("dialogue:feedback-results", args=[form.pk])).status_code == 404
