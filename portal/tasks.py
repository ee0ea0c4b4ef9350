"""Celery tasks: thin doors onto the engine's functions, each safe to run twice."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="portal.sweep_deadlines")
def sweep_deadlines_task():
    from .deadlines import sweep_deadlines

    result = sweep_deadlines(now=timezone.now())
    return {"reminders": len(result.reminders), "escalations": len(result.escalations)}


@shared_task(name="portal.apply_retention")
def apply_retention_task():
    from .privacy import apply_retention

    return apply_retention(now=timezone.now()).counts


def _deliver(notification_id):
    from .notifications import deliver_notification, enqueue_delivery_at

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
    from .notifications import pick_up_notifications

    return pick_up_notifications(now=timezone.now())


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
