"""Every change of role is audited, also one made by hand (the admin, a shell, a demo loader).

A sign-in through the directory writes its own RoleChange rows with the group as the reason
(services.apply_directory_groups); any other change of a user's role groups is caught here from
`m2m_changed` and written with source "manual".
"""

from contextvars import ContextVar

from django.utils import timezone

_applying_directory = ContextVar("portal_applying_directory", default=False)


class directory_changes:  # noqa: N801 — used as a context manager
    """Inside, role group changes are the directory's, audited by the caller."""

    def __enter__(self):
        self._token = _applying_directory.set(True)

    def __exit__(self, *exc):
        _applying_directory.reset(self._token)


def _pairs(instance, reverse, model, pk_set):
    """[(user, role name)] for the changed memberships that are roles."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ..roles import Role

    if reverse:  # group.user_set.add(users)
        if instance.name not in Role.values:
            return []
        users = get_user_model().objects.filter(pk__in=pk_set or [])
        return [(u, instance.name) for u in users]
    names = Group.objects.filter(pk__in=pk_set or [], name__in=Role.values).values_list(
        "name", flat=True
    )
    return [(instance, n) for n in names]


def record_manual_role_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    from django.contrib.auth.models import Group

    from ..models import RoleChange

    if _applying_directory.get() or action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        # Cleared: what is there now is about to go.
        current = instance.user_set if reverse else instance.groups
        pk_set = set(current.values_list("pk", flat=True))
        if not reverse:
            model = Group
    pairs = _pairs(instance, reverse, model, pk_set)
    if not pairs:
        return
    granted = action == "post_add"
    now = timezone.now()
    RoleChange.objects.bulk_create(
        RoleChange(
            user=user,
            username=user.get_username(),
            at=now,
            action=RoleChange.Action.GRANTED if granted else RoleChange.Action.REVOKED,
            role=role,
            source="manual",
            reason="changed by hand",
        )
        for user, role in pairs
    )
