"""The deadline sweep: each reminder and each escalation goes out exactly once."""

import datetime as dt
import threading
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from portal import deadlines
from portal.deadlines import close_step, open_step, register_step_type, sweep_deadlines
from portal.models import DeadlineStep, Notification
from portal.tasks import sweep_deadlines_task

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2025, 3, 10, 9, 0, tzinfo=HANOI)  # a Monday


def at(hours: float) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


CALLS = []


def only_the_first_recipient_then_crash(step, kind):
    """A recipients callable that dies: stands for a worker killed mid-sweep."""
    CALLS.append(step.pk)
    if len(CALLS) > 1:
        raise RuntimeError("worker killed")
    return deadlines.default_recipients(step, kind)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def step_types(restore_step_types):
    register_step_type("test.review", label="Check the registration (step 3)", hours=24)
    register_step_type(
        "test.crashing",
        label="A step whose recipients crash",
        hours=24,
        recipients="tests.portal.test_sweep.only_the_first_recipient_then_crash",
    )
    CALLS.clear()
    yield


@pytest.fixture
def office(make_user):
    """Two MTT Office clerks, their head, and someone who only has access to the portal."""
    return {
        "clerks": [make_user("mtt_office"), make_user("mtt_office")],
        "head": make_user("mtt_office_head"),
        "other": make_user("mtt_technician"),
    }


def notified(kind):
    return sorted(
        Notification.objects.filter(dedupe_key__contains=f":{kind}:").values_list(
            "user__username", flat=True
        )
    )


@pytest.mark.django_db
def test_it_reminds_the_holding_role_when_75_percent_of_the_time_has_passed(office, make_user):
    open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    assert sweep_deadlines(at(17.99)).sent == 0
    result = sweep_deadlines(at(18))
    assert len(result.reminders) == 1
    assert notified("reminder") == sorted(u.username for u in office["clerks"])
    assert notified("escalation") == []


@pytest.mark.django_db
def test_a_step_held_by_a_person_reminds_only_that_person(office, make_user):
    clerk = office["clerks"][0]
    open_step(make_user(), "test.review", start=START, holder_role="mtt_office", holder_user=clerk)
    sweep_deadlines(at(18))
    assert notified("reminder") == [clerk.username]


@pytest.mark.django_db
def test_it_escalates_a_step_past_24_hours_to_the_head_only(office, make_user):
    open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    sweep_deadlines(at(18))
    assert sweep_deadlines(at(23.99)).sent == 0
    result = sweep_deadlines(at(24))
    assert len(result.escalations) == 1
    assert notified("escalation") == [office["head"].username]


@pytest.mark.django_db
def test_running_it_twice_sends_one_reminder_and_one_escalation(office, make_user):
    open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    sweep_deadlines(at(30))
    assert sweep_deadlines(at(30)).sent == 0
    assert sweep_deadlines(at(300)).sent == 0
    assert Notification.objects.count() == 3  # two clerks reminded, one head escalated


@pytest.mark.django_db
def test_a_closed_step_is_never_swept(office, make_user):
    request = make_user()
    open_step(request, "test.review", start=START, holder_role="mtt_office")
    close_step(request, "test.review", at=at(1))
    assert sweep_deadlines(at(100)).sent == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_step_with_no_one_in_its_role_is_marked_and_sends_nothing(make_user):
    step = open_step(make_user(), "test.review", start=START, holder_role="mtt_technician")
    result = sweep_deadlines(at(24))
    assert result.sent == 0
    step.refresh_from_db()
    assert step.reminded_at == at(24) and step.escalated_at == at(24)


