"""Readiness and metrics for operations.

- `/healthz` (portal.views): liveness, cheap — the database and the broker answer.
- `/readyz`: readiness, with the figures an operator looks at first: the database, the broker,
  beat's last tick and the age of the oldest undelivered message. 503 when the database or the
  broker does not answer; a stale beat or an old backlog is reported under "warnings" (a web
  container restarted for them would not fix them).
- `/metrics`: Prometheus text exposition, for a bearer token (`METRICS_TOKEN`) or a signed-in
  person with the operations permission (`portal.view_ops`).

Counters of requests live in each process; with several gunicorn workers set
`PROMETHEUS_MULTIPROC_DIR` (an empty directory per start) and every worker's counts are summed.
The figures read from the database (outbox backlog, steps overdue) and the last sweep's duration
(kept in the cache by the worker) are collected at scrape time.
"""

import hmac
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

SWEEP_CACHE_KEY = "portal:metrics:last-sweep"

RESPONSES = Counter(
    "portal_http_responses_total", "HTTP responses by status code.", ["status", "method"]
)


# --- readiness --------------------------------------------------------------------------------


def beat_last_tick():
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]


def oldest_undelivered():
    from .models import Notification, NotificationStatus

    return Notification.objects.filter(
        status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING]
    ).aggregate(oldest=Min("created_at"))["oldest"]


def _age(when, now):
    return None if when is None else round((now - when).total_seconds(), 1)


@never_cache
@require_GET
def readyz(request):
    from .views import _broker_ok, _database_ok

    now = timezone.now()
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    body = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "checks": {"database": db_detail, "broker": broker_detail},
        "failing": [n for n, ok in (("database", db_ok), ("broker", broker_ok)) if not ok],
        "warnings": [],
    }
    if db_ok:
        beat_age = _age(beat_last_tick(), now)
        outbox_age = _age(oldest_undelivered(), now)
        body["beat_last_tick_age_seconds"] = beat_age
        body["oldest_undelivered_age_seconds"] = outbox_age
        if beat_age is None or beat_age > settings.READYZ_BEAT_MAX_AGE_SECONDS:
            body["warnings"].append("beat")
        if outbox_age is not None and outbox_age > settings.READYZ_OUTBOX_MAX_AGE_SECONDS:
            body["warnings"].append("outbox")
    return JsonResponse(body, status=200 if db_ok and broker_ok else 503)


# --- metrics ----------------------------------------------------------------------------------


class MetricsMiddleware:
    """Counts every response by status (outermost: it sees the 500s and 503s too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        RESPONSES.labels(status=str(response.status_code), method=request.method).inc()
        return response


def record_sweep(seconds: float, now) -> None:
    """Called by the sweep task: the duration of the last sweep, for /metrics."""
    cache.set(SWEEP_CACHE_KEY, {"seconds": seconds, "at": now.timestamp()}, None)


class PortalCollector:
    """Figures read at scrape time: the outbox by status, open and overdue steps, the sweep."""

    def collect(self):
        from .models import DeadlineStep, Notification

        now = timezone.now()
        backlog = GaugeMetricFamily(
            "portal_outbox_notifications",
            "Notifications in the outbox by status.",
            labels=["status"],
        )
        counts = dict(
            Notification.objects.filter(status__in=["queued", "sending", "failed"])
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status in ("queued", "sending", "failed"):
            backlog.add_metric([status], counts.get(status, 0))
        yield backlog
        oldest = oldest_undelivered()
        yield GaugeMetricFamily(
            "portal_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest queued or sending notification (0 when none).",
            value=_age(oldest, now) or 0,
        )
        open_steps = DeadlineStep.objects.open()
        yield GaugeMetricFamily(
            "portal_deadline_steps_overdue",
            "Open deadline steps past their due time.",
            value=open_steps.filter(due_at__lte=now).count(),
        )
        sweep = cache.get(SWEEP_CACHE_KEY)
        if sweep:
            yield GaugeMetricFamily(
                "portal_sweep_duration_seconds",
                "Duration of the last deadline sweep.",
                value=sweep["seconds"],
            )
            yield GaugeMetricFamily(
                "portal_sweep_last_run_timestamp_seconds",
                "When the last deadline sweep ran (Unix time).",
                value=sweep["at"],
            )
        tick = beat_last_tick()
        if tick:
            yield GaugeMetricFamily(
                "portal_beat_last_tick_timestamp_seconds",
                "When Celery beat last sent a periodic task (Unix time).",
                value=tick.timestamp(),
            )


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[7:].strip().encode(), token.encode())
    user = request.user
    return user.is_authenticated and user.has_perm("portal.view_ops")


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(RESPONSES)
    registry.register(PortalCollector())
    started = time.perf_counter()
    data = generate_latest(registry)
    data += (
        b"# HELP portal_metrics_scrape_seconds Time to collect these metrics.\n"
        b"# TYPE portal_metrics_scrape_seconds gauge\n"
        + f"portal_metrics_scrape_seconds {time.perf_counter() - started:.6f}\n".encode()
    )
    return HttpResponse(data, content_type=CONTENT_TYPE_LATEST)
