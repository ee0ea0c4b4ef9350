"""Reads of the dialogue: the current plan, the timeline, scopes, dashboards and reports."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from portal.bilingual import in_language

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


# --- questions -----------------------------------------------------------------------------

QUESTION_RELATED = ("topic", "unit", "department", "answered_by_unit", "session")


def questions_visible_to(user):
    """The questions a person may open: 404 for the others (scope from office assignments)."""
    from django.db.models import Q

    from .models import Question
    from .scope import can_read_all, unit_ids_of

    qs = Question.objects.select_related(*QUESTION_RELATED)
    if not user.is_authenticated:
        return qs.none()
    if can_read_all(user):
        return qs
    cond = Q(pk__in=[])
    units = unit_ids_of(user)
    if user.has_role("dialogue_unit") and units:
        cond |= Q(unit_id__in=units)
    if user.has_role("dialogue_responder") and units:
        # Only what was sent to their department; never another department's items.
        cond |= Q(department_id__in=units) & ~Q(status=Question.Status.MERGED)
    if user.has_role("learner"):
        cond |= Q(asked_by=user)
    return qs.filter(cond)


def public_answers(query: str = "", topic_id=None, unit_id=None):
    """Published answers, searchable without accents: every folded word must match."""
    from portal.text import fold_words

    from .models import Question

    qs = Question.objects.filter(
        status=Question.Status.PUBLISHED, merged_into__isnull=True
    ).order_by("-published_at", "-id")
    for word in fold_words(query):
        qs = qs.filter(search_key__contains=word)
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    if unit_id:
        # An anonymous question is never listed under its unit.
        qs = qs.filter(unit_id=unit_id, anonymous=False)
    return qs


def status_counts(plan, cache_seconds: int = 0) -> dict[str, int]:
    """The plan's questions by status. With `cache_seconds`, one grouped count over every
    question (100,000 and more) serves the dashboard for that long (issue 15)."""
    from django.core.cache import cache
    from django.db.models import Count

    from .models import Question

    key = f"dialogue:status-counts:{plan.pk}"
    if cache_seconds and (cached := cache.get(key)) is not None:
        return cached
    counts = dict.fromkeys(Question.Status.values, 0)
    for row in plan.questions.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    if cache_seconds:
        cache.set(key, counts, cache_seconds)
    return counts


def overdue_by_department(plan, now=None):
    """Departments holding answers past their due time, worst first (one query)."""
    from django.db.models import Count, Min

    from .models import Question

    now = now or timezone.now()
    return _named(
        plan.questions.filter(status=Question.Status.ROUTED, due_at__lt=now)
        .values("department__id", "department__name", "department__name_en")
        .annotate(n=Count("id"), oldest=Min("due_at"))
        .order_by("-n", "oldest")
    )


def _named(rows) -> list[dict]:
    """Each department row with its `name` in the reader's language (issue 13), Vietnamese when
    it has no other."""
    rows = list(rows)
    for row in rows:
        row["name"] = in_language(row["department__name"], row["department__name_en"])
    return rows


def open_by_department(plan):
    from django.db.models import Count

    from .models import Question

    return _named(
        plan.questions.filter(status=Question.Status.ROUTED)
        .values("department__id", "department__name", "department__name_en")
        .annotate(n=Count("id"))
        .order_by("department__name")
    )


@dataclass
class ReportGroup:
    topic: object
    items: list
    count: int = 0  # times raised, duplicates included
    answered: int = 0
    overdue: int = 0


def report(plan, now=None):
    """The consolidated report (step 11): the items by topic with their answers and counts."""
    from .models import Question, Topic

    now = now or timezone.now()
    items = list(
        plan.questions.exclude(status=Question.Status.MERGED)
        .select_related("topic", "unit", "department", "answered_by_unit")
        .order_by("topic__position", "topic__name", "-source_count", "id")
    )
    groups: dict[int, ReportGroup] = {}
    topics = {t.pk: t for t in Topic.objects.all()}
    for q in items:
        g = groups.setdefault(q.topic_id, ReportGroup(topic=topics.get(q.topic_id), items=[]))
        g.items.append(q)
        g.count += q.source_count
        if q.status in (Question.Status.ANSWERED, Question.Status.PUBLISHED):
            g.answered += 1
        if q.status == Question.Status.ROUTED and q.due_at and q.due_at < now:
            g.overdue += 1
    by_unit: dict[str, int] = {}
    for q in items:
        # Anonymous questions are counted together, never under their unit (a count of 1 names).
        by_unit[q.unit_label] = by_unit.get(q.unit_label, 0) + q.source_count
    return {
        "groups": list(groups.values()),
        "items": items,
        "total_items": len(items),
        "total_raised": sum(q.source_count for q in items),
        "by_unit": sorted(by_unit.items(), key=lambda kv: (-kv[1], kv[0])),
        "overdue": [
            q for q in items if q.status == Question.Status.ROUTED and q.due_at and q.due_at < now
        ],
    }


# --- the university-level dialogue (step 13) -------------------------------------------------


def university_session(plan):
    from .models import DialogueSession, Level

    return DialogueSession.objects.filter(plan=plan, level=Level.UNIVERSITY).first()


@dataclass
class ParticipantGroup:
    value: str
    label: str
    people: list
    total: int  # the sum of the known numbers of people


def participant_groups(participants) -> list[ParticipantGroup]:
    """Participants in the order of section II.2.1's categories, then as entered."""
    from .models import Participant

    by_cat: dict[str, list] = {}
    for p in participants:
        by_cat.setdefault(p.category, []).append(p)
    return [
        ParticipantGroup(value, label, by_cat[value], sum(p.count or 0 for p in by_cat[value]))
        for value, label in Participant.Category.choices
        if value in by_cat
    ]


def selection_candidates(plan, query: str = "", topic_id=None):
    """The consolidated items the committee may select for the university-level dialogue:
    with a department or answered; searchable without accents, by topic."""
    from portal.text import fold_words

    from .models import Question

    qs = (
        Question.objects.filter(plan=plan, status__in=Question.SELECTABLE)
        .select_related("topic", "unit", "department")
        .order_by("topic__position", "-source_count", "id")
    )
    for word in fold_words(query):
        qs = qs.filter(search_key__contains=word)
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    return qs


# --- the public answers' filters, kept (issue 15) ------------------------------------------------
# The topics and the training units the answers page offers: three queries on every load of a
# public page, for lists that change when a topic or a unit is edited. Kept in the cache and
# forgotten on any save or delete of a topic or a unit (dialogue.apps), at once and on commit.

ANSWER_FILTERS_KEY = "dialogue:answer-filters"


def answer_filter_rows() -> tuple[list, list]:
    """([(pk, name, name_en)] of the topics, the same of the training units)."""
    from django.core.cache import cache

    from .models import Topic
    from .scope import training_units

    kept = cache.get(ANSWER_FILTERS_KEY)
    if kept is None:
        kept = (
            list(Topic.objects.order_by("position", "name").values_list("pk", "name", "name_en")),
            list(training_units().values_list("pk", "name", "name_en")),
        )
        cache.set(ANSWER_FILTERS_KEY, kept, 3600)
    return kept


def forget_answer_filters() -> None:
    from django.core.cache import cache

    cache.delete(ANSWER_FILTERS_KEY)
