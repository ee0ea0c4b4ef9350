"""Ops pages: the notification outbox and the portal's deadlines.

/ops/ is for the operations role (it holds `portal.view_ops`) and superusers: they see every
message, its body with the secrets redacted, and can resend a failed one. The heads of a
workflow (the MTT Office head, the committee's standing office) see the delivery status of
their own workflow's messages at /work/deliveries/, never the bodies: an app says which
templates a role watches with `watch_deliveries(role, "accounts/")` in its AppConfig.ready().
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .deadlines import describe_duration
from .models import Notification, NotificationStatus
from .notifications import OutboxError, resend_notification

ops_required = permission_required("portal.view_ops", raise_exception=True)

_watched: dict[str, set[str]] = {}


def watch_deliveries(role: str, template_prefix: str) -> None:
    """Members of `role` see the delivery status of the messages of these templates."""
    _watched.setdefault(str(role), set()).add(template_prefix)


def watched_prefixes(user) -> set[str]:
    return set().union(*(_watched.get(name, set()) for name in user.role_names))


def _outbox_page(request, prefixes, template):
    status = request.GET.get("status", "")
    if status not in NotificationStatus.values:
        status = ""
    rows = selectors.outbox(status or None, prefixes)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = selectors.outbox_counts(prefixes)
    tabs = [("", _("All"), counts["all"])] + [
        (s.value, s.label, counts[s.value]) for s in NotificationStatus
    ]
    return render(
        request, template, {"page": page, "status": status, "tabs": tabs, "counts": counts}
    )


@login_required
@ops_required
def outbox(request):
    return _outbox_page(request, None, "portal/ops/outbox.html")


@login_required
def deliveries(request):
    """A workflow head's view of the outbox: status of their workflow's messages, no bodies."""
    prefixes = watched_prefixes(request.user)
    if request.user.has_perm("portal.view_ops"):
        return redirect("portal:ops-outbox")
    if not prefixes:
        raise PermissionDenied
    return _outbox_page(request, sorted(prefixes), "portal/deliveries.html")


def _get_notification_for_ops(request, pk) -> Notification:
    return get_object_or_404(Notification.objects.select_related("user"), pk=pk)


@login_required
@ops_required
def outbox_detail(request, pk):
    notification = _get_notification_for_ops(request, pk)
    events = notification.events.select_related("actor")
    return render(
        request,
        "portal/ops/outbox_detail.html",
        {"notification": notification, "events": events},
    )


@login_required
@ops_required
def outbox_resend(request, pk):
    """GET: confirm; POST: give a failed notification a fresh set of attempts."""
    notification = _get_notification_for_ops(request, pk)
    if request.method == "POST":
        try:
            resend_notification(notification.pk, by=request.user)
        except OutboxError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The notification to %(to)s is queued to be sent again.")
                % {"to": notification.recipient_label},
            )
        return redirect("portal:ops-outbox-detail", pk=notification.pk)
    return render(request, "portal/ops/outbox_resend.html", {"notification": notification})


@login_required
@ops_required
def deadlines(request):
    now = timezone.now()
    which = request.GET.get("show", "overdue")
    if which not in selectors.DEADLINE_FILTERS:
        which = "overdue"
    page = Paginator(selectors.open_steps(which, now), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.attach_targets(page.object_list)
    for step in page.object_list:
        step.overdue = step.due_at <= now
        step.soon = not step.overdue and step.due_at - now <= dt.timedelta(hours=24)
        step.distance = describe_duration(abs(now - step.due_at))
    counts = selectors.open_step_counts(now)
    tabs = [
        ("overdue", _("Overdue"), counts["overdue"]),
        ("soon", _("Due within 24 hours"), counts["soon"]),
        ("open", _("All open steps"), counts["open"]),
    ]
    return render(
        request,
        "portal/ops/deadlines.html",
        {"page": page, "show": which, "tabs": tabs, "now": now},
    )
