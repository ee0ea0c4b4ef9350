"""The committee runs the university-level dialogue (step 13) in the portal's own pages:
details, programme, participants by category (section II.2.1) and the selected questions."""

import datetime as dt

import pytest
from django.urls import reverse

from dialogue import services
from dialogue.models import DialogueSession, Event, Level, Participant, ProgrammeItem
from dialogue.services import TransitionError

pytestmark = pytest.mark.django_db
C = Participant.Category


@pytest.fixture
def uni(plan, committee):
    return services.create_session(
        plan=plan,
        actor=committee,
        level=Level.UNIVERSITY,
        held_on=dt.date(2024, 4, 24),
        starts_at=dt.time(8, 0),
        ends_at=dt.time(11, 30),
        venue="Trung tâm Thể thao – Văn hoá Quận Hai Bà Trưng",
        chair="Hiệu trưởng chủ trì",
    )


@pytest.fixture
def programme(uni, committee):
    """Three contiguous items: 8:00–8:15, 8:15–8:30, 8:30–9:30."""

    def add(a, b, title):
        return services.add_programme_item(
            uni, actor=committee, starts_at=a, ends_at=b, title=title, presenter="Ban tổ chức"
        )

    return [
        add(dt.time(8, 0), dt.time(8, 15), "Đón tiếp đại biểu"),
        add(dt.time(8, 15), dt.time(8, 30), "Tuyên bố lý do"),
        add(dt.time(8, 30), dt.time(9, 30), "Đối thoại"),
    ]


def events(session, action):
    return list(Event.objects.filter(session=session, action=action))


def titles(session):
    return [p.title for p in session.programme.order_by("starts_at", "id")]


# --- services ---------------------------------------------------------------------------------


def test_the_committee_changes_the_venue_and_time_and_the_history_says_what_changed(uni, committee):
    services.update_university_dialogue(
        uni, actor=committee, venue="Hội trường nhà A", ends_at=dt.time(11, 0)
    )
    uni.refresh_from_db()
    assert uni.venue == "Hội trường nhà A" and uni.ends_at == dt.time(11, 0)
    [event] = events(uni, "session_edited")
    assert event.actor == committee
    assert "Trung tâm Thể thao – Văn hoá Quận Hai Bà Trưng → Hội trường nhà A" in event.note
    assert "11:30 → 11:00" in event.note


def test_saving_the_same_details_again_writes_no_event(uni, committee):
    services.update_university_dialogue(uni, actor=committee, chair="Hiệu trưởng chủ trì")
    assert events(uni, "session_edited") == []


def test_a_dialogue_that_ends_before_it_starts_is_refused(uni, committee):
    with pytest.raises(TransitionError):
        services.update_university_dialogue(uni, actor=committee, ends_at=dt.time(7, 0))
    uni.refresh_from_db()
    assert uni.ends_at == dt.time(11, 30)


def test_only_the_committee_may_change_the_university_dialogue(
    uni, programme, unit_staff, khtc_responder, learner
):
    for person in (unit_staff, khtc_responder, learner):
        with pytest.raises(TransitionError):
            services.update_university_dialogue(uni, actor=person, venue="Nơi khác")
        with pytest.raises(TransitionError):
            services.add_programme_item(
                uni, actor=person, starts_at=dt.time(12, 0), title="Thêm mục"
            )
        with pytest.raises(TransitionError):
            services.remove_programme_item(programme[0], actor=person)
        with pytest.raises(TransitionError):
            services.add_participant(uni, actor=person, category=C.PRESS, name="Báo Nhân Dân")
    assert ProgrammeItem.objects.count() == 3 and not Participant.objects.exists()


