"""Middleware for running behind the reverse proxy (scripts/nginx.conf.template).

The proxy is the TCP peer of every request, so REMOTE_ADDR names the proxy. The client's address
is what portal.clientip.client_ip says (TRUSTED_PROXY_COUNT proxies: the N-th X-Forwarded-For
entry from the right). Writing it into REMOTE_ADDR makes everything that reads the address
(gunicorn's access log `%(h)s`, Django's own logs, anything added later) see the client's, not
the proxy's.
"""

import contextlib
import ipaddress

from django.conf import settings

from .clientip import client_ip


class ProxyClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's address from the trusted proxies' X-Forwarded-For.

    request.META is the WSGI environ itself, so gunicorn's access log shows it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)  # the one rule, shared with log-in throttling and rate limits
        with contextlib.suppress(ValueError):  # not an address: keep the TCP peer's
            request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(address))
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
