"""The dialogue's steps in a deadline sweep: each unit's people are read once per sweep, so
the sweep's queries do not grow with the number of due steps (issue 14)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from office import services as office
from office.models import UnitKind
from portal.deadlines import open_step, sweep_deadlines
from portal.models import Notification


def reminded_units(units, member, n, start):
    """n faculties, each with one dialogue_unit member and one question step due there."""
    for i in range(n):
        unit = office.create_unit(
            actor=None, parent=units["hou"], kind=UnitKind.FACULTY, code=f"f{n}-{i}", name=f"K{i}"
        )
        member("dialogue_unit", unit, full_name=name(n, i))
        open_step(unit, "dialogue.unit_answer", start=start, holder_unit=unit)


def name(n, i):
    return f"Cán bộ {'Hai' if n == 2 else 'Tám'} {chr(ord('A') + i)}"


def sweep_queries(now):
    with CaptureQueriesContext(connection) as ctx:
        result = sweep_deadlines(now)
    return len(ctx.captured_queries), result


@pytest.mark.django_db
def test_a_sweep_reads_the_units_people_once_not_once_per_step(units, member, committee):
    start = timezone.now() - dt.timedelta(days=12)  # 12 of 14 days: past the 75 % reminder
    reminded_units(units, member, 2, start)
    few, result = sweep_queries(timezone.now())
    assert len(result.reminders) == 2

    reminded_units(units, member, 8, start)
    many, result = sweep_queries(timezone.now())
    assert len(result.reminders) == 8
    assert many == few

    # Each unit's reminder went to that unit's member only.
    for i in range(8):
        mail = Notification.objects.get(dedupe_key__contains="reminder", user__full_name=name(8, i))
        assert mail.user.person.assignments.get().position.unit.code == f"f8-{i}"