def test_a_class_session_is_not_edited_as_the_university_dialogue(plan, units, committee):
    session = services.create_session(
        plan=plan,
        actor=committee,
        level=Level.CLASS,
        unit=units["hou-cntt"],
        student_class="K28-CNTT1",
        held_on=dt.date(2024, 1, 5),
        venue="P301",
        chair="GVCN",
    )
    with pytest.raises(TransitionError):
        services.add_programme_item(
            session, actor=committee, starts_at=dt.time(8, 0), title="Khai mạc"
        )


def test_programme_items_are_added_edited_and_removed_with_an_event_each(uni, programme, committee):
    services.update_programme_item(
        programme[1],
        actor=committee,
        starts_at=dt.time(8, 15),
        ends_at=dt.time(8, 35),
        title="Tuyên bố lý do, giới thiệu đại biểu",
        presenter="Thường trực BTC",
    )
    services.remove_programme_item(programme[0], actor=committee)
    assert titles(uni) == ["Tuyên bố lý do, giới thiệu đại biểu", "Đối thoại"]
    assert len(events(uni, "programme_item_added")) == 3
    [edited] = events(uni, "programme_item_edited")
    assert "08:15–08:35 Tuyên bố lý do, giới thiệu đại biểu (Thường trực BTC)" in edited.note
    [removed] = events(uni, "programme_item_removed")
    assert "Đón tiếp đại biểu" in removed.note and removed.actor == committee


def test_moving_an_item_up_swaps_the_time_slots_and_each_keeps_its_length(
    uni, programme, committee
):
    services.move_programme_item(programme[2], actor=committee, direction="up")
    assert titles(uni) == ["Đón tiếp đại biểu", "Đối thoại", "Tuyên bố lý do"]
    moved, other = (ProgrammeItem.objects.get(pk=p.pk) for p in (programme[2], programme[1]))
    assert (moved.starts_at, moved.ends_at) == (dt.time(8, 15), dt.time(9, 15))
    assert (other.starts_at, other.ends_at) == (dt.time(9, 15), dt.time(9, 30))
    assert len(events(uni, "programme_item_moved")) == 1


def test_moving_down_and_back_up_restores_the_programme(uni, programme, committee):
    services.move_programme_item(programme[0], actor=committee, direction="down")
    assert titles(uni) == ["Tuyên bố lý do", "Đón tiếp đại biểu", "Đối thoại"]
    services.move_programme_item(programme[0], actor=committee, direction="up")
    assert titles(uni) == ["Đón tiếp đại biểu", "Tuyên bố lý do", "Đối thoại"]
    first = ProgrammeItem.objects.get(pk=programme[0].pk)
    assert (first.starts_at, first.ends_at) == (dt.time(8, 0), dt.time(8, 15))


def test_the_first_item_cannot_move_up_nor_the_last_down(uni, programme, committee):
    with pytest.raises(TransitionError):
        services.move_programme_item(programme[0], actor=committee, direction="up")
    with pytest.raises(TransitionError):
        services.move_programme_item(programme[2], actor=committee, direction="down")
    assert events(uni, "programme_item_moved") == []


def test_participants_are_added_by_category_edited_and_removed(uni, committee):
    delegates = services.add_participant(
        uni, actor=committee, category=C.LEARNER_DELEGATES, name="Khoa Kinh tế", count=12
    )
    press = services.add_participant(uni, actor=committee, category=C.PRESS, name="Báo Dân trí")
    services.update_participant(
        delegates, actor=committee, category=C.LEARNER_DELEGATES, name="Khoa Kinh tế", count=15
    )
    services.remove_participant(press, actor=committee)
    assert list(uni.participants.values_list("category", "name", "count")) == [
        ("learner_delegates", "Khoa Kinh tế", 15)
    ]
    assert [e.action for e in Event.objects.filter(session=uni, action__startswith="participant")]
    assert "(12)\n→ " in events(uni, "participant_edited")[0].note
    assert "Báo Dân trí" in events(uni, "participant_removed")[0].note


