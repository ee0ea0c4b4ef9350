"""The committee's dashboard and the leadership's report (page and XLSX)."""

from django.shortcuts import render

from portal.access import role_required

from .. import selectors
from ..rows import ROW_FIELDS, question_rows
from ._common import _plan_or_404

# --- dashboard and reports -------------------------------------------------------------------


@role_required("dialogue_committee", hide=True)
def dashboard(request):
    """Milestones on time and late, questions by status, departments with overdue answers —
    a fixed number of queries whatever the number of questions."""
    from ..models import Question

    plan = _plan_or_404()
    milestones = list(plan.milestones.all())
    counts = selectors.status_counts(plan, cache_seconds=30)  # the bar chart may lag 30 s
    status_rows = [(value, label, counts.get(value, 0)) for value, label in Question.Status.choices]
    biggest = max((n for _v, _l, n in status_rows), default=0) or 1
    return render(
        request,
        "dialogue/dashboard.html",
        {
            "plan": plan,
            "timeline": selectors.timeline(milestones),
            "mcounts": selectors.milestone_counts(milestones),
            "late_milestones": [
                m for m in milestones if m.status == m.Status.LATE or m.is_overdue()
            ],
            "status_rows": status_rows,
            "biggest": biggest,
            "total": sum(n for _v, _l, n in status_rows if _v != Question.Status.MERGED),
            "overdue": selectors.overdue_by_department(plan),
            "open_by_dept": selectors.open_by_department(plan),
            "to_route": question_rows(
                plan.questions.filter(status=Question.Status.ESCALATED)
                .order_by("escalated_at")
                .values(*ROW_FIELDS)[:15],
                compact=True,
            ),
            "to_publish": question_rows(
                plan.questions.filter(status=Question.Status.ANSWERED, department__isnull=False)
                .order_by("answered_at")
                .values(*ROW_FIELDS)[:15],
                compact=True,
            ),
        },
    )


@role_required("leadership", "dialogue_committee", hide=True)
def report(request):
    """Step 11: the consolidated report for the Party Committee and the Leadership Board."""
    from django.utils import timezone

    plan = _plan_or_404()
    data = selectors.report(plan)
    return render(
        request,
        "dialogue/report.html",
        {
            "plan": plan,
            "r": data,
            "generated_at": timezone.now(),
            "counts": selectors.status_counts(plan),
        },
    )


@role_required("leadership", "dialogue_committee", hide=True)
def report_xlsx(request):
    from django.http import HttpResponse

    from ..reports import report_workbook

    plan = _plan_or_404()
    content = report_workbook(plan, selectors.report(plan))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="bao-cao-tong-hop-doi-thoai.xlsx"'
    return response
