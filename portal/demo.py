"""Demo log-ins, one per role. The README lists them; `loaddemo` creates them."""

import datetime as dt

from django.utils import timezone

from .roles import Role

DEMO_PASSWORD = "demo12345"

# username, full name, roles
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", []),  # superuser
    ("applicant", "Nguyễn Văn An", [Role.APPLICANT]),
    ("mtt_office", "Phạm Thu Hà", [Role.MTT_OFFICE]),
    ("mtt_technician", "Trần Quốc Bảo", [Role.MTT_TECHNICIAN]),
    ("mtt_manager", "Lê Minh Châu", [Role.MTT_ACCOUNT_MANAGER]),
    ("mtt_head", "Đỗ Thị Dung", [Role.MTT_OFFICE_HEAD]),
    ("committee", "Vũ Hoàng Giang", [Role.DIALOGUE_COMMITTEE]),
    ("unit_leader", "Bùi Thị Hạnh", [Role.DIALOGUE_UNIT]),
    ("unit_staff", "Lý Thu Trang", [Role.DIALOGUE_UNIT]),
    ("responder", "Ngô Văn Khoa", [Role.DIALOGUE_RESPONDER]),
    ("leader", "Hoàng Văn Long", [Role.LEADERSHIP]),
    ("learner", "Đặng Thị Mai", [Role.LEARNER]),
    ("directory_admin", "Phan Văn Nam", [Role.DIRECTORY_ADMIN]),
    ("ops", "Trịnh Văn Vận", [Role.OPERATIONS]),
    ("dpo", "Trịnh Thị Oanh", [Role.DATA_PROTECTION]),
]


def load(stdout=None):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from .roles import sync_roles

    sync_roles()
    User = get_user_model()
    for username, full_name, roles in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "email": f"{username}@demo.portal.local"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if username == "admin":
                user.is_staff = user.is_superuser = True
            user.save()
        user.groups.add(*Group.objects.filter(name__in=[r.value for r in roles]))
        if stdout and created:
            stdout.write(f"  user {username}")


class HistoryClock:
    """The demo writes its history as it happened, on the days it happened.

    The services date what they do with `django.utils.timezone.now()` (events, which are
    append-only and cannot be re-dated afterwards, steps, notifications). Inside
    `with HistoryClock() as clock:`, `clock.at(moment)` makes that the time the services read,
    one second later on every read so the history keeps its order; `clock.today()` gives the
    real time back for what must be relative to the day the demo is loaded (a deadline due in a
    week). Leaving the block restores the real clock, also on an error. For the demo loader
    only: it runs alone, before the web server and the workers start.
    """

    def __init__(self):
        self._moment = None

    def __enter__(self):
        self._real_now = timezone.now
        timezone.now = self._now
        return self

    def __exit__(self, *exc):
        timezone.now = self._real_now
        return False

    def _now(self):
        if self._moment is None:
            return self._real_now()
        self._moment += dt.timedelta(seconds=1)
        return self._moment

    def at(self, moment):
        """`moment`: an aware datetime, or a date (then at 09:00 local time)."""
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(9, 0))
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        self._moment = moment
        return moment

    def today(self):
        self._moment = None
        return self._real_now()
