import pytest
from django.core.management import call_command

from dialogue.models import DialogueSession, Milestone, Plan, Question

pytestmark = pytest.mark.django_db


def test_loaddemo_loads_the_plan_questions_in_every_state_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Plan.objects.count(),
        Milestone.objects.count(),
        Question.objects.count(),
        DialogueSession.objects.count(),
    )
    assert counts[:2] == (1, 13)
    assert set(Question.objects.values_list("status", flat=True)) == set(Question.Status.values)
    assert DialogueSession.objects.filter(level="university", held_on="2024-04-24").exists()
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Plan.objects.count(),
        Milestone.objects.count(),
        Question.objects.count(),
        DialogueSession.objects.count(),
    ) == counts


def test_the_demo_history_is_spread_over_the_weeks_of_the_plan_not_today(settings):
    """Issue 12 §7: a plan in progress, its history on the days the plan gives each step."""
    import datetime as dt

    from django.utils import timezone

    from dialogue.models import Event, FeedbackForm

    settings.DEBUG = True
    call_command("loaddemo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    plan = Plan.objects.get(number="4402/KH-ĐHM")
    first, last = dt.date(2023, 11, 13), dt.date(2024, 4, 25)
    days = [timezone.localdate(at) for at in Event.objects.values_list("at", flat=True)]
    assert days and all(first <= day <= last for day in days), sorted(set(days))[-3:]
    assert len({day.isocalendar()[:2] for day in days}) >= 12  # weeks, not one afternoon
    # Each milestone was done on its last day, and the history says so.
    for m in plan.milestones.filter(status=Milestone.Status.DONE):
        done = m.events.get(to_status="done")
        assert timezone.localdate(done.at) == m.ends_on == m.done_on
    # A question is received when the class's minutes came in, before it is answered.
    for q in Question.objects.exclude(answered_at=None):
        assert first <= timezone.localdate(q.created_at) < timezone.localdate(q.answered_at)
    for s in DialogueSession.objects.exclude(submitted_at=None):
        assert timezone.localdate(s.created_at) <= s.held_on <= timezone.localdate(s.submitted_at)
    assert timezone.localdate(FeedbackForm.objects.get().created_at) < dt.date(2024, 4, 24)
    # The real clock is back once the demo is loaded.
    assert timezone.now.__module__ == "django.utils.timezone" and timezone.now.__name__ == "now"
