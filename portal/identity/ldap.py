"""LDAP sign-in with django-auth-ldap: bind, search the person, read their groups.

Configured from the portal's plain settings (LDAP_* in portal/settings.py, read from the
environment), so settings.py needs no python-ldap import. A person the user filter does not find
(e.g. one disabled in the directory, with the filter that says so) cannot sign in; the groups
found go through the group → role mapping at every sign-in.
"""

import ldap
from django.conf import settings
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import (
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    LDAPSettings,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

from .services import signed_in_from_directory

GROUP_TYPES = {
    "groupOfNames": GroupOfNamesType,
    "groupOfUniqueNames": GroupOfUniqueNamesType,
    "posixGroup": PosixGroupType,
    "activeDirectory": NestedActiveDirectoryGroupType,
}


def enabled() -> bool:
    return bool(settings.LDAP_SERVER_URI)


def ldap_settings() -> LDAPSettings:
    s = LDAPSettings(prefix="PORTAL_UNUSED_LDAP_")
    s.SERVER_URI = settings.LDAP_SERVER_URI
    s.BIND_DN = settings.LDAP_BIND_DN
    s.BIND_PASSWORD = settings.LDAP_BIND_PASSWORD
    s.START_TLS = settings.LDAP_START_TLS
    s.USER_SEARCH = LDAPSearch(
        settings.LDAP_USER_BASE, ldap.SCOPE_SUBTREE, settings.LDAP_USER_FILTER
    )
    if settings.LDAP_GROUP_BASE:
        s.GROUP_SEARCH = LDAPSearch(
            settings.LDAP_GROUP_BASE, ldap.SCOPE_SUBTREE, settings.LDAP_GROUP_FILTER
        )
        s.GROUP_TYPE = GROUP_TYPES[settings.LDAP_GROUP_TYPE](name_attr="cn")
    s.USER_ATTR_MAP = {
        "email": settings.LDAP_EMAIL_ATTR,
        "full_name": settings.LDAP_NAME_ATTR,
    }
    s.ALWAYS_UPDATE_USER = True
    s.MIRROR_GROUPS = False  # roles come from the mapping, not from group names
    options = {ldap.OPT_NETWORK_TIMEOUT: settings.LDAP_TIMEOUT, ldap.OPT_REFERRALS: 0}
    if settings.LDAP_CA_CERT_FILE:
        options[ldap.OPT_X_TLS_CACERTFILE] = settings.LDAP_CA_CERT_FILE
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # must come last: applies the options above
    s.CONNECTION_OPTIONS = options
    return s


class PortalLDAPBackend(LDAPBackend):
    @property
    def settings(self):
        # Read at each use: the settings may change (tests, a reloaded environment).
        return ldap_settings()

    @settings.setter
    def settings(self, value):
        pass

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or not user.is_active:
            return None
        groups = set(ldap_user.group_names) | set(ldap_user.group_dns)
        staff_code = ""
        if settings.LDAP_STAFF_CODE_ATTR:
            values = ldap_user.attrs.get(settings.LDAP_STAFF_CODE_ATTR.lower()) or []
            staff_code = values[0] if values else ""
        return signed_in_from_directory(
            user, source="ldap", groups=groups, email=user.email, staff_code=staff_code
        )

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _note_unreachable(sender, context, request=None, exception=None, **kwargs):
    """The directory did not answer: the log-in form says so instead of "wrong password"."""
    if request is not None and isinstance(exception, ldap.SERVER_DOWN | ldap.TIMEOUT):
        request.portal_directory_unreachable = True


ldap_error.connect(_note_unreachable, dispatch_uid="portal.identity.ldap_unreachable")
