"""The error pages when something fails: never a traceback, and honest about a form.

- `DatabaseUnavailableMiddleware`: a view that loses the database (PostgreSQL restarting, a
  failover) answers 503 with Retry-After and the friendly page, not 500; logged as one line.
- `server_error` (handler500): the same page for any other failure, and 503 when the exception
  was the database's even outside a view (the session saved in a middleware).

After a failed POST the page does not claim that "nothing was lost": it says the form may not
have been received and that sending it again is safe (the forms carry a one-time token, so a
form sent twice is recorded once), with a link back to the filled-in form.
"""

import logging
import sys
from urllib.parse import urlsplit

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _back_url(request) -> str:
    """Where the person came from on this site (the form they filled in), else this page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer:
        parts = urlsplit(referer)
        if parts.netloc == request.get_host() and parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def error_page(request, *, unavailable: bool) -> HttpResponse:
    """Rendered without context processors and without a query: the database may be gone."""
    posted = request is not None and request.method not in ("GET", "HEAD", "OPTIONS")
    html = loader.get_template("500.html").render(
        {
            "unavailable": unavailable,
            "posted": posted,
            "back_url": _back_url(request) if request is not None else "/",
            "retry_after": RETRY_AFTER_SECONDS,
        }
    )
    response = HttpResponse(html, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            log.warning(
                "database unavailable: %s %s answered 503 (%s)",
                request.method,
                request.path,
                type(exception).__name__,
            )
            return error_page(request, unavailable=True)
        return None


def server_error(request):
    exc = sys.exc_info()[1]
    return error_page(request, unavailable=isinstance(exc, DATABASE_ERRORS))
