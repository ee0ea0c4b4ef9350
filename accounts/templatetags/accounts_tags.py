from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..models import STATUS_BADGE

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
    """The due time, red when overdue, amber within 4 hours; nothing for a closed request."""
    if not req.is_open:
        return ""
    now = now or timezone.now()
    local = timezone.localtime(req.due_at)
    text = local.strftime("%d/%m/%Y %H:%M")
    if req.due_at <= now:
        return format_html(
            '<span class="deadline-overdue" title="{}">{} · {}</span>',
            _("Overdue"),
            text,
            _("overdue"),
        )
    if req.due_at - now <= timedelta(hours=4):
        return format_html('<span class="deadline-soon">{}</span>', text)
    return text
