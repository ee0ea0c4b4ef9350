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
