"""Django's database sessions, each read with one plain SELECT (SESSION_ENGINE, issue 15).

Every page a logged-in person opens reads their session first. The ORM's `get()` built and
compiled a queryset for it on every request, which cost more than the index lookup itself; the
statement here is the one Django runs. Writing, expiry, clearing and the async API are
Django's, unchanged.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        if not self.session_key:
            self._session_key = None
            return None
        table = self.model._meta.db_table
        with connections[router.db_for_read(self.model)].cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} "  # noqa: S608 — the model's table
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # unknown or expired: a new session, as Django does
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
