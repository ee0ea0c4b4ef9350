"""Deadlines as data: opening, closing and computing due times."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.deadlines import close_step, compute_due, open_step, register_step_type
from portal.models import DeadlineStep

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def step_types(restore_step_types):
    register_step_type("test.review", label="Check the registration (step 3)", hours=24)
    register_step_type("test.working", label="Answer in working hours", hours=8, calendar="working")
    yield


def at(*args):
    return dt.datetime(*args, tzinfo=HANOI)


def test_a_step_is_due_24_hours_after_it_starts_on_the_wall_clock(make_user):
    subject = make_user()
    step = open_step(subject, "test.review", start=at(2025, 3, 7, 16, 0), holder_role="mtt_office")
    assert step.due_at == at(2025, 3, 8, 16, 0)
    assert step.remind_at == at(2025, 3, 8, 10, 0)  # 75 % of 24 hours


def test_settings_override_the_allowed_hours_of_a_step_type(make_user, settings):
    settings.DEADLINE_HOURS = {"test.review": 48}
    step = open_step(make_user(), "test.review", start=at(2025, 3, 7, 16, 0))
    assert step.due_at == at(2025, 3, 9, 16, 0)


def test_an_explicit_allowed_time_wins_over_the_step_type(make_user):
    step = open_step(make_user(), "test.review", start=at(2025, 3, 7, 16, 0), hours=2)
    assert step.due_at == at(2025, 3, 7, 18, 0)


def test_opening_an_open_step_again_keeps_its_clock_and_changes_the_holder(make_user):
    subject, person = make_user(), make_user()
    first = open_step(subject, "test.review", start=at(2025, 3, 7, 9, 0), holder_role="mtt_office")
    again = open_step(subject, "test.review", start=at(2025, 3, 7, 11, 0), holder_user=person)
    assert again.pk == first.pk
    assert again.due_at == at(2025, 3, 8, 9, 0)
    assert again.holder_user == person


def test_closing_a_step_is_idempotent_and_a_new_one_can_open_after(make_user):
    subject = make_user()
    open_step(subject, "test.review", start=at(2025, 3, 7, 9, 0))
    assert close_step(subject, "test.review", at=at(2025, 3, 7, 10, 0)) == 1
    assert close_step(subject, "test.review", at=at(2025, 3, 7, 11, 0)) == 0
    reopened = open_step(subject, "test.review", start=at(2025, 3, 9, 9, 0))
    steps = list(DeadlineStep.objects.for_object(subject))
    assert [s.closed_at for s in steps] == [at(2025, 3, 7, 10, 0), None]
    assert steps[1] == reopened


def test_steps_are_found_by_their_object(make_user):
    subject, other = make_user(), make_user()
    open_step(subject, "test.review", start=at(2025, 3, 7, 9, 0))
    open_step(other, "test.review", start=at(2025, 3, 7, 9, 0))
    [step] = DeadlineStep.objects.for_object(subject)
    assert step.target == subject
    assert step.content_type == ContentType.objects.get_for_model(subject)


def test_an_unknown_step_type_is_a_clear_error(make_user):
    with pytest.raises(LookupError, match="register_step_type"):
        open_step(make_user(), "test.nothing")


def test_a_working_hours_step_started_friday_afternoon_is_due_monday():
    # Friday 07/03/2025 15:00 + 8 working hours: 2.5 h on Friday, 4 h + 1.5 h on Monday.
    assert compute_due(at(2025, 3, 7, 15, 0), 8, "working") == at(2025, 3, 10, 15, 0)


def test_a_working_hours_step_skips_the_lunch_break():
    assert compute_due(at(2025, 3, 10, 11, 0), 2, "working") == at(2025, 3, 10, 14, 30)


def test_a_working_hours_step_started_at_night_counts_from_the_next_opening():
    assert compute_due(at(2025, 3, 10, 21, 0), 1, "working") == at(2025, 3, 11, 9, 0)


def test_tet_does_not_count_as_working_time():
    # Tết At Ty 2025: 27/01 to 31/01 are public holidays (Monday to Friday), then a weekend.
    assert compute_due(at(2025, 1, 24, 18, 0), 1, "working") == at(2025, 2, 3, 9, 0)


def test_the_wall_clock_counts_tet_like_any_other_day():
    assert compute_due(at(2025, 1, 28, 9, 0), 24) == at(2025, 1, 29, 9, 0)


def test_the_registered_working_calendar_is_used_when_the_step_opens(make_user):
    step = open_step(make_user(), "test.working", start=at(2025, 4, 29, 16, 0))
    # 30/04 and 01/05 are holidays, 02/05/2025 a substituted day off, then the weekend.
    assert step.due_at == at(2025, 5, 5, 16, 0)  # 1.5 h on 29/04, 6.5 h on 05/05
