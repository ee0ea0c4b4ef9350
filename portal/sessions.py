"""Sessions end after an idle time and after an absolute lifetime (issue 10 §11).

SESSION_IDLE_MINUTES without a request, or SESSION_MAX_HOURS after the log-in, whichever comes
first: the person is logged out and sent to the log-in page with a message saying why. The
times are kept in the session itself; the last-seen time is written at most once a minute, so
a page view does not always write the session.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

STARTED, SEEN = "_portal_started_at", "_portal_seen_at"


@receiver(user_logged_in, dispatch_uid="portal.sessions.started")
def _started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = request.session[SEEN] = now


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(STARTED) or now
            seen = session.get(SEEN) or now
            idle = settings.SESSION_IDLE_MINUTES * 60
            lifetime = settings.SESSION_MAX_HOURS * 3600
            if now - seen > idle or now - started > lifetime:
                logout(request)
                messages.info(request, _("Your session has ended for safety. Please log in again."))
                return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
            if STARTED not in session:
                session[STARTED] = started
            if now - seen >= 60:
                session[SEEN] = now
        return self.get_response(request)
