"""The one permission gate every app's views use: who may open a page, by role.

    @role_required(Role.MTT_OFFICE)                                 # others: 403
    @role_required(Role.LEARNER, Role.DIALOGUE_COMMITTEE, hide=True)  # others: 404

A person who has not logged in is sent to the log-in page (and back afterwards); a logged-in
person without one of the roles gets 403, or 404 with `hide=True` where even the existence of
the page or object is not to be shown. A superuser holds every role. Which unit's items a
person sees is the app's own scope (its `_get_<thing>_for_user` helpers), not this gate's.

The gate writes the roles it lets in on the view (`view.roles`, `view.hide`), so the
permission matrix reads them from the same place.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404


def has_role(user, *roles) -> bool:
    """A logged-in user holding one of `roles`; a superuser holds them all."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*roles)))


def _refuse(hide: bool):
    raise Http404 if hide else PermissionDenied


def role_required(*roles, hide: bool = False):
    """Log-in, then one of `roles` (or a superuser); 403 otherwise (404 with `hide=True`)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                _refuse(hide)
            return view(request, *args, **kwargs)

        wrapper.roles = frozenset(str(role) for role in roles)
        wrapper.hide = hide
        return wrapper

    return decorator


class RoleRequiredMixin(AccessMixin):
    """The same gate for class-based views: set `roles` (and `hide`)."""

    roles: tuple = ()
    hide: bool = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.roles):
            _refuse(self.hide)
        return super().dispatch(request, *args, **kwargs)
