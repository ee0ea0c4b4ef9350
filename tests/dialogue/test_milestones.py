"""Milestones of section III: planned → in progress → done (with evidence) or late."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dialogue import services
from dialogue.models import Milestone, Plan
from dialogue.selectors import timeline
from dialogue.services import TransitionError
from portal.deadlines import sweep_deadlines
from portal.models import DeadlineStep

pytestmark = pytest.mark.django_db
M = Milestone.Status


@pytest.fixture
def m3(plan):
    return plan.milestones.get(position=3)


def test_the_committee_marks_a_milestone_done_with_its_date_and_evidence(m3, committee):
    m = services.complete_milestone(
        m3, actor=committee, done_on=dt.date(2023, 12, 7), note="Biên bản họp BTC"
    )
    assert m.status == M.DONE and m.done_on == dt.date(2023, 12, 7)
    event = m.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("planned", "done", committee)


def test_a_milestone_is_not_done_without_evidence(m3, committee):
    with pytest.raises(TransitionError):
        services.complete_milestone(m3, actor=committee, done_on=dt.date(2023, 12, 7), note=" ")


def test_others_cannot_move_a_milestone(m3, make_user):
    for role in ("dialogue_unit", "dialogue_responder", "leadership", "learner"):
        with pytest.raises(TransitionError):
            services.start_milestone(m3, actor=make_user(role))


def test_a_done_milestone_is_reopened_only_with_a_reason(m3, committee):
    services.complete_milestone(m3, actor=committee, done_on=dt.date(2023, 12, 7), note="ok")
    with pytest.raises(TransitionError):
        services.reopen_milestone(m3, actor=committee, note="")
    m = services.reopen_milestone(m3, actor=committee, note="Nhầm mốc")
    assert m.status == M.IN_PROGRESS and m.done_on is None


def test_the_sweep_marks_overdue_milestones_late_once(plan):
    assert services.sweep_late_milestones() == 13  # the 2023–2024 plan is past
    assert services.sweep_late_milestones() == 0
    assert plan.milestones.filter(status=M.LATE).count() == 13
    assert plan.milestones.get(position=1).events.get().actor is None


def test_a_published_plan_reminds_before_a_milestone_starts_and_alerts_when_it_is_late(
    plan, committee, make_user
):
    leader = make_user("leadership")
    new = services.copy_plan(
        plan, actor=committee, academic_year="2027 - 2028", offset_days=4 * 365 + 1
    )
    # Pull milestone 1 to start tomorrow and end the day after.
    m1 = new.milestones.get(position=1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.update_milestone(
        m1,
        actor=committee,
        content=m1.content,
        responsible_body=m1.responsible_body,
        starts_on=tomorrow,
        ends_on=tomorrow,
    )
    services.publish_plan(new, actor=committee, number="1/KH-ĐHM", issued_on=timezone.localdate())
    start = DeadlineStep.objects.for_object(m1).get(step_type="dialogue.milestone_start")
    assert start.due_at == timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    result = sweep_deadlines(start.remind_at)
    assert [s.pk for s, _n in result.reminders] == [start.pk]
    services.start_milestone(m1, actor=committee)
    clock = DeadlineStep.objects.for_object(m1).open().get()
    assert clock.step_type == "dialogue.milestone"
    result = sweep_deadlines(clock.due_at + dt.timedelta(minutes=1))
    m1.refresh_from_db()
    assert m1.status == M.LATE
    alerted = {n.user_id for _s, notes in result.escalations for n in notes}
    assert {committee.pk, leader.pk} <= alerted


def test_copying_a_plan_shifts_every_date_by_the_same_offset(plan, committee):
    new = services.copy_plan(plan, actor=committee, academic_year="2024 - 2025", offset_days=364)
    assert new.status == Plan.Status.DRAFT and new.number == "" and new.copied_from == plan
    assert "2024 - 2025" in new.title
    pairs = zip(
        plan.milestones.order_by("position"), new.milestones.order_by("position"), strict=True
    )
    for old, copy in pairs:
        assert copy.starts_on - old.starts_on == dt.timedelta(days=364)
        assert copy.ends_on - old.ends_on == dt.timedelta(days=364)
        assert copy.status == M.PLANNED and copy.content == old.content
    assert new.milestones.get(position=5).period == "16/12/2024 - 19/01/2025"
    assert new.unit_duties.count() == 12
    assert sum(d.items.count() for d in new.unit_duties.all()) == sum(
        d.items.count() for d in plan.unit_duties.all()
    )


def test_the_copy_form_moves_the_first_milestone_to_the_chosen_day(client, plan, committee):
    client.force_login(committee)
    response = client.post(
        reverse("dialogue:plan-copy", args=[plan.pk]),
        {"academic_year": "2024 - 2025", "first_day": "11/11/2024"},
    )
    new = Plan.objects.exclude(pk=plan.pk).get()
    assert response.status_code == 302
    assert new.milestones.get(position=1).starts_on == dt.date(2024, 11, 11)
    assert new.milestones.get(position=13).starts_on == dt.date(2024, 4, 24) + dt.timedelta(
        days=364
    )


def test_a_published_plans_timeline_cannot_be_edited(plan, committee, m3):
    with pytest.raises(TransitionError):
        services.update_milestone(
            m3,
            actor=committee,
            content="x",
            responsible_body="y",
            starts_on=m3.starts_on,
            ends_on=m3.ends_on,
        )


def test_the_timeline_puts_bars_in_date_order_and_marks_late_ones(plan):
    tl = timeline(plan.milestones.all(), today=dt.date(2024, 1, 1))
    lefts = [row.left for row in tl.rows]
    assert lefts == sorted(lefts)
    assert tl.today_left is not None
    row4 = next(r for r in tl.rows if r.milestone.position == 4)
    assert row4.late and row4.state == "late"  # ended 17/12/2023, not done
    row13 = next(r for r in tl.rows if r.milestone.position == 13)
    assert not row13.late and row13.state == "planned"


def test_the_done_form_checks_the_evidence_file_type(client, committee, m3):
    client.force_login(committee)
    fake = SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(
        reverse("dialogue:milestone-done", args=[m3.pk]),
        {"done_on": "07/12/2023", "evidence_file": fake},
    )
    assert response.status_code == 200
    assert "không phải là tài liệu PDF" in response.content.decode()
    m3.refresh_from_db()
    assert m3.status == M.PLANNED


def test_a_visitor_cannot_reach_the_committees_actions(client, m3):
    response = client.post(reverse("dialogue:milestone-start", args=[m3.pk]))
    assert response.status_code == 302 and "/login/" in response.url
    m3.refresh_from_db()
    assert m3.status == M.PLANNED


def test_the_committee_ticks_a_duty_of_section_iv(client, committee, plan):
    item = plan.unit_duties.get(position=6).items.first()
    client.force_login(committee)
    client.post(reverse("dialogue:duty-toggle", args=[item.pk]), {"done": "1"})
    item.refresh_from_db()
    assert item.done_at and item.done_by == committee


def test_the_late_milestone_sweep_is_in_the_beat_schedule_ops_can_edit():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="dialogue.sweep_late_milestones")
    assert task.enabled and task.interval.every == 3600


def test_reopening_starts_a_new_round_and_keeps_the_old_evidence(m3, committee):
    services.complete_milestone(
        m3, actor=committee, done_on=dt.date(2023, 12, 7), note="Biên bản họp BTC lần 1"
    )
    m = services.reopen_milestone(m3, actor=committee, note="Thiếu chữ ký")
    assert (m.round, m.evidence_note, m.done_on) == (2, "", None)
    old = m.rounds.get()
    assert (old.number, old.evidence_note, old.done_on) == (
        1,
        "Biên bản họp BTC lần 1",
        dt.date(2023, 12, 7),
    )
    assert old.reopen_reason == "Thiếu chữ ký"
    m = services.complete_milestone(
        m, actor=committee, done_on=dt.date(2023, 12, 9), note="Biên bản có đủ chữ ký"
    )
    assert m.evidence_note == "Biên bản có đủ chữ ký" and m.rounds.count() == 1


def test_an_earlier_rounds_file_stays_downloadable_by_the_committee_only(
    client, committee, m3, make_user
):
    """Issue 12 §6: the history keeps the old evidence, and its file, behind /files/."""
    pdf = b"%PDF-1.4\n% round one\n%%EOF\n"
    services.complete_milestone(
        m3,
        actor=committee,
        done_on=dt.date(2023, 12, 7),
        evidence_file=SimpleUploadedFile("lan-1.pdf", pdf, content_type="application/pdf"),
    )
    services.reopen_milestone(m3, actor=committee, note="Thiếu chữ ký")
    client.force_login(committee)
    page = client.get(reverse("dialogue:milestone", args=[m3.pk])).content.decode()
    href = page.split('data-testid="round-evidence"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert href.startswith("/files/")
    response = client.get(href)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == pdf
    client.force_login(make_user("learner"))
    assert client.get(href).status_code == 404
