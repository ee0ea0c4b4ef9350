"""The client's address, as far as the portal can trust it.

Behind N reverse proxies (TRUSTED_PROXY_COUNT, from the environment), each proxy appends the
address it received the request from to X-Forwarded-For, so the client is the N-th entry from
the right; anything further left was written by the client and is not trusted. With no proxy
(N = 0) the client is REMOTE_ADDR. Log-in throttling (django-axes) and the rate limits of the
public forms both use this one function.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if len(forwarded) < count:
        # Did not come through every trusted proxy: only the socket's address is known.
        return remote
    return forwarded[-count]
