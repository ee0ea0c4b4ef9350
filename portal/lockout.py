"""The log-in lock-out page (django-axes' AXES_LOCKOUT_CALLABLE): says until when.

The lock is per (user name, client address): someone elsewhere who types a staff member's
user name wrongly five times does not lock that person out.
"""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from .clientip import client_ip


def lockout_response(request, original_response, credentials):
    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    retry_at = (last or timezone.now()) + cool_off if cool_off else None
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": username,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else 0,
        "retry_at": timezone.localtime(retry_at) if retry_at else None,
    }
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    if retry_at:
        seconds = max(1, int((retry_at - timezone.now()).total_seconds()))
        response["Retry-After"] = str(seconds)
    return response
