"""Sign-in with the university's identity: OpenID Connect, LDAP, and roles from groups.

- `oidc`: the OpenID Connect backend and views (mozilla-django-oidc), endpoints from discovery;
- `ldap`: the LDAP backend (django-auth-ldap), configured from the portal's plain settings;
- `backends`: local passwords, switchable off for everyone but the break-glass administrators;
- `services`: the group → role mapping, applied at each sign-in and written to the audit trail.

portal knows no app: after a directory sign-in it sends `directory_signed_in`, and office links
the person of its directory to the account (by e-mail or staff code).
"""

from django.dispatch import Signal

# sender: the source ("oidc" or "ldap"); kwargs: user, email, staff_code.
directory_signed_in = Signal()

# The units a mapping may name: office fills this in from its AppConfig.ready() with a callable
# returning [(code, name), ...] in tree order.
_unit_choices = None


def register_unit_choices(func) -> None:
    global _unit_choices
    _unit_choices = func


def unit_choices() -> list[tuple[str, str]]:
    return list(_unit_choices()) if _unit_choices else []
