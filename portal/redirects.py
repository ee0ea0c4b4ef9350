"""One check for every redirect to an address that came from outside (`next=`, a stored link).

Django's url_has_allowed_host_and_scheme: a path on this site, or a URL on this host or the
portal's public host (PORTAL_BASE_URL), with https when the request came over https. Anything
else (//evil.example, https://evil.example, javascript:…) falls back to a page of ours.
"""

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def _portal_host() -> str:
    return settings.PORTAL_BASE_URL.split("://", 1)[-1].split("/", 1)[0]


def is_safe_target(request, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host(), _portal_host()},
        require_https=request.is_secure(),
    )


def safe_next(request, fallback, *, target: str | None = None) -> str:
    """`target`, or the request's `next` (POST, then GET), when it is safe; else `fallback`.

    `fallback` is a URL name or a path (as for redirect()).
    """
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_target(request, target) else resolve_url(fallback)
