"""Local passwords: for everyone, or only for the break-glass administrators.

With LOCAL_PASSWORDS=superusers, staff sign in only through the university's identity (OpenID
Connect or LDAP); a superuser keeps a password of the portal's own for the day the directory is
down. Applicants never needed an account: BM01/BM02 stay open without one.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def local_password_allowed(user) -> bool:
    return settings.LOCAL_PASSWORDS == "all" or bool(user.is_superuser)


class LocalPasswordBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and local_password_allowed(user)
