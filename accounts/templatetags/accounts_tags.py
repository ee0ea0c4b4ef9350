from django import template
from django.utils import timezone
from django.utils.html import format_html

from ..models import STATUS_BADGE
from ..rows import due_html

register = template.Library()


@register.simple_tag
def status_badge(req):
    return format_html(
        '<span class="badge badge-status text-bg-{}" data-status="{}">{}</span>',
        STATUS_BADGE.get(req.status, "secondary"),
        req.status,
        req.get_status_display(),
    )


@register.simple_tag
def due(req, now=None):
    """The due time, red when overdue, amber within 4 hours; nothing for a closed request
    (the queue's rows write the same cell: accounts.rows.due_html)."""
    return due_html(req, now or timezone.now())
