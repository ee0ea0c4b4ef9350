"""The benchmarks' URLs: the portal's, plus a bare view and the floors the pages are compared to.

A floor is the cheapest page that shows the same rows: one indexed query for them, a minimal
template (its own engine: no context processors, no base template) and no log-in lookup. A page's
ratio to its floor is what the portal's machinery (permissions, layout, filters, counts) costs on
top of fetching and printing its rows.
"""

from django.http import HttpResponse
from django.template import Context, Engine
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

_ENGINE = Engine()
_ROWS = _ENGINE.from_string(
    "<!doctype html><title>floor</title><table>{% for r in rows %}<tr>"
    "{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>"
)


def bare(request):
    """The machine's baseline: the cheapest Django view, through the same middleware."""
    return HttpResponse("ok")


def _rows(sql, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return HttpResponse(_ROWS.render(Context({"rows": rows})))


def queue_floor(request):
    """The review queue's default filter: the first 25 waiting requests by due time, with the
    columns the page shows (who checks it, whether the registry has the person)."""
    return _rows(
        "SELECT r.due_at, r.id, r.reference, r.family_and_middle_names, r.given_name, "
        "r.person_id, r.person_kind, r.request_kind, r.unit_name, r.status, u.full_name, "
        "EXISTS (SELECT 1 FROM accounts_registryrecord g WHERE g.kind = r.person_kind "
        "AND g.person_id = r.person_id) "
        "FROM accounts_accountrequest r LEFT JOIN portal_user u ON u.id = r.claimed_by_id "
        "WHERE r.status IN ('draft', 'submitted', 'in_review') ORDER BY r.due_at, r.id LIMIT 26"
    )


def answers_floor(request):
    """The public answers page: the 20 latest published answers."""
    return _rows(
        "SELECT id, text, answer_text, published_at FROM dialogue_question "
        "WHERE status = 'published' AND merged_into_id IS NULL "
        "ORDER BY published_at DESC, id DESC LIMIT 20"
    )


def responder_floor(request):
    """The responders' queue: the first 25 questions waiting for a department's answer."""
    return _rows(
        "SELECT id, text, due_at FROM dialogue_question WHERE status = 'routed' "
        "AND department_id IS NOT NULL ORDER BY due_at, id LIMIT 25"
    )


def people_floor(request):
    """The directory search: 25 people by name."""
    return _rows(
        "SELECT id, title, full_name, email FROM office_person ORDER BY full_name, id LIMIT 25"
    )


def report_floor(request):
    """BM03 for a month: one grouped count over the month's requests."""
    return _rows(
        "SELECT status, count(*) FROM accounts_accountrequest "
        "WHERE submitted_at >= date_trunc('month', now()) GROUP BY status"
    )


def dashboard_floor(request):
    """The committee's dashboard: the plan's questions counted by status (one grouped count)."""
    return _rows(
        "SELECT status, count(*) FROM dialogue_question WHERE plan_id = "
        "(SELECT min(id) FROM dialogue_plan) GROUP BY status"
    )


urlpatterns = [
    path("bench/bare", bare),
    path("bench/floor/queue", queue_floor),
    path("bench/floor/answers", answers_floor),
    path("bench/floor/responder", responder_floor),
    path("bench/floor/people", people_floor),
    path("bench/floor/report", report_floor),
    path("bench/floor/dashboard", dashboard_floor),
    *portal_urlpatterns,
]