def test_a_participant_without_a_name_or_with_zero_people_is_refused(uni, committee):
    with pytest.raises(TransitionError):
        services.add_participant(uni, actor=committee, category=C.GUEST, name="  ")
    with pytest.raises(TransitionError):
        services.add_participant(uni, actor=committee, category=C.GUEST, name="Sở GD", count=0)
    with pytest.raises(TransitionError):
        services.add_participant(uni, actor=committee, category="friends", name="Ai đó")
    assert not Participant.objects.exists()


def test_a_question_still_at_its_faculty_cannot_be_selected(uni, ask, committee):
    q = ask()
    with pytest.raises(TransitionError):
        services.select_for_session(q, actor=committee, session=uni)
    q.refresh_from_db()
    assert q.selected_for is None


def test_a_routed_item_is_selected_once_and_unselected(uni, routed, committee):
    q = routed()
    services.select_for_session(q, actor=committee, session=uni)
    services.select_for_session(q, actor=committee, session=uni)  # a second click
    q.refresh_from_db()
    assert q.selected_for == uni
    assert len(events(uni, "question_selected")) == 1
    services.select_for_session(q, actor=committee, session=uni, selected=False)
    q.refresh_from_db()
    assert q.selected_for is None
    assert len(events(uni, "question_unselected")) == 1


# --- permissions per role ---------------------------------------------------------------------

COMMITTEE_PAGES = [
    ("get", "dialogue:university-manage", None),
    ("get", "dialogue:university-edit", None),
    ("post", "dialogue:university-edit", None),
    ("get", "dialogue:university-questions", None),
    ("post", "dialogue:university-questions", None),
    ("post", "dialogue:programme-add", None),
    ("get", "dialogue:programme-edit", "item"),
    ("post", "dialogue:programme-remove", "item"),
    ("post", "dialogue:participant-add", None),
]


def _url(name, arg, item):
    return reverse(name, args=[item.pk]) if arg else reverse(name)


@pytest.mark.parametrize(
    "role", ["learner", "dialogue_unit", "dialogue_responder", "leadership", "applicant"]
)
@pytest.mark.parametrize("method,name,arg", COMMITTEE_PAGES)
def test_other_roles_get_404_and_change_nothing(
    client_for, uni, programme, role, method, name, arg
):
    client = client_for(role)
    response = getattr(client, method)(
        _url(name, arg, programme[0]),
        {"starts_at": "12:00", "title": "Mục lạ", "venue": "X", "chair": "Y"},
    )
    assert response.status_code == 404
    assert ProgrammeItem.objects.count() == 3
    assert DialogueSession.objects.get().venue.startswith("Trung tâm Thể thao")


