"""Reads of the dialogue: the current plan, the timeline, scopes, dashboards and reports."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from .models import DutyItem, Milestone, Plan, UnitDuty


def current_plan() -> Plan | None:
    """The newest published plan (the public page shows it)."""
    return Plan.objects.filter(status=Plan.Status.PUBLISHED).order_by("-issued_on", "-id").first()


def plan_with_parts(pk) -> Plan:
    return Plan.objects.prefetch_related(
        "milestones",
        Prefetch(
            "unit_duties",
            queryset=UnitDuty.objects.prefetch_related(
                Prefetch("items", queryset=DutyItem.objects.select_related("done_by"))
            ),
        ),
    ).get(pk=pk)


@dataclass
class TimelineRow:
    milestone: Milestone
    left: float  # per cent of the timeline's width
    width: float
    late: bool
    state: str  # planned / in_progress / done / late — for the bar's colour


@dataclass
class Tick:
    left: float
    label: str


@dataclass
class Timeline:
    rows: list[TimelineRow]
    ticks: list[Tick]
    today: date
    today_left: float | None  # None when today is outside the plan's span
    start: date
    end: date


def _pct(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 3)


def timeline(milestones, today: date | None = None) -> Timeline | None:
    """Rows = milestones, bars = their date ranges on one scale, a today line, month ticks.

    Days are whole: a bar covers its first day to the end of its last day."""
    milestones = list(milestones)
    if not milestones:
        return None
    today = today or timezone.localdate()
    start = min(m.starts_on for m in milestones)
    end = max(m.ends_on for m in milestones)
    # Start on the first of the month, end after the last month, so ticks fall on months.
    start = start.replace(day=1)
    end = (end.replace(day=28) + timedelta(days=4)).replace(day=1)
    span = (end - start).days or 1

    def pos(d: date) -> float:
        return (d - start).days / span * 100

    rows = []
    for m in milestones:
        late = m.is_overdue(today) or m.status == Milestone.Status.LATE
        state = "late" if late else m.status
        left = pos(m.starts_on)
        width = max(pos(m.ends_on + timedelta(days=1)) - left, 0.9)
        rows.append(TimelineRow(m, _pct(left), _pct(width), late, state))
    ticks = []
    d = start
    while d < end:
        ticks.append(Tick(_pct(pos(d)), d.strftime("%m/%Y")))
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    today_left = _pct(pos(today) + 0.5 / span * 100) if start <= today < end else None
    return Timeline(rows, ticks, today, today_left, start, end)


def milestone_counts(milestones, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    counts = {"total": 0, "done": 0, "late": 0, "in_progress": 0, "planned": 0, "done_late": 0}
    for m in milestones:
        counts["total"] += 1
        if m.status == Milestone.Status.DONE:
            counts["done"] += 1
            if m.done_on and m.done_on > m.ends_on:
                counts["done_late"] += 1
        elif m.is_overdue(today) or m.status == Milestone.Status.LATE:
            counts["late"] += 1
        elif m.status == Milestone.Status.IN_PROGRESS:
            counts["in_progress"] += 1
        else:
            counts["planned"] += 1
    counts["on_time"] = counts["total"] - counts["late"] - counts["done_late"]
    return counts
