"""Rate limits of the public forms (django-ratelimit), per client address and per target.

    @limit_posts("accounts-apply", target="post:person_id")
    def apply(request, person_kind): ...

Only POSTs count. Two counters per form: one per client address (portal.clientip, through
TRUSTED_PROXY_COUNT proxies) and one per target (the person an application is for, the user
name tried, the learner who asks), so neither many addresses nor many targets get through.
The counters live in database rows (the `ratelimit` cache, portal.ratecache), not in Redis:
the public forms work, and stay limited, when Redis is down. A limited person gets the 429
page in their own language, with Retry-After.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit


def _rate(name: str, default: str):
    def rate(group, request):
        return getattr(settings, name, default)

    return rate


per_address = _rate("RATE_LIMIT_PER_ADDRESS", "30/h")
per_target = _rate("RATE_LIMIT_PER_TARGET", "10/h")


def limit_posts(group: str, *, target: str):
    """Limit the POSTs of a view per client address and per `target` (a django-ratelimit key:
    "post:<field>", "user", or a callable)."""

    def decorator(view):
        view = ratelimit(group=group, key=target, rate=per_target, method="POST")(view)
        return ratelimit(group=group, key="ip", rate=per_address, method="POST")(view)

    return decorator


def too_many(request, exception=None):
    """RATELIMIT_VIEW: the clear 429 page."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(getattr(settings, "RATE_LIMIT_RETRY_AFTER", 600))
    return response
