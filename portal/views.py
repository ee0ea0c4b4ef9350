from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import navigation
from .roles import ROLE_DUTIES


def home(request):
    return render(request, "portal/home.html")


@login_required
def dashboard(request):
    user = request.user
    roles = [(role, ROLE_DUTIES[role]) for role in user.roles]
    return render(
        request,
        "portal/dashboard.html",
        {"roles": roles, "work_items": navigation.work_items_for(user)},
    )


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any failure means "not answering"
        return False, type(exc).__name__


def _broker_ok() -> tuple[bool, str]:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
            conn.default_channel  # noqa: B018 — opens a real channel, not just a socket
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: 200 when the database and the broker answer, else 503."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(ok for ok, _detail in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: detail for name, (_ok, detail) in checks.items()},
        "failing": [name for name, (ok, _detail) in checks.items() if not ok],
    }
    return JsonResponse(body, status=200 if healthy else 503)
