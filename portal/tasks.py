"""Celery tasks: thin doors onto the engine's functions, each safe to run twice.

The task layer is the only place that hands work to the broker (the enqueue_* functions);
portal.notifications reaches them through the hook PortalConfig.ready() fills in.
"""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from .deadlines import sweep_deadlines
from .notifications import deliver_notification, pick_up_notifications

log = logging.getLogger(__name__)


@shared_task(name="portal.sweep_deadlines")
def sweep_deadlines_task():
    result = sweep_deadlines(now=timezone.now())
    return {"reminders": len(result.reminders), "escalations": len(result.escalations)}


def _deliver(notification_id):
    retry_at = deliver_notification(notification_id)
    if retry_at is not None:
        # The back-off; if this cannot be queued, the pick-up task finds the row when it is due.
        enqueue_delivery_at(notification_id, retry_at)


@shared_task(name="portal.deliver_notification")
def deliver_notification_task(notification_id):
    _deliver(notification_id)


@shared_task(name="portal.deliver_notifications")
def deliver_notifications_task(notification_ids):
    """A sweep's batch: each row is claimed before it is sent, so a redelivered task sends
    nothing again; a worker dying half-way leaves the rest queued for the pick-up."""
    for notification_id in notification_ids:
        _deliver(notification_id)


@shared_task(name="portal.pick_up_notifications")
def pick_up_notifications_task():
    return pick_up_notifications(now=timezone.now())


def enqueue_delivery(notification_id: int) -> bool:
    """Queue the delivery task now; a broker that is down only delays it (pick-up retries)."""
    try:
        # retry=False: accepting a request never waits on a broker that is down.
        deliver_notification_task.apply_async((notification_id,), retry=False)
        return True
    except Exception as exc:  # kombu raises many types; all mean "not queued now"
        log.warning("notification %s stays queued, broker unavailable: %s", notification_id, exc)
        return False


def enqueue_delivery_at(notification_id: int, when: dt.datetime) -> bool:
    """Queue the next attempt for `when` (the back-off)."""
    try:
        deliver_notification_task.apply_async((notification_id,), eta=when, retry=False)
        return True
    except Exception as exc:
        log.warning("retry of notification %s not queued: %s", notification_id, exc)
        return False


def enqueue_deliveries(notification_ids: list[int]) -> bool:
    """Queue ONE task that delivers all these rows (a sweep's batch): one publish, not one each.

    A broker that is down only delays them: the rows stay queued for the pick-up.
    """
    try:
        deliver_notifications_task.apply_async((list(notification_ids),), retry=False)
        return True
    except Exception as exc:
        log.warning(
            "%d notifications stay queued, broker unavailable: %s", len(notification_ids), exc
        )
        return False


# The beat schedule, as rows of django-celery-beat's DatabaseScheduler so that ops can see,
# pause or re-time the tasks in the admin. Created when missing after every migrate (and
# after a test-database flush); a row ops changed is left as it is.
PERIODIC_TASKS = [
    # (name, task, every N seconds, description)
    (
        "Sweep deadlines (reminders and escalations)",
        "portal.sweep_deadlines",
        60,
        "Sends each due reminder and escalation once. Same work as manage.py sweep_deadlines.",
    ),
    (
        "Pick up undelivered notifications",
        "portal.pick_up_notifications",
        60,
        "Queues again notifications left queued (broker was down) or stuck in sending.",
    ),
]


def register_periodic_task(name: str, task: str, seconds: int, description: str = "") -> None:
    """An app adds its own beat task (from AppConfig.ready); the engine knows no app."""
    if all(existing[0] != name for existing in PERIODIC_TASKS):
        PERIODIC_TASKS.append((name, task, seconds, description))


def ensure_periodic_tasks(**kwargs):
    from django.db import DEFAULT_DB_ALIAS
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    if using != DEFAULT_DB_ALIAS:
        return
    from django.db import connection
    from django.db.utils import DatabaseError

    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError:
        return
    if not {"django_celery_beat_periodictask", "django_celery_beat_intervalschedule"} <= tables:
        return
    for name, task, seconds, description in PERIODIC_TASKS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        every = IntervalSchedule.objects.filter(
            every=seconds, period=IntervalSchedule.SECONDS
        ).first() or IntervalSchedule.objects.create(every=seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(
            name=name, task=task, interval=every, description=description, enabled=True
        )
