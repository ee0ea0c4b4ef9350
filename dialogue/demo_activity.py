# ruff: noqa: E501 — demo sentences are kept whole for reading.
"""Demo activity on plan 4402/KH-ĐHM: sessions at the three levels, questions in every state,
answers, the university-level dialogue and a feedback form with a few answers.

Everything goes through dialogue.services, as the demo users (portal.demo, linked to office
units by office.demo). It runs once per plan: a plan that already has sessions is left alone.

The history is dated on the weeks of the plan as written (issue 12 §7): each step happens
in the milestone it belongs to (class dialogues in December and January, the faculty's in
March, the answers before the university-level dialogue of 24/4/2024), through
portal.demo.HistoryClock. Only the answers still awaited are due relative to the day the demo
is loaded, so the queues have something due this week and something overdue.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.demo import HistoryClock

from . import plan4402 as doc
from . import services
from .models import Level, Milestone, Participant, ProgrammeItem, Question, Topic

# Milestones 1–10 done, with the evidence the committee would note.
DONE_EVIDENCE = {
    1: "Dự thảo kế hoạch đã gửi xin ý kiến các thành viên BTC.",
    2: "Kế hoạch số 4402/KH-ĐHM ngày 04/12/2023 đã gửi các đơn vị.",
    3: "Biên bản họp BTC ngày 07/12/2023.",
    4: "Các khoa, viện, trung tâm đã gửi kế hoạch chi tiết về ctsv@hou.edu.vn.",
    5: "Các lớp đã tổ chức đối thoại; biên bản lưu trong cổng.",
    6: "Biên bản cấp lớp đã được lãnh đạo khoa duyệt.",
    7: "Đối thoại cấp khoa đã tổ chức; nội dung ngoài thẩm quyền đã chuyển Thường trực BTC.",
    8: "Đã tổng hợp và gửi các đơn vị liên quan.",
    9: "Các đơn vị đã gửi công văn trả lời.",
    10: "Biên bản họp BTC ngày 03/4/2024.",
}

# The plan's attachment (the detailed programme) is not part of the source document; these
# items are the committee's demo entry, editable in the portal.
PROGRAMME = [
    (dt.time(8, 0), dt.time(8, 15), "Đón tiếp đại biểu", "Ban tổ chức"),
    (dt.time(8, 15), dt.time(8, 30), "Tuyên bố lý do, giới thiệu đại biểu", "Thường trực BTC"),
    (dt.time(8, 30), dt.time(8, 50), "Báo cáo tổng hợp kết quả đối thoại cấp cơ sở", "Phòng Công tác chính trị và sinh viên"),
    (dt.time(8, 50), dt.time(11, 15), "Đối thoại giữa lãnh đạo nhà trường với người học", "Hiệu trưởng chủ trì"),
    (dt.time(11, 15), dt.time(11, 30), "Phát biểu kết luận, bế mạc", "Hiệu trưởng"),
]  # fmt: skip


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _demo_learners(n=5):
    group, _ = Group.objects.get_or_create(name="learner")
    users = []
    for i in range(1, n + 1):
        user, created = get_user_model().objects.get_or_create(
            username=f"sv_demo{i}",
            defaults={
                "full_name": f"Sinh viên minh hoạ {i}",
                "email": f"sv_demo{i}@demo.portal.local",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        users.append(user)
    return users


def _on(day: dt.date, hour=9, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load_activity(plan, stdout=None):
    if plan.sessions.exists():
        return
    with HistoryClock() as clock:
        _load_activity(plan, clock, stdout)
    # The rows whose creation time is a column default (bound to the real clock) take the time
    # of their first event.
    from .models import DialogueSession, Event, FeedbackForm

    for model, field in ((Question, "question"), (DialogueSession, "session")):
        for row in model.objects.filter(plan=plan):
            first = Event.objects.filter(**{field: row}).order_by("at").first()
            if first:
                model.objects.filter(pk=row.pk).update(created_at=first.at)
    FeedbackForm.objects.filter(plan=plan).update(created_at=_on(dt.date(2024, 4, 11), 10))


def _load_activity(plan, clock, stdout=None):
    from office.models import Unit

    committee, unit_leader = _user("committee"), _user("unit_leader")
    # The faculty's academic staff write and submit class minutes; its leaders approve them.
    unit_staff = _user("unit_staff") or unit_leader
    responder, learner = _user("responder"), _user("learner")
    if not all([committee, unit_leader, responder, learner]):
        return
    units = {u.code: u for u in Unit.objects.filter(code__startswith="hou")}
    cntt, ktqt = units["hou-cntt"], units["hou-ktqt"]
    topic = {t.code: t for t in Topic.objects.all()}
    now = clock.today()

    # --- milestones: 1–10 done on their last day; 11 started; 12–13 as the sweep finds them
    # the day after the university-level dialogue (late) --------------------------------------
    for m in plan.milestones.filter(position__in=DONE_EVIDENCE).order_by("position"):
        if m.status != Milestone.Status.DONE:
            clock.at(_on(m.ends_on, 16))
            services.complete_milestone(
                m, actor=committee, done_on=m.ends_on, note=DONE_EVIDENCE[m.position]
            )
    clock.at(_on(dt.date(2024, 4, 8), 8))
    services.start_milestone(plan.milestones.get(position=11), actor=committee)
    services.sweep_late_milestones(clock.at(_on(dt.date(2024, 4, 25), 7)))

    # --- sessions: class level planned in milestone 5, minutes sent in milestone 6 ----------
    clock.at(_on(dt.date(2023, 12, 18), 10))
    k28 = services.create_session(
        plan=plan,
        actor=unit_staff,
        level=Level.CLASS,
        unit=cntt,
        student_class="K28-CNTT1",
        held_on=dt.date(2023, 12, 26),
        starts_at=dt.time(14, 0),
        ends_at=dt.time(16, 0),
        venue="Phòng 301, nhà B101 Nguyễn Hiền",
        chair="Giáo viên chủ nhiệm lớp K28-CNTT1",
        attendee_count=48,
    )
    clock.at(_on(dt.date(2023, 12, 26), 17))
    services.write_minutes(
        k28,
        actor=unit_staff,
        attendance="GVCN, CVHT và 48/52 sinh viên của lớp.",
        minutes_text=(
            "1. GVCN phổ biến mục đích buổi đối thoại theo Kế hoạch 4402/KH-ĐHM.\n"
            "2. Sinh viên nêu ý kiến về học phí, cơ sở vật chất, lịch thi và bảng điểm.\n"
            "3. Lớp bầu 2 đại biểu dự đối thoại cấp Khoa."
        ),
    )
    clock.at(_on(dt.date(2024, 1, 22), 9))
    services.submit_minutes(k28, actor=unit_staff)
    clock.at(_on(dt.date(2024, 1, 24), 14))
    services.approve_minutes(k28, actor=unit_leader)
    clock.at(_on(dt.date(2023, 12, 19), 10))
    k29 = services.create_session(
        plan=plan,
        actor=unit_staff,
        level=Level.CLASS,
        unit=cntt,
        student_class="K29-CNTT2",
        held_on=dt.date(2024, 1, 9),
        starts_at=dt.time(9, 0),
        ends_at=dt.time(11, 0),
        venue="Phòng 204, nhà B101 Nguyễn Hiền",
        chair="Cố vấn học tập lớp K29-CNTT2",
    )
    clock.at(_on(dt.date(2024, 1, 9), 12))
    services.write_minutes(
        k29,
        actor=unit_staff,
        attendance="CVHT và 41 sinh viên.",
        minutes_text="Sinh viên đề nghị nộp học phí theo nhiều đợt và cải thiện phòng học.",
    )
    clock.at(_on(dt.date(2024, 1, 23), 9))
    services.submit_minutes(k29, actor=unit_staff)
    clock.at(_on(dt.date(2024, 2, 20), 10))
    services.create_session(
        plan=plan,
        actor=unit_leader,
        level=Level.UNIT,
        unit=cntt,
        held_on=dt.date(2024, 3, 5),
        starts_at=dt.time(8, 0),
        ends_at=dt.time(10, 30),
        venue="Hội trường nhà B101",
        chair="Ban lãnh đạo Khoa Công nghệ Thông tin",
    )
    clock.at(_on(dt.date(2023, 12, 20), 10))
    kt = services.create_session(
        plan=plan,
        actor=committee,
        level=Level.CLASS,
        unit=ktqt,
        student_class="K28-KT1",
        held_on=dt.date(2024, 1, 11),
        starts_at=dt.time(14, 0),
        ends_at=dt.time(15, 30),
        venue="Phòng 402, nhà A",
        chair="Giáo viên chủ nhiệm lớp K28-KT1",
    )
    info = doc.UNIVERSITY_DIALOGUE
    clock.at(_on(dt.date(2024, 4, 3), 15))  # milestone 10: the committee prepares it
    uni = services.create_session(
        plan=plan,
        actor=committee,
        level=Level.UNIVERSITY,
        held_on=info["date"],
        starts_at=dt.time(8, 0),
        ends_at=dt.time(11, 30),
        time_text=info["time_text"],
        venue=info["venue"],
        venue_address=info["venue_address"],
        chair=info["chair"],
    )
    Participant.objects.bulk_create(
        Participant(session=uni, category=cat, name=name, position=i)
        for i, (cat, name) in enumerate(doc.PARTICIPANTS, start=1)
    )
    ProgrammeItem.objects.bulk_create(
        ProgrammeItem(session=uni, starts_at=a, ends_at=b, title=t, presenter=p)
        for a, b, t, p in PROGRAMME
    )

    # --- questions in every state -----------------------------------------------------------
    def from_minutes(session, code, text, **kw):
        return services.record_question_from_minutes(
            session=session,
            actor=committee if session.unit_id == ktqt.pk else unit_leader,
            topic=topic[code],
            text=text,
            **kw,
        )

    clock.at(_on(dt.date(2024, 1, 22), 10))  # from the minutes, as they come in
    fees = from_minutes(
        k28,
        "hoc-phi",
        "Đề nghị Nhà trường cho phép sinh viên nộp học phí thành nhiều đợt trong học kỳ.",
        kind=Question.Kind.PROPOSAL,
        asker_name="Nguyễn Văn Hùng",
    )
    fees2 = from_minutes(
        k29,
        "hoc-phi",
        "Sinh viên mong được chia nhỏ các đợt đóng học phí.",
        kind=Question.Kind.PETITION,
        asker_name="Trần Thị Lan",
    )
    fees3 = from_minutes(
        kt,
        "hoc-phi",
        "Có thể nộp học phí làm hai lần trong một kỳ không?",
        asker_name="Lê Minh Quân",
    )
    room = from_minutes(
        k28,
        "co-so-vat-chat",
        "Phòng học tầng 5 nhà A không có điều hoà, mùa hè rất nóng.",
        kind=Question.Kind.OPINION,
        asker_name="Phạm Thu Trang",
    )
    grades = from_minutes(
        k29,
        "dao-tao",
        "Đề nghị cập nhật điểm thi lên hệ thống sớm hơn sau mỗi kỳ thi.",
        kind=Question.Kind.PROPOSAL,
        asker_name="Đỗ Quang Huy",
    )
    transcript_fee = from_minutes(
        k28,
        "hoc-phi",
        "Lệ phí cấp bảng điểm bản tiếng Anh là bao nhiêu và nộp ở đâu?",
        asker_name="Vũ Ngọc Ánh",
    )
    wifi = from_minutes(
        kt,
        "thu-vien",
        "Wifi ở phòng đọc Thư viện rất yếu vào buổi chiều.",
        kind=Question.Kind.OPINION,
        asker_name="Hoàng Anh Tuấn",
        anonymous=True,
    )
    advising = from_minutes(
        k28,
        "dao-tao",
        "Đề nghị Khoa tổ chức thêm buổi gặp cố vấn học tập trước khi đăng ký học phần.",
        kind=Question.Kind.PROPOSAL,
        asker_name="Bùi Thị Hoa",
    )
    clubs = from_minutes(
        k29,
        "nckh",
        "Khoa có hỗ trợ câu lạc bộ lập trình tham gia nghiên cứu khoa học không?",
        asker_name="Ngô Đức Anh",
    )
    clock.at(_on(dt.date(2024, 1, 15), 20))  # a learner writes in, one evening
    services.submit_question(
        plan=plan,
        learner=learner,
        topic=topic["khao-thi"],
        unit=cntt,
        student_class="K28-CNTT1",
        text="Khi nào Nhà trường công bố lịch thi kết thúc học phần học kỳ 2?",
    )
    clock.at(_on(dt.date(2024, 1, 16), 21))
    scholarship = services.submit_question(
        plan=plan,
        learner=learner,
        topic=topic["chinh-sach-sv"],
        unit=cntt,
        student_class="K28-CNTT1",
        text="Điều kiện xét học bổng khuyến khích học tập năm nay có thay đổi gì không?",
        anonymous=True,
    )

    # Step 7 (milestone 7): the unit answers what is within its authority and publishes it…
    clock.at(_on(dt.date(2024, 3, 5), 14))
    services.answer_at_unit(
        advising,
        actor=unit_leader,
        text="Khoa sẽ tổ chức buổi gặp cố vấn học tập cho tất cả các lớp vào tuần trước đợt đăng ký học phần.",
    )
    clock.at(_on(dt.date(2024, 3, 6), 9))
    services.publish_answer(advising, actor=unit_leader)
    clock.at(_on(dt.date(2024, 3, 6), 10))
    services.answer_at_unit(
        clubs,
        actor=unit_leader,
        text="Khoa hỗ trợ giảng viên hướng dẫn và phòng máy cho câu lạc bộ; liên hệ Văn phòng Khoa để đăng ký.",
    )
    # …and sends the rest to the standing office.
    clock.at(_on(dt.date(2024, 3, 8), 9))
    for q in (fees, fees2, room, grades, transcript_fee, scholarship):
        services.escalate_question(q, actor=unit_leader)
    clock.at(_on(dt.date(2024, 3, 11), 9))
    for q in (fees3, wifi):  # Khoa Kinh tế's items, forwarded for it by the standing office
        services.escalate_question(q, actor=committee)

    # Steps 8–9 (milestones 8–9): the standing office merges duplicates and routes them to the
    # departments; the answers still awaited are due a week after the day the demo is loaded.
    clock.at(_on(dt.date(2024, 3, 18), 9))
    services.merge_questions(fees, [fees2, fees3], actor=committee)
    clock.at(_on(dt.date(2024, 3, 19), 9))
    week = now + dt.timedelta(days=7)
    for q in (fees, room, grades, transcript_fee, scholarship):
        services.route_question(q, actor=committee, due_at=week)
    # A demo of an overdue answer: the facilities item was due two days ago.
    overdue_at = now - dt.timedelta(days=2)
    Question.objects.filter(pk=room.pk).update(due_at=overdue_at)
    from portal.models import DeadlineStep

    DeadlineStep.objects.for_object(room).open().update(due_at=overdue_at, remind_at=overdue_at)

    clock.at(_on(dt.date(2024, 3, 27), 15))
    services.answer_question(
        fees,
        actor=responder,
        letter_number="215/ĐHM-KHTC",
        text=(
            "Từ học kỳ 2 năm học 2023 - 2024, người học được nộp học phí thành hai đợt: đợt 1 "
            "trong 4 tuần đầu học kỳ, đợt 2 trước khi thi kết thúc học phần."
        ),
    )
    clock.at(_on(dt.date(2024, 3, 28), 9))
    services.publish_answer(fees, actor=committee)
    clock.at(_on(dt.date(2024, 3, 29), 15))
    services.answer_question(
        transcript_fee,
        actor=responder,
        letter_number="216/ĐHM-KHTC",
        text="Lệ phí theo quy định hiện hành của Nhà trường; nộp tại Phòng Kế hoạch - Tài chính hoặc chuyển khoản.",
    )
    clock.at(_on(dt.date(2024, 4, 5), 10))  # chosen for the university-level dialogue
    services.select_for_session(fees, actor=committee, session=uni)
    services.select_for_session(room, actor=committee, session=uni)

    # The feedback form (phiếu phản hồi) built by Phòng CTCT&SV, answered on the day.
    clock.at(_on(dt.date(2024, 4, 11), 10))
    form = services.create_feedback_form(
        plan=plan,
        actor=committee,
        title="Phiếu phản hồi ý kiến người học năm học 2023 - 2024",
        intro="Phiếu không ghi tên. Mỗi người học trả lời một lần.",
    )
    items = [
        services.add_feedback_item(
            form, actor=committee, kind="rating", text="Mức độ hài lòng về chất lượng giảng dạy"
        ),
        services.add_feedback_item(
            form,
            actor=committee,
            kind="rating",
            text="Mức độ hài lòng về cơ sở vật chất phục vụ học tập",
        ),
        services.add_feedback_item(
            form,
            actor=committee,
            kind="rating",
            text="Mức độ hài lòng về công tác hỗ trợ người học",
        ),
        services.add_feedback_item(
            form, actor=committee, kind="text", text="Ý kiến, đề xuất khác", required=False
        ),
    ]
    clock.at(_on(dt.date(2024, 4, 22), 9))
    services.open_feedback_form(form, actor=committee)
    clock.at(_on(dt.date(2024, 4, 24), 11, 30))
    ratings = [(5, 3, 4), (4, 2, 4), (4, 3, 5), (5, 4, 4), (3, 2, 3)]
    notes = ["Mong Nhà trường lắp thêm điều hoà.", "", "Thư viện nên mở cửa muộn hơn.", "", ""]
    for user, r, note in zip(_demo_learners(len(ratings)), ratings, notes, strict=True):
        answers = {items[0].pk: r[0], items[1].pk: r[1], items[2].pk: r[2], items[3].pk: note}
        services.submit_feedback(form, learner=user, answers=answers)
    if stdout:
        stdout.write(
            f"  {plan.sessions.count()} sessions, {plan.questions.count()} questions, 1 feedback form"
        )
