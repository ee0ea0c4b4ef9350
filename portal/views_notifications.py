"""A person's notifications: the list behind the bell."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .notifications import mark_read
from .redirects import safe_next


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/notifications.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
def notification_open(request, pk):
    """Mark one notification read and go where it points (or back to the list)."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    mark_read(request.user, notification.pk)
    return redirect(safe_next(request, "portal:notifications", target=notification.shown_url))


@login_required
@require_POST
def notification_read_all(request):
    count = mark_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("portal:notifications")
