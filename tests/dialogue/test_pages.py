"""Forms that keep what was typed, the English UI, and the deadline sweep for routed items."""

import pytest
from django.urls import reverse

from dialogue.models import DialogueSession, Question
from portal.deadlines import sweep_deadlines
from portal.models import DeadlineStep

pytestmark = pytest.mark.django_db


def test_a_learners_question_with_errors_is_shown_again_with_the_text_kept(client, learner, plan):
    client.force_login(learner)
    response = client.post(
        reverse("dialogue:ask"), {"text": "Một câu hỏi không có chủ đề", "kind": "question"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Một câu hỏi không có chủ đề" in body
    assert not Question.objects.exists()


def test_a_learner_submits_through_the_page_to_their_faculty(client, learner, plan, topic, units):
    client.force_login(learner)
    response = client.post(
        reverse("dialogue:ask"),
        {
            "topic": topic("hoc-phi").pk,
            "kind": "question",
            "text": "Học phí có tăng không ạ?",
            "unit": units["hou-cntt"].pk,
            "anonymous": "on",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302
    q = Question.objects.get()
    assert q.anonymous and q.unit == units["hou-cntt"] and q.source == "online"


def test_the_unit_plans_a_class_session_and_a_missing_class_is_explained(
    client, unit_staff, plan, units
):
    client.force_login(unit_staff)
    data = {
        "level": "class",
        "unit": units["hou-cntt"].pk,
        "held_on": "26/12/2023",
        "venue": "P301",
        "chair": "GVCN",
    }
    response = client.post(reverse("dialogue:session-create"), data)
    assert response.status_code == 200 and "Hãy nhập lớp." in response.content.decode()
    response = client.post(
        reverse("dialogue:session-create"),
        {**data, "student_class": "K28-CNTT1", "starts_at": "14:00", "ends_at": "16:00"},
    )
    assert response.status_code == 302
    assert DialogueSession.objects.get().student_class == "K28-CNTT1"


def test_an_english_visitor_reads_the_milestones_in_english(client, plan):
    client.cookies["django_language"] = "en"
    body = client.get(reverse("dialogue:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hold the university-level dialogue programme" in body
    assert "Implementation timeline" in body
    assert "4402/KH-ĐHM" in body


def test_the_sweep_reminds_the_departments_responders_and_escalates_to_the_committee(
    routed, khtc_responder, csvc_responder, committee
):
    q = routed()
    step = DeadlineStep.objects.for_object(q).open().get()
    reminded = sweep_deadlines(step.remind_at)
    assert {n.user_id for _s, notes in reminded.reminders for n in notes} == {khtc_responder.pk}
    escalated = sweep_deadlines(step.due_at)
    assert {n.user_id for _s, notes in escalated.escalations for n in notes} == {committee.pk}
    assert sweep_deadlines(step.due_at).sent == 0  # twice sends nothing


def test_a_department_with_no_responder_yet_has_its_reminder_sent_to_the_committee(
    routed, committee
):
    q = routed()  # Phòng Kế hoạch - Tài chính, where nobody holds the responder role here
    step = DeadlineStep.objects.for_object(q).open().get()
    reminded = sweep_deadlines(step.remind_at)
    assert {n.user_id for _s, notes in reminded.reminders for n in notes} == {committee.pk}