def test_a_visitor_is_sent_to_log_in(client, uni):
    response = client.get(reverse("dialogue:university-manage"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_public_page_offers_the_organising_page_only_to_the_committee(
    client, uni, committee, unit_staff
):
    link = reverse("dialogue:university-manage")
    assert link not in client.get(reverse("dialogue:university")).content.decode()
    client.force_login(unit_staff)
    assert link not in client.get(reverse("dialogue:university")).content.decode()
    client.force_login(committee)
    assert link in client.get(reverse("dialogue:university")).content.decode()


# --- pages -------------------------------------------------------------------------------------


def test_the_committee_sets_the_dialogue_up_when_there_is_none(client, plan, committee):
    client.force_login(committee)
    assert (
        "Chưa thiết lập buổi đối thoại cấp Trường"
        in client.get(reverse("dialogue:university-manage")).content.decode()
    )
    response = client.post(
        reverse("dialogue:university-edit"),
        {
            "held_on": "24/04/2024",
            "starts_at": "8h00",
            "ends_at": "11h30",
            "venue": "Trung tâm Thể thao – Văn hoá Quận Hai Bà Trưng",
            "chair": "Hiệu trưởng chủ trì",
        },
    )
    assert response.status_code == 302
    session = DialogueSession.objects.get(level=Level.UNIVERSITY)
    assert session.held_on == dt.date(2024, 4, 24)
    assert (session.starts_at, session.ends_at) == (dt.time(8, 0), dt.time(11, 30))
    public = client.get(reverse("dialogue:university")).content.decode()
    assert "08:00 – 11:30, 24/04/2024" in public


def test_details_with_a_bad_time_are_shown_again_with_what_was_typed(client, uni, committee):
    client.force_login(committee)
    response = client.post(
        reverse("dialogue:university-edit"),
        {
            "held_on": "24/04/2024",
            "starts_at": "9:00",
            "ends_at": "8:00",
            "venue": "Hội trường mới ở cơ sở Hoàng Mai",
            "chair": "Hiệu trưởng chủ trì",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Giờ kết thúc phải sau giờ bắt đầu." in body
    assert "Hội trường mới ở cơ sở Hoàng Mai" in body
    uni.refresh_from_db()
    assert uni.venue.startswith("Trung tâm Thể thao")


def test_a_programme_item_without_its_text_keeps_the_times_and_says_what_is_missing(
    client, uni, committee
):
    client.force_login(committee)
    response = client.post(
        reverse("dialogue:programme-add"),
        {"starts_at": "8h50", "ends_at": "25:99", "presenter": "Hiệu trưởng chủ trì"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in body
    assert "Hãy viết giờ theo dạng hh:mm" in body
    assert 'value="8h50"' in body and "Hiệu trưởng chủ trì" in body
    assert not ProgrammeItem.objects.exists()


def test_the_committee_adds_edits_moves_and_removes_programme_items_through_the_pages(
    client, uni, programme, committee
):
    client.force_login(committee)
    response = client.post(
        reverse("dialogue:programme-add"),
        {"starts_at": "9h30", "ends_at": "9:45", "title": "Bế mạc", "presenter": "Hiệu trưởng"},
    )
    assert response.status_code == 302
    last = ProgrammeItem.objects.get(title="Bế mạc")
    assert client.get(reverse("dialogue:programme-edit", args=[last.pk])).status_code == 200
    client.post(
        reverse("dialogue:programme-edit", args=[last.pk]),
        {"starts_at": "09:30", "ends_at": "10:00", "title": "Phát biểu kết luận, bế mạc"},
    )
    client.post(reverse("dialogue:programme-move", args=[last.pk, "up"]))
    assert titles(uni)[-2:] == ["Phát biểu kết luận, bế mạc", "Đối thoại"]
    confirm = client.get(reverse("dialogue:programme-remove", args=[programme[0].pk]))
    assert "Đón tiếp đại biểu" in confirm.content.decode()
    client.post(reverse("dialogue:programme-remove", args=[programme[0].pk]))
    assert "Đón tiếp đại biểu" not in titles(uni)
    page = client.get(reverse("dialogue:university-manage")).content.decode()
    assert "Thêm mục vào chương trình" in page and "Đã xoá mục chương trình" in page


def test_moving_the_first_item_up_is_explained_not_a_500(client, uni, programme, committee):
    client.force_login(committee)
    response = client.post(
        reverse("dialogue:programme-move", args=[programme[0].pk, "up"]), follow=True
    )
    assert response.status_code == 200
    assert "Mục này đã ở đầu chương trình." in response.content.decode()
    assert (
        client.post(reverse("dialogue:programme-move", args=[programme[0].pk, "sideways"]))
    ).status_code == 404


def test_a_participant_with_errors_keeps_what_was_typed(client, uni, committee):
    client.force_login(committee)
    response = client.post(
        reverse("dialogue:participant-add"),
        {"category": "", "name": "Báo Tuổi Trẻ", "count": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Báo Tuổi Trẻ" in body and "Trường này là bắt buộc." in body
    assert not Participant.objects.exists()


def test_learner_delegates_are_public_only_as_a_number(client, uni, committee):
    client.force_login(committee)
    client.post(
        reverse("dialogue:participant-add"),
        {"category": "learner_delegates", "name": "Nguyễn Văn Hùng (K28-KT1)", "count": "1"},
    )
    client.post(
        reverse("dialogue:participant-add"),
        {"category": "learner_delegates", "name": "Khoa Công nghệ Thông tin", "count": "11"},
    )
    client.post(reverse("dialogue:participant-add"), {"category": "press", "name": "Báo Dân trí"})
    manage = client.get(reverse("dialogue:university-manage")).content.decode()
    assert "Nguyễn Văn Hùng (K28-KT1)" in manage
    client.logout()
    public = client.get(reverse("dialogue:university")).content.decode()
    assert "Nguyễn Văn Hùng" not in public and "Khoa Công nghệ Thông tin" not in public
    assert "12 đại biểu do các khoa, viện, trung tâm lựa chọn" in public
    assert "Báo Dân trí" in public


def test_participants_are_edited_and_removed_through_the_pages(client, uni, committee):
    client.force_login(committee)
    p = services.add_participant(uni, actor=committee, category=C.GUEST, name="Sở GD&ĐT")
    response = client.post(
        reverse("dialogue:participant-edit", args=[p.pk]),
        {"category": "guest", "name": "Sở Giáo dục và Đào tạo Hà Nội", "count": "2"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.name, p.count) == ("Sở Giáo dục và Đào tạo Hà Nội", 2)
    client.post(reverse("dialogue:participant-remove", args=[p.pk]))
    assert not Participant.objects.exists()


def test_the_committee_finds_an_item_without_accents_selects_it_and_the_public_sees_it(
    client, uni, routed, committee
):
    fees = routed("hoc-phi", "Đề nghị cho nộp học phí thành nhiều đợt.")
    routed("co-so-vat-chat", "Phòng học nhà C thiếu quạt.")
    client.force_login(committee)
    page = client.get(reverse("dialogue:university-questions"), {"q": "hoc phi"})
    body = page.content.decode()
    assert "Đề nghị cho nộp học phí" in body and "thiếu quạt" not in body
    response = client.post(
        reverse("dialogue:university-questions") + "?q=hoc+phi",
        {"question": fees.pk, "selected": "1"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?q=hoc+phi")
    fees.refresh_from_db()
    assert fees.selected_for == uni
    manage = client.get(reverse("dialogue:university-manage")).content.decode()
    assert "Đề nghị cho nộp học phí" in manage
    client.logout()
    public = client.get(reverse("dialogue:university")).content.decode()
    assert "Đề nghị cho nộp học phí thành nhiều đợt." in public
    assert "Đặng Thị Mai" not in public


def test_a_question_still_at_its_faculty_is_not_offered_and_cannot_be_posted(
    client, uni, ask, committee
):
    q = ask(text="Câu hỏi còn ở khoa")
    client.force_login(committee)
    assert (
        "Câu hỏi còn ở khoa"
        not in client.get(reverse("dialogue:university-questions")).content.decode()
    )
    response = client.post(
        reverse("dialogue:university-questions"), {"question": q.pk, "selected": "1"}, follow=True
    )
    assert response.status_code == 200
    q.refresh_from_db()
    assert q.selected_for is None


def test_the_organising_pages_ask_a_fixed_number_of_queries(
    client, uni, routed, committee, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            services.add_programme_item(
                uni, actor=committee, starts_at=dt.time(12, i), title=f"Mục {i}"
            )
            services.add_participant(uni, actor=committee, category=C.PRESS, name=f"Báo {i}")
            q = routed(text=f"Câu hỏi {i}")
            services.select_for_session(q, actor=committee, session=uni)

    client.force_login(committee)
    grow(2)
    pages = ["dialogue:university-manage", "dialogue:university-questions", "dialogue:university"]
    counts = {}
    for name in pages:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(ctx)
    grow(8)
    for name in pages:
        with django_assert_max_num_queries(counts[name]):
            assert client.get(reverse(name)).status_code == 200
