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


def _words(request):
    from portal.text import fold_words

    return fold_words(request.GET.get("q", ""))


def _like(column: str, words) -> tuple[str, list]:
    """`AND column LIKE %word%` for each folded word (the trigram indexes answer these)."""
    return "".join(f" AND {column} LIKE %s" for _w in words), [f"%{w}%" for w in words]


def answers_floor(request):
    """The public answers page: the 20 latest published answers (with ?q=, those whose folded
    text has every word), each card's topic, unit and answering unit."""
    where, params = _like("q.search_key", _words(request))
    return _rows(
        "SELECT q.id, t.name, q.kind, q.source_count, q.published_at, q.text, q.anonymous, "
        "q.student_class, u.name, a.name, q.answer_text FROM dialogue_question q "
        "JOIN dialogue_topic t ON t.id = q.topic_id JOIN office_unit u ON u.id = q.unit_id "
        "LEFT JOIN office_unit a ON a.id = q.answered_by_unit_id "
        "WHERE q.status = 'published' AND q.merged_into_id IS NULL" + where + " "
        "ORDER BY q.published_at DESC, q.id DESC LIMIT 20",
        params,
    )


_RESPONDER_UNITS: list[int] = []


def _responder_units() -> list[int]:
    """The departments of the bench's `responder` log-in (read once: the page reads them from
    the log-in's assignments on every request, the floor has no log-in)."""
    if not _RESPONDER_UNITS:
        from django.contrib.auth import get_user_model

        from dialogue.scope import unit_ids_of

        user = get_user_model().objects.get(username="responder")
        _RESPONDER_UNITS.extend(sorted(unit_ids_of(user)) or [0])
    return _RESPONDER_UNITS


def responder_floor(request):
    """The responders' queue: the first 25 questions waiting for the responder's department's
    answer, by due time, and its 50 latest answered, each with its topic, unit and department
    (the page's two tables)."""
    units = _responder_units()
    within = "q.department_id IN (" + ", ".join(["%s"] * len(units)) + ")"
    columns = (
        "SELECT q.id, q.text, q.source_count, t.name, u.name, q.anonymous, d.name, q.due_at, "
        "q.status FROM dialogue_question q JOIN dialogue_topic t ON t.id = q.topic_id "
        "JOIN office_unit u ON u.id = q.unit_id JOIN office_unit d ON d.id = q.department_id "
    )
    return _rows(
        f"({columns} WHERE q.status = 'routed' AND {within} ORDER BY q.due_at, q.id LIMIT 25) "
        f"UNION ALL ({columns} WHERE q.status IN ('answered', 'published') AND {within} "
        "ORDER BY q.answered_at DESC LIMIT 50)",
        units + units,
    )


def people_floor(request):
    """The directory search (?q=tuyen+sinh): the people whose folded name has every word, 50 by
    name, each with the positions held today and their units (the page's people table), then
    the units and areas whose folded name has every word (its cards)."""
    words = _words(request) or ["tuyen", "sinh"]
    where, params = _like("p.search_key", words)
    unit_where, unit_params = _like("u.search_key", words)
    return _rows(
        "SELECT p.id, p.title, p.full_name, p.email, s.name, u.code, u.name "
        "FROM (SELECT * FROM office_person p WHERE true" + where + " "
        "ORDER BY p.full_name, p.id LIMIT 50) p "
        "LEFT JOIN office_assignment a ON a.person_id = p.id AND a.relation = 'position' "
        "AND (a.starts_on IS NULL OR a.starts_on <= current_date) "
        "AND (a.ends_on IS NULL OR a.ends_on > current_date) "
        "LEFT JOIN office_position s ON s.id = a.position_id "
        "LEFT JOIN office_unit u ON u.id = a.unit_id "
        "UNION ALL SELECT u.id, u.kind, u.name, u.code, NULL, NULL, NULL "
        "FROM office_unit u WHERE true" + unit_where,
        params + unit_params,
    )


def report_floor(request):
    """BM03 for the month: the month's requests counted by unit, form, kind and status (its
    table), then the steps closed in the month by step and the issuing steps by issuer, each
    with how many were on time and the median hours (its two other tables)."""
    steps = (
        "count(*) FILTER (WHERE s.closed_at <= s.due_at), percentile_cont(0.5) WITHIN GROUP "
        "(ORDER BY extract(epoch FROM s.closed_at - s.started_at) / 3600) "
        "FROM portal_deadlinestep s "
    )
    month = (
        "date_trunc('month', now()) AND s.content_type_id = (SELECT id FROM django_content_type "
        "WHERE app_label = 'accounts' AND model = 'accountrequest')"
    )
    return _rows(
        "SELECT coalesce(u.name, r.unit_name), r.person_kind, r.request_kind, r.status, "
        "count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM accounts_requestevent e "
        "WHERE e.request_id = r.id AND e.action = 'auto_verified')), NULL "
        "FROM accounts_accountrequest r "
        "LEFT JOIN office_unit u ON u.id = r.unit_id "
        "WHERE r.submitted_at >= date_trunc('month', now()) AND r.status <> 'merged' "
        "GROUP BY 1, 2, 3, 4 "
        f"UNION ALL SELECT s.step_type, NULL, NULL, NULL, count(*), {steps}"
        f"WHERE s.closed_at >= {month} GROUP BY 1 "
        f"UNION ALL SELECT i.full_name, NULL, NULL, NULL, count(*), {steps}"
        "JOIN accounts_accountrequest r ON r.id = s.object_id::bigint "
        "LEFT JOIN portal_user i ON i.id = r.issued_by_id "
        f"WHERE s.closed_at >= {month} AND s.step_type = 'accounts.issue' GROUP BY 1"
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
