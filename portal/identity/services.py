"""The group → role mapping, applied at each sign-in through the university's directory.

For a person who signs in through the directory, the directory is the source of truth of their
roles: after `apply_directory_groups` they hold exactly the roles its groups map to, no more.
A role a person held before and no longer gets is taken away, and each gain and loss is one
immutable `RoleChange` row.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from ..models import GroupRoleMapping, IdentitySource, RoleChange, RoleGrant
from ..roles import Role
from . import directory_signed_in
from .audit import directory_changes


def mapped_roles(source: str, groups: Iterable[str]) -> dict[tuple[str, str], str]:
    """{(role, unit_code): group} for the groups a person is in (case-insensitive)."""
    wanted = {str(g).strip().lower(): str(g) for g in groups if str(g).strip()}
    found: dict[tuple[str, str], str] = {}
    if not wanted:
        return found
    mappings = GroupRoleMapping.objects.filter(source__in=[source, IdentitySource.ANY]).order_by(
        "pk"
    )
    for m in mappings:
        group = wanted.get(m.group.strip().lower())
        if group is not None:
            found.setdefault((m.role, m.unit_code), group)
    return found


@transaction.atomic
def apply_directory_groups(user, *, source: str, groups: Iterable[str], now=None):
    """Give `user` the roles their directory groups map to and take away the others.

    Returns the RoleChange rows written (empty when nothing changed).
    """
    now = now or timezone.now()
    wanted = mapped_roles(source, groups)
    role_values = set(Role.values)
    grants = {
        (g.role, g.unit_code): g for g in RoleGrant.objects.select_for_update().filter(user=user)
    }
    held_roles = set(user.groups.filter(name__in=role_values).values_list("name", flat=True))
    # What the person holds now: the grants of the last sign-in, plus roles given by hand.
    before = set(grants) | {(r, "") for r in held_roles if not any(k[0] == r for k in grants)}

    changes = []
    for role, unit_code in sorted(before - set(wanted)):
        grant = grants.get((role, unit_code))
        reason = (
            f"no longer in group {grant.group}"
            if grant
            else "not given by any group of the directory"
        )
        changes.append(
            RoleChange(
                user=user,
                username=user.get_username(),
                at=now,
                action=RoleChange.Action.REVOKED,
                role=role,
                unit_code=unit_code,
                source=source,
                reason=reason,
            )
        )
        if grant:
            grant.delete()
    for (role, unit_code), group in sorted(wanted.items()):
        if (role, unit_code) in grants:
            continue
        RoleGrant.objects.create(
            user=user, role=role, unit_code=unit_code, source=source, group=group, granted_at=now
        )
        if (role, unit_code) not in before:
            changes.append(
                RoleChange(
                    user=user,
                    username=user.get_username(),
                    at=now,
                    action=RoleChange.Action.GRANTED,
                    role=role,
                    unit_code=unit_code,
                    source=source,
                    reason=f"member of group {group}",
                )
            )

    roles_now = {role for role, _unit in wanted}
    if roles_now != held_roles:
        for name in roles_now - held_roles:
            Group.objects.get_or_create(name=name)
        with directory_changes():  # audited below, with the group as the reason
            user.groups.remove(*Group.objects.filter(name__in=held_roles - roles_now))
            user.groups.add(*Group.objects.filter(name__in=roles_now - held_roles))
        user.__dict__.pop("role_names", None)
    RoleChange.objects.bulk_create(changes)
    return changes


def signed_in_from_directory(user, *, source: str, groups, email: str = "", staff_code: str = ""):
    """Everything a directory sign-in does after the library has found or made the user."""
    apply_directory_groups(user, source=source, groups=groups)
    directory_signed_in.send(
        sender=source, user=user, email=email or user.email, staff_code=staff_code or ""
    )
    return user
