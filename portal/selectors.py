"""Reads of the engine's tables for the pages: the bell, the notifications page, ops pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Count, Q
from django.utils.functional import cached_property

from .models import DeadlineStep, Notification, NotificationStatus


def unread_count(user) -> int:
    """The bell's number: one COUNT over the partial index of unread rows, on every page a
    logged-in person opens; as plain SQL, since building the queryset cost more than the
    index scan (issue 15)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    with connections[router.db_for_read(Notification)].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Notification._meta.db_table} "  # noqa: S608 — the model's table
            "WHERE user_id = %s AND read_at IS NULL",
            [user.pk],
        )
        return cursor.fetchone()[0]


class Bell:
    """The navbar bell. The count is read (one query) only when a template asks for it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)


def notifications_for(user):
    return Notification.objects.filter(user=user).only(
        "pk",
        "subject",
        "body",
        "language",
        "alternates",
        "url",
        "created_at",
        "read_at",
        "status",
        "channel",
    )


def _of_templates(rows, prefixes):
    """Only the rows of these template prefixes (None: every row)."""
    if prefixes is None:
        return rows
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(template__startswith=prefix)
    return rows.filter(q)


def outbox(status: str | None = None, prefixes=None):
    rows = Notification.objects.select_related("user").defer("body", "body_html", "secrets")
    rows = _of_templates(rows, prefixes)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def outbox_counts(prefixes=None) -> dict[str, int]:
    counts = {s.value: 0 for s in NotificationStatus}
    rows = _of_templates(Notification.objects.all(), prefixes)
    for row in rows.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    counts["all"] = sum(counts.values())
    return counts


DEADLINE_FILTERS = ("overdue", "soon", "open")


def open_steps(which: str, now: dt.datetime, soon: dt.timedelta = dt.timedelta(hours=24)):
    """Open steps by due time: "overdue", due "soon" (within a day), or all "open"."""
    rows = DeadlineStep.objects.open().select_related("holder_user", "content_type")
    if which == "overdue":
        rows = rows.filter(due_at__lte=now)
    elif which == "soon":
        rows = rows.filter(due_at__gt=now, due_at__lte=now + soon)
    return rows.order_by("due_at", "pk")


def open_step_counts(now: dt.datetime, soon: dt.timedelta = dt.timedelta(hours=24)) -> dict:
    from django.db.models import Q

    return DeadlineStep.objects.open().aggregate(
        overdue=Count("pk", filter=Q(due_at__lte=now)),
        soon=Count("pk", filter=Q(due_at__gt=now, due_at__lte=now + soon)),
        open=Count("pk"),
    )


def attach_targets(steps) -> list:
    """Fetch the objects the steps are about: one query per content type, not per row."""
    steps = list(steps)
    by_type: dict[int, list] = {}
    for step in steps:
        by_type.setdefault(step.content_type_id, []).append(step)
    for _ct_id, group in by_type.items():
        model = group[0].content_type.model_class()
        if model is None:
            continue
        pk_field = model._meta.pk
        keys = {}
        for step in group:
            try:
                keys[step.pk] = pk_field.to_python(step.object_id)
            except ValidationError:  # an id that cannot be this model's: no object
                keys[step.pk] = None
        found = model._base_manager.in_bulk({k for k in keys.values() if k is not None})
        for step in group:
            step.target_object = found.get(keys[step.pk])
    for step in steps:
        step.__dict__.setdefault("target_object", None)
    return steps
