"""Dialogue sessions at three levels and their minutes, approved by the unit's leaders."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogue import services
from dialogue.models import DialogueSession, Level
from dialogue.services import TransitionError
from portal.models import DeadlineStep, Notification

pytestmark = pytest.mark.django_db
S = DialogueSession.Status


@pytest.fixture
def academic_staff(member):
    return member("dialogue_unit", "hou-cntt", full_name="Trần Giáo Vụ")


@pytest.fixture
def class_session(plan, units, academic_staff):
    return services.create_session(
        plan=plan,
        actor=academic_staff,
        level=Level.CLASS,
        unit=units["hou-cntt"],
        student_class="K28-CNTT1",
        held_on=dt.date(2023, 12, 26),
        venue="Phòng 301",
        chair="GVCN",
    )


def test_staff_plan_a_class_session_of_their_own_unit_only(plan, units, academic_staff):
    with pytest.raises(TransitionError):
        services.create_session(
            plan=plan,
            actor=academic_staff,
            level=Level.CLASS,
            unit=units["hou-ktqt"],
            student_class="K28-KT1",
            held_on=dt.date(2024, 1, 5),
            venue="A",
            chair="B",
        )
    with pytest.raises(TransitionError):
        services.create_session(
            plan=plan,
            actor=academic_staff,
            level=Level.UNIVERSITY,
            held_on=dt.date(2024, 4, 24),
            venue="A",
            chair="B",
        )


def test_minutes_are_written_submitted_and_approved_by_a_unit_leader(
    class_session, academic_staff, unit_staff
):
    s = services.write_minutes(
        class_session,
        actor=academic_staff,
        minutes_text="1. …\n2. …",
        attendance="GVCN và 45 SV",
        attendee_count=46,
    )
    assert s.status == S.MINUTES_DRAFT
    s = services.submit_minutes(s, actor=academic_staff)
    assert s.status == S.SUBMITTED
    assert DeadlineStep.objects.for_object(s).open().get().step_type == "dialogue.minutes_approval"
    with pytest.raises(TransitionError):  # academic staff are not the unit's leaders
        services.approve_minutes(s, actor=academic_staff)
    s = services.approve_minutes(s, actor=unit_staff)  # unit_staff holds a leadership position
    assert s.status == S.APPROVED and s.approved_by == unit_staff
    assert not DeadlineStep.objects.for_object(s).open().exists()
    assert Notification.objects.filter(
        template="dialogue/minutes_decided", user=academic_staff
    ).exists()


def test_returned_minutes_need_a_reason_and_can_be_corrected_and_resubmitted(
    class_session, academic_staff, unit_staff
):
    s = services.submit_minutes(
        services.write_minutes(class_session, actor=academic_staff, minutes_text="Nháp"),
        actor=academic_staff,
    )
    with pytest.raises(TransitionError):
        services.return_minutes(s, actor=unit_staff, note="")
    s = services.return_minutes(s, actor=unit_staff, note="Thiếu danh sách đại biểu")
    assert s.status == S.RETURNED
    s = services.write_minutes(s, actor=academic_staff, minutes_text="Bản đã sửa")
    assert services.submit_minutes(s, actor=academic_staff).status == S.SUBMITTED


def test_minutes_cannot_be_submitted_empty_or_changed_after_approval(
    class_session, academic_staff, unit_staff
):
    with pytest.raises(TransitionError):
        services.write_minutes(class_session, actor=academic_staff, minutes_text="  ")
    s = services.write_minutes(class_session, actor=academic_staff, minutes_text="Nội dung")
    services.approve_minutes(services.submit_minutes(s, actor=academic_staff), actor=unit_staff)
    with pytest.raises(TransitionError):
        services.write_minutes(s, actor=academic_staff, minutes_text="Sửa lén")


def test_an_uploaded_pdf_is_accepted_as_the_minutes(client, class_session, academic_staff):
    client.force_login(academic_staff)
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    response = client.post(
        reverse("dialogue:session-minutes", args=[class_session.pk]), {"minutes_file": pdf}
    )
    assert response.status_code == 302
    class_session.refresh_from_db()
    assert (
        class_session.minutes_file.name.endswith(".pdf") and class_session.status == S.MINUTES_DRAFT
    )


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bien-ban.exe", b"MZ...", "Hãy tải lên tệp PDF hoặc DOCX."),
        ("bien-ban.docx", b"%PDF-1.7 renamed", "không phải là tài liệu DOCX"),
    ],
)
def test_a_wrong_minutes_file_is_refused_next_to_the_field_and_the_text_kept(
    client, class_session, academic_staff, name, content, message
):
    client.force_login(academic_staff)
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        reverse("dialogue:session-minutes", args=[class_session.pk]),
        {"minutes_file": upload, "minutes_text": "Nội dung đã gõ", "attendance": "45 SV"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert "Nội dung đã gõ" in body


def test_a_too_large_minutes_file_is_refused(client, class_session, academic_staff, settings):

    client.force_login(academic_staff)
    big = SimpleUploadedFile("bien-ban.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    response = client.post(
        reverse("dialogue:session-minutes", args=[class_session.pk]), {"minutes_file": big}
    )
    assert "Tệp lớn hơn 10 MB" in response.content.decode()


def test_questions_are_recorded_from_the_minutes_at_the_sessions_unit(
    client, class_session, academic_staff, topic
):
    client.force_login(academic_staff)
    client.post(
        reverse("dialogue:session-question", args=[class_session.pk]),
        {
            "topic": topic("co-so-vat-chat").pk,
            "kind": "opinion",
            "text": "Phòng học nóng",
            "asker_name": "Phạm Thu Trang",
        },
    )
    q = class_session.questions.get()
    assert q.source == "minutes" and q.unit.code == "hou-cntt" and q.student_class == "K28-CNTT1"


def test_class_sessions_are_not_public_but_the_university_dialogue_is(client, class_session):
    assert client.get(reverse("dialogue:session", args=[class_session.pk])).status_code == 404
    assert client.get(reverse("dialogue:university")).status_code == 200


def test_a_leader_cannot_approve_minutes_they_submitted_themselves(class_session, unit_staff):
    s = services.write_minutes(class_session, actor=unit_staff, minutes_text="1. …", attendance="")
    s = services.submit_minutes(s, actor=unit_staff)
    with pytest.raises(TransitionError, match="người khác với người đã trình"):
        services.approve_minutes(s, actor=unit_staff)
    s.refresh_from_db()
    assert s.status == S.SUBMITTED
