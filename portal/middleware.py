"""Middleware for running behind the reverse proxy (scripts/nginx.conf.template).

The proxy is the TCP peer of every request, so REMOTE_ADDR names the proxy. With
TRUSTED_PROXY_COUNT = N > 0, the client is the N-th address from the right of X-Forwarded-For:
each trusted proxy appends the address it saw, and anything a client wrote before them is
not believed. Everything that reads the client address (gunicorn's access log `%(h)s`, log-in
throttling, audit) then reads the client's, not the proxy's.
"""

import ipaddress

from django.conf import settings


def client_address(forwarded_for: str, trusted_proxies: int) -> str | None:
    """The address the outermost trusted proxy saw, or None when the header cannot say."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if trusted_proxies <= 0 or len(hops) < trusted_proxies:
        return None
    candidate = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class ProxyClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's address from the trusted proxies' X-Forwarded-For.

    request.META is the WSGI environ itself, so gunicorn's access log shows it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.trusted:
            address = client_address(request.META.get("HTTP_X_FORWARDED_FOR", ""), self.trusted)
            if address:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


class ReplicaHeaderMiddleware:
    """Names the web replica that answered (X-Portal-Replica), when PORTAL_REPLICA is set.

    Operators read it to see which replica served a request; the stack's smoke test reads it to
    see that nginx spreads requests over the replicas.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.replica = settings.PORTAL_REPLICA

    def __call__(self, request):
        response = self.get_response(request)
        if self.replica:
            response["X-Portal-Replica"] = self.replica
        return response