@pytest.mark.django_db
def test_the_reminder_names_the_step_and_the_due_time_in_vietnamese(office, make_user):
    open_step(make_user(), "test.review", start=START, holder_user=office["clerks"][0])
    sweep_deadlines(at(18))
    reminder = Notification.objects.get()
    assert reminder.subject == "Nhắc việc: Check the registration (step 3) — hạn 11/03/2025 09:00"
    assert "11/03/2025 09:00" in reminder.body


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_leaves_nothing_half_done(office, make_user):
    first, second = make_user(), make_user()
    open_step(first, "test.crashing", start=START, holder_role="mtt_office")
    open_step(second, "test.crashing", start=START, holder_role="mtt_office")
    with pytest.raises(RuntimeError):
        sweep_deadlines(at(18))
    # Both steps were in the batch that rolled back: no marker, no notification.
    assert not DeadlineStep.objects.filter(reminded_at__isnull=False).exists()
    assert not Notification.objects.exists()
    register_step_type("test.crashing", label="fixed", hours=24)
    assert len(sweep_deadlines(at(18)).reminders) == 2
    assert Notification.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_from_two_threads_give_one_reminder(office, make_user):
    for _ in range(30):
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(sweep_deadlines(at(18)))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(len(r.reminders) for r in results) == 30
    assert Notification.objects.count() == 60  # 30 steps × 2 clerks, not one more
    assert not DeadlineStep.objects.filter(reminded_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_celery_task_sweeps_at_the_current_time(office, make_user):
    with time_machine.travel(START, tick=False):
        open_step(make_user(), "test.review", holder_role="mtt_office")
    with time_machine.travel(at(17), tick=False):
        sweep_deadlines_task()
        assert not Notification.objects.exists()
    with time_machine.travel(at(18), tick=False):
        sweep_deadlines_task()
        sweep_deadlines_task()
    assert notified("reminder") == sorted(u.username for u in office["clerks"])
    with time_machine.travel(at(24), tick=False):
        sweep_deadlines_task()
    assert notified("escalation") == [office["head"].username]


@pytest.mark.django_db
def test_the_command_prints_what_it_sent_and_a_second_run_sends_nothing(office, make_user):
    open_step(make_user(), "test.review", start=at(-30), holder_role="mtt_office")
    out = StringIO()
    call_command("sweep_deadlines", stdout=out)
    printed = out.getvalue()
    assert "reminder" in printed and "escalation" in printed
    assert office["head"].email in printed
    assert "3 notification(s)" in printed
    again = StringIO()
    call_command("sweep_deadlines", stdout=again)
    assert "Nothing due" in again.getvalue()
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_a_sweep_with_nothing_due_costs_one_query(office, make_user, django_assert_num_queries):
    for _ in range(20):
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    # Both partial indexes read for one entry each, in one UNION ALL; no transaction.
    with django_assert_num_queries(1):
        sweep_deadlines(at(1))


@pytest.mark.django_db
def test_the_sweep_reads_the_partial_indexes_of_open_steps(make_user):
    subject = open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    # Many open steps, none of them due: the planner must still go straight to the due ones.
    DeadlineStep.objects.bulk_create(
        DeadlineStep(
            step_type="test.review",
            content_type=subject.content_type,
            object_id=f"x{i}",
            started_at=at(i),
            hours=24,
            remind_at=at(i + 18),
            due_at=at(i + 24),
        )
        for i in range(3000)
    )
    # …and overdue steps that were already escalated and are still open: not the sweep's work.
    DeadlineStep.objects.bulk_create(
        DeadlineStep(
            step_type="test.review",
            content_type=subject.content_type,
            object_id=f"late{i}",
            started_at=at(-100),
            hours=24,
            remind_at=at(-82),
            due_at=at(-76),
            reminded_at=at(-82),
            escalated_at=at(-76),
        )
        for i in range(300)
    )
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE portal_deadlinestep")
        for when, marker in (("remind_at", "reminded_at"), ("due_at", "escalated_at")):
            sql, params = (
                DeadlineStep.objects.filter(
                    closed_at__isnull=True, **{f"{marker}__isnull": True, f"{when}__lte": at(1)}
                )
                .order_by(when, "pk")
                .query.sql_with_params()
            )
            cursor.execute("EXPLAIN " + sql, params)
            plans.append((when, " ".join(row[0] for row in cursor.fetchall())))
    for when, plan in plans:
        # A range read of a partial index over open steps, from the oldest up to now.
        assert "Seq Scan" not in plan
        assert f"Index Cond: ({when} <= " in plan
        assert "_pending_idx" in plan


# --- Batching: the cost of a busy sweep does not grow with the steps due -------------------


def busy_sweep_queries(make_user, due: int, start: dt.datetime) -> int:
    for _ in range(due):
        open_step(make_user(), "test.review", start=start, holder_role="mtt_office")
    with CaptureQueriesContext(connection) as queries:
        result = sweep_deadlines(start + dt.timedelta(hours=30))
    assert len(result.reminders) == len(result.escalations) == due
    return len(queries)


@pytest.mark.django_db
def test_a_busy_sweep_costs_the_same_queries_for_5_or_50_steps_due(office, make_user):
    five = busy_sweep_queries(make_user, 5, START)
    fifty = busy_sweep_queries(make_user, 50, at(100))
    assert five == fifty, (five, fifty)
    # One read of both partial indexes, then one transaction: per kind one UPDATE … RETURNING
    # (the locked read, the claim and the rows at once); two role reads (clerks, head), the
    # objects, one INSERT … RETURNING for both kinds, and the SAVEPOINT and its RELEASE.
    assert fifty == 9
    assert Notification.objects.count() == 55 * 3  # two clerks reminded, the head escalated


@pytest.mark.django_db
def test_a_busy_sweep_queues_one_delivery_task_per_batch_not_per_notification(
    office, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(deadlines, "SWEEP_BATCH", 20)
    published = []
    monkeypatch.setattr(
        "portal.notifications.enqueue_deliveries", lambda ids: published.append(ids) or True
    )
    for _ in range(30):
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sweep_deadlines(at(30))
    # Two transactions: 20 steps' reminders and escalations, then the other 10 steps'.
    assert len(callbacks) == 2
    assert [len(ids) for ids in published] == [20 * 3, 10 * 3]
    assert sorted(i for ids in published for i in ids) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_the_steps_a_sweep_hands_back_read_as_the_database_holds_them(office, make_user):
    """The claim's rows (read by the sweep's own cursor) are the steps as the ORM reads them:
    every field, the times in UTC to the microsecond, the claim's marker set."""
    clerk = office["clerks"][0]
    open_step(make_user(), "test.review", start=START + dt.timedelta(microseconds=7))
    open_step(make_user(), "test.review", start=START, holder_user=clerk)
    result = sweep_deadlines(at(30))
    swept = [step for step, _n in result.reminders + result.escalations]
    assert len(swept) == 4
    for step in swept:
        stored = DeadlineStep.objects.get(pk=step.pk)
        # A step due for both is claimed twice, the reminder first: its row has no
        # escalation yet.
        kind_marker = "reminded_at" if step.escalated_at is None else "escalated_at"
        for f in DeadlineStep._meta.concrete_fields:
            if f.attname != "escalated_at" or kind_marker == "escalated_at":
                assert getattr(step, f.attname) == getattr(stored, f.attname), f.name
        assert step.started_at.tzinfo is dt.UTC and getattr(step, kind_marker) == at(30)
        assert not step._state.adding
    assert {step.started_at.microsecond for step in swept} == {0, 7}


@pytest.mark.django_db
def test_more_steps_due_than_a_batch_are_all_sent_once(office, make_user, monkeypatch):
    monkeypatch.setattr(deadlines, "SWEEP_BATCH", 4)
    for _ in range(10):
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    result = sweep_deadlines(at(30))
    assert len(result.reminders) == len(result.escalations) == 10
    assert sweep_deadlines(at(30)).sent == 0
    assert Notification.objects.count() == 30


@pytest.mark.django_db
def test_a_batch_partly_claimed_by_another_sweep_is_claimed_again_row_by_row(
    office, make_user, monkeypatch
):
    """Without row locks (not PostgreSQL), another sweep may claim part of a batch between the
    read and the claim: the batch's UPDATE then counts fewer rows, the batch rolls back and is
    claimed step by step, so each step still goes out once."""
    steps = [
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
        for _ in range(3)
    ]
    # The claim of databases without row locks (PostgreSQL claims in one UPDATE … RETURNING
    # the rows its read locked, and cannot lose such a race).
    monkeypatch.setattr(deadlines, "_claims_in_one_statement", lambda connection: False)
    real_claim = deadlines._claim
    modes = []

    def racing_claim(batch, marker, pending, now, one_by_one):
        modes.append(one_by_one)
        if not one_by_one and marker == "reminded_at":
            # The other sweep claims the first step and writes its notifications.
            DeadlineStep.objects.filter(pk=batch[0].pk).update(reminded_at=now)
        return real_claim(batch, marker, pending, now, one_by_one)

    monkeypatch.setattr(deadlines, "_claim", racing_claim)
    result = sweep_deadlines(at(18))
    assert modes == [False, True]
    # The other sweep's claim was in the batch's transaction (rolled back with it): here the
    # fallback claims all three, and each step is reminded once.
    assert sorted(s.pk for s, _n in result.reminders) == sorted(s.pk for s in steps)
    assert Notification.objects.count() == 6
    assert not DeadlineStep.objects.filter(reminded_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_per_row_claim_skips_a_step_another_sweep_took(office, make_user):
    steps = [
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
        for _ in range(3)
    ]
    pending = {"closed_at__isnull": True, "reminded_at__isnull": True, "remind_at__lte": at(18)}
    DeadlineStep.objects.filter(pk=steps[1].pk).update(reminded_at=at(17))  # taken
    # The batch's UPDATE counts 2 of 3: it raises, and its transaction rolls back.
    with pytest.raises(deadlines._LostRace), transaction.atomic():
        deadlines._claim(steps, "reminded_at", pending, at(18), one_by_one=False)
    assert DeadlineStep.objects.filter(reminded_at__isnull=True).count() == 2
    won = deadlines._claim(steps, "reminded_at", pending, at(18), one_by_one=True)
    assert [s.pk for s in won] == [steps[0].pk, steps[2].pk]


@pytest.mark.django_db
def test_each_recipient_gets_the_message_in_their_language_with_their_name(make_user):
    vi = make_user("mtt_office", full_name="Phạm Thu Hà", language="vi")
    en = make_user("mtt_office", full_name="Nguyễn Văn An", language="en")
    open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    sweep_deadlines(at(18))
    to_vi = Notification.objects.get(user=vi)
    to_en = Notification.objects.get(user=en)
    assert to_vi.language == "vi" and to_vi.body.startswith("Kính gửi Phạm Thu Hà,")
    assert to_vi.subject == "Nhắc việc: Check the registration (step 3) — hạn 11/03/2025 09:00"
    assert to_en.language == "en" and to_en.body.startswith("Dear Nguyễn Văn An,")
    assert to_en.subject == "Reminder: Check the registration (step 3) — due 11/03/2025 09:00"
    assert "10/03/2025 09:00" in to_en.body  # started, Hanoi time
    # The role's name (a lazy translation) in each reader's language.
    assert "It is held by the role: MTT Office." in to_en.body
    assert "Văn phòng MTT" in to_vi.body and "MTT Office" not in to_vi.body


def head_of_office_only_active_ones(step, kind):
    """A recipients callable as the apps write them: users_with_role, filtered further."""
    return list(deadlines.users_with_role("mtt_office_head").filter(email__endswith=".vn"))


@pytest.mark.django_db
def test_an_app_recipients_callable_may_filter_the_role_query_further(make_user):
    register_step_type(
        "test.filtered",
        label="Filtered",
        hours=24,
        recipients="tests.portal.test_sweep.head_of_office_only_active_ones",
    )
    vn = make_user("mtt_office_head", email="head@example.edu.vn")
    make_user("mtt_office_head", email="head@example.com")
    open_step(make_user(), "test.filtered", start=START, holder_role="mtt_office")
    sweep_deadlines(at(18))
    assert list(Notification.objects.values_list("user", flat=True)) == [vn.pk]


@pytest.mark.django_db
def test_a_role_is_read_once_per_sweep_and_afresh_by_the_next(office, make_user):
    for _ in range(3):
        open_step(make_user(), "test.review", start=START, holder_role="mtt_office")
    with CaptureQueriesContext(connection) as queries:
        sweep_deadlines(at(18))
    role_reads = [q for q in queries if 'FROM "portal_user" INNER JOIN' in q["sql"]]
    assert len(role_reads) == 1
    newcomer = make_user("mtt_office")
    open_step(make_user(), "test.review", start=at(1), holder_role="mtt_office")
    sweep_deadlines(at(19))
    assert Notification.objects.filter(user=newcomer).count() == 1
    assert not isinstance(deadlines.users_with_role("mtt_office"), list)
