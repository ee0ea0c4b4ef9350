"""Learners' questions: from the unit (step 7) to the department (steps 8–9) to the public."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogue import services
from dialogue.models import Event, Question
from dialogue.services import TransitionError
from portal.models import DeadlineStep, Notification
from tests.dialogue.conftest import in_a_week

pytestmark = pytest.mark.django_db
S = Question.Status


def test_a_learner_submits_a_question_that_waits_at_their_faculty_with_a_deadline(ask, learner):
    q = ask("hoc-phi", "Học phí có được chia thành nhiều đợt không?")
    assert q.status == S.SUBMITTED
    assert q.asked_by == learner and q.unit.code == "hou-cntt"
    assert q.events.get().to_status == S.SUBMITTED
    step = DeadlineStep.objects.for_object(q).get()
    assert step.step_type == "dialogue.unit_answer" and step.holder_unit_id == q.unit_id


def test_only_a_learner_may_submit_a_question(plan, make_user, topic, units):
    with pytest.raises(TransitionError):
        services.submit_question(
            plan=plan,
            learner=make_user("dialogue_unit"),
            topic=topic("hoc-phi"),
            text="Một câu hỏi",
            unit=units["hou-cntt"],
        )


def test_the_unit_answers_within_its_authority_and_publishes_it(ask, unit_staff):
    q = ask("dao-tao", "Khoa có thể tổ chức thêm buổi gặp cố vấn học tập không?")
    q = services.answer_at_unit(q, actor=unit_staff, text="Khoa sẽ tổ chức vào tuần 10.")
    assert q.status == S.ANSWERED and q.answered_by_unit == q.unit
    q = services.publish_answer(q, actor=unit_staff)
    assert q.status == S.PUBLISHED and q.published_at
    assert not DeadlineStep.objects.for_object(q).open().exists()


def test_staff_of_another_faculty_cannot_act_on_the_question(ask, member):
    other = member("dialogue_unit", "hou-ktqt")
    q = ask()
    with pytest.raises(TransitionError):
        services.escalate_question(q, actor=other)
    with pytest.raises(TransitionError):
        services.answer_at_unit(q, actor=other, text="…")


def test_the_unit_escalates_and_only_the_committee_routes(ask, unit_staff, committee, units):
    q = services.escalate_question(ask(), actor=unit_staff, note="Ngoài thẩm quyền")
    assert q.status == S.ESCALATED
    with pytest.raises(TransitionError):
        services.route_question(q, actor=unit_staff, due_at=in_a_week())
    q = services.route_question(q, actor=committee, due_at=in_a_week())
    assert q.status == S.ROUTED
    assert q.department == units["hou-khtc"]  # the routing table: tuition → Kế hoạch - Tài chính
    step = DeadlineStep.objects.for_object(q).open().get()
    assert step.step_type == "dialogue.answer" and step.holder_unit_id == units["hou-khtc"].pk
    assert abs((step.due_at - q.due_at).total_seconds()) < 1


def test_routing_notifies_the_departments_responders_only(routed, khtc_responder, csvc_responder):
    routed()
    recipients = set(
        Notification.objects.filter(template="dialogue/question_routed").values_list(
            "user", flat=True
        )
    )
    assert recipients == {khtc_responder.pk}


def test_a_due_date_in_the_past_is_refused(ask, unit_staff, committee):
    q = services.escalate_question(ask(), actor=unit_staff)
    with pytest.raises(TransitionError):
        services.route_question(q, actor=committee, due_at=timezone.now() - dt.timedelta(hours=1))


def test_only_the_departments_responders_answer_and_the_clock_stops(
    routed, khtc_responder, csvc_responder
):
    q = routed()
    with pytest.raises(TransitionError):
        services.answer_question(q, actor=csvc_responder, text="Không phải việc của chúng tôi")
    q = services.answer_question(
        q, actor=khtc_responder, text="Học phí không tăng.", letter_number="12/ĐHM-KHTC"
    )
    assert q.status == S.ANSWERED and q.letter_number == "12/ĐHM-KHTC"
    assert (
        not DeadlineStep.objects.for_object(q).filter(step_type="dialogue.answer").open().exists()
    )


def test_department_answers_are_published_by_the_committee_not_the_unit(
    routed, khtc_responder, unit_staff, committee, learner
):
    q = services.answer_question(routed(), actor=khtc_responder, text="Học phí không tăng.")
    with pytest.raises(TransitionError):
        services.publish_answer(q, actor=unit_staff)
    q = services.publish_answer(q, actor=committee)
    assert q.status == S.PUBLISHED
    assert Notification.objects.filter(
        template="dialogue/question_published", user=learner
    ).exists()


def test_the_committee_returns_a_thin_answer_and_a_new_clock_starts(
    routed, khtc_responder, committee
):
    q = services.answer_question(routed(), actor=khtc_responder, text="Đang xem xét.")
    with pytest.raises(TransitionError):
        services.return_answer(q, actor=committee, note="", due_at=in_a_week())
    q = services.return_answer(
        q, actor=committee, note="Cần nêu mức học phí cụ thể", due_at=in_a_week()
    )
    assert q.status == S.ROUTED
    assert (
        DeadlineStep.objects.for_object(q).filter(step_type="dialogue.answer").open().count() == 1
    )


def test_every_transition_writes_an_event_with_who_from_and_to(routed, khtc_responder, committee):
    q = services.publish_answer(
        services.answer_question(routed(), actor=khtc_responder, text="Không tăng."),
        actor=committee,
    )
    rows = list(q.events.values_list("action", "from_status", "to_status"))
    assert rows == [
        ("question_submitted", "", "submitted"),
        ("question_escalated", "submitted", "escalated"),
        ("question_routed", "escalated", "routed"),
        ("question_answered", "routed", "answered"),
        ("question_published", "answered", "published"),
    ]
    assert (
        Event.objects.filter(question=q, action="question_answered").get().actor == khtc_responder
    )


def test_a_transition_from_the_wrong_state_is_refused(ask, committee):
    q = ask()
    with pytest.raises(TransitionError):
        services.publish_answer(q, actor=committee)
    with pytest.raises(TransitionError):
        services.route_question(q, actor=committee, due_at=in_a_week())


def test_merging_duplicates_keeps_the_count_and_the_sources(
    ask, unit_staff, committee, member, units, plan, topic
):
    first = services.escalate_question(ask(text="Cho nộp học phí nhiều đợt"), actor=unit_staff)
    second = services.escalate_question(ask(text="Chia nhỏ đợt đóng học phí"), actor=unit_staff)
    third = services.escalate_question(ask(text="Nộp học phí hai lần một kỳ"), actor=unit_staff)
    primary = services.merge_questions(first, [second, third], actor=committee)
    assert primary.source_count == 3
    assert set(primary.merged.values_list("pk", flat=True)) == {second.pk, third.pk}
    second.refresh_from_db()
    assert second.status == S.MERGED and second.merged_into == primary
    # merging the merged item again is refused
    with pytest.raises(TransitionError):
        services.merge_questions(first, [second], actor=committee)


def test_only_the_committee_edits_the_routing_table(plan, topic, units, committee, unit_staff):
    fees = topic("hoc-phi")
    with pytest.raises(TransitionError):
        services.set_topic_department(fees, actor=unit_staff, department=units["hou-qldt"])
    services.set_topic_department(fees, actor=committee, department=units["hou-qldt"])
    fees.refresh_from_db()
    assert fees.department == units["hou-qldt"]
    assert Event.objects.filter(topic=fees, action="topic_routed").exists()


def test_the_routing_table_is_prefilled_from_section_iv(plan, topic):
    assert topic("hoc-phi").department.code == "hou-khtc"
    assert topic("co-so-vat-chat").department.code == "hou-qtcsvc"
    assert topic("dao-tao").department.code == "hou-qldt"
    assert topic("chinh-sach-sv").department.code == "hou-ctctsv"
    assert topic("thu-vien").department.code == "hou-thuvien"


# --- who sees what -----------------------------------------------------------------------


def test_a_responder_of_one_department_cannot_see_anothers_items(
    client, routed, khtc_responder, csvc_responder
):
    fees = routed("hoc-phi", "Học phí có tăng không?")
    room = routed("co-so-vat-chat", "Phòng học thiếu điều hoà")
    client.force_login(csvc_responder)
    assert client.get(reverse("dialogue:question", args=[fees.pk])).status_code == 404
    assert client.get(reverse("dialogue:question", args=[room.pk])).status_code == 200
    queue = client.get(reverse("dialogue:responder-queue")).content.decode()
    assert "Phòng học thiếu điều hoà" in queue and "Học phí có tăng không?" not in queue
    response = client.post(
        reverse("dialogue:question-action", args=[fees.pk, "answer"]), {"text": "Trả lời"}
    )
    assert response.status_code == 404
    fees.refresh_from_db()
    assert fees.status == S.ROUTED


def test_a_learner_sees_only_their_own_questions(client, ask, member):
    mine = ask(text="Câu hỏi của tôi về học phí")
    other = member("learner", "hou-cntt")
    client.force_login(other)
    assert client.get(reverse("dialogue:question", args=[mine.pk])).status_code == 404


def test_a_visitor_is_sent_to_log_in_for_a_question_page(client, ask):
    response = client.get(reverse("dialogue:question", args=[ask().pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_a_responder_does_not_see_the_name_of_an_anonymous_learner(
    client, routed, khtc_responder, learner
):
    q = routed(anonymous=True)
    client.force_login(khtc_responder)
    body = client.get(reverse("dialogue:question", args=[q.pk])).content.decode()
    assert learner.display_name not in body


# --- the public answers page -------------------------------------------------------------


@pytest.fixture
def published(routed, khtc_responder, committee):
    def _published(
        code="hoc-phi", text="Học phí học kỳ 2 có tăng không?", answer="Học phí không tăng.", **kw
    ):
        q = services.answer_question(routed(code, text, **kw), actor=khtc_responder, text=answer)
        return services.publish_answer(q, actor=committee)

    return _published


def test_a_visitor_finds_a_published_answer_by_typing_without_accents(client, published):
    published(text="Học phí học kỳ 2 có tăng không?")
    body = client.get(reverse("dialogue:answers"), {"q": "hoc phi"}).content.decode()
    assert "Học phí học kỳ 2 có tăng không?" in body and "Học phí không tăng." in body
    body = client.get(reverse("dialogue:answers"), {"q": "ky tuc xa"}).content.decode()
    assert "Học phí học kỳ 2" not in body


def test_answers_are_filtered_by_topic_and_unit(client, published, topic, units):
    published(text="Học phí năm nay thế nào?")
    body = client.get(reverse("dialogue:answers"), {"topic": topic("thu-vien").pk}).content.decode()
    assert "Học phí năm nay" not in body
    body = client.get(reverse("dialogue:answers"), {"unit": units["hou-cntt"].pk}).content.decode()
    assert "Học phí năm nay" in body
    body = client.get(reverse("dialogue:answers"), {"unit": units["hou-ktqt"].pk}).content.decode()
    assert "Học phí năm nay" not in body


def test_the_answers_filters_are_kept_yet_show_a_renamed_topic_or_unit_at_once(
    client, published, topic, units, django_assert_max_num_queries
):
    """Issue 15: the topics and units the filters offer are kept between page loads, and
    forgotten when a topic or a unit is edited."""
    published(text="Học phí năm nay thế nào?")
    answers = reverse("dialogue:answers")
    client.get(answers)
    with django_assert_max_num_queries(2):  # the page of answers and its count, no filter lists
        client.get(answers, {"q": "hoc phi"})
    library = topic("thu-vien")
    library.name = "Thư viện số"
    library.save()
    assert "Thư viện số" in client.get(answers).content.decode()
    faculty = units["hou-cntt"]
    faculty.name = "Khoa Công nghệ Thông tin số"
    faculty.save()
    assert "Khoa Công nghệ Thông tin số" in client.get(answers).content.decode()


def test_the_public_page_never_shows_a_learners_name(client, published, learner):
    published(text="Câu hỏi công khai có tên không?")
    published(text="Câu hỏi ẩn danh hoàn toàn", anonymous=True)
    body = client.get(reverse("dialogue:answers")).content.decode()
    assert learner.display_name not in body
    assert "Câu hỏi ẩn danh hoàn toàn" in body


def test_unpublished_answers_stay_off_the_public_page(client, routed, khtc_responder):
    services.answer_question(routed(text="Chưa công khai"), actor=khtc_responder, text="Nháp")
    assert "Chưa công khai" not in client.get(reverse("dialogue:answers")).content.decode()


def test_the_public_page_reads_a_constant_number_of_queries(
    client, published, django_assert_max_num_queries
):
    published(text="Câu hỏi một")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("dialogue:answers"))
    for i in range(6):
        published(text=f"Câu hỏi thêm {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dialogue:answers"))


def test_the_responders_queue_pages_and_reads_a_constant_number_of_queries(
    client, routed, csvc_responder, django_assert_max_num_queries
):
    """Issue 15: a department with thousands of questions waiting gets them a page at a time,
    in the same number of queries as a department with one."""
    routed("co-so-vat-chat", "Phòng học số 0 thiếu điều hoà")
    client.force_login(csvc_responder)
    url = reverse("dialogue:responder-queue")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(1, 27):
        routed("co-so-vat-chat", f"Phòng học số {i} thiếu điều hoà")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('data-testid="question-row"') == 25
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('data-testid="question-row"') == 2
