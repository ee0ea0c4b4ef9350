"""What every dialogue service shares: the exception, the committee check, the event row."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    Event,
)
from ..scope import is_committee


class TransitionError(Exception):
    """The action is not allowed now, or not for this person. The message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- who may do what ---------------------------------------------------------------------


def _require_committee(user):
    if not is_committee(user):
        raise TransitionError(_("Only the Organising Committee standing office may do this."))


def _event(plan, action, *, actor=None, from_status="", to_status="", note="", at=None, **targets):
    return Event.objects.create(
        plan=plan,
        action=action,
        actor=actor if (actor and actor.is_authenticated) else None,
        from_status=from_status or "",
        to_status=to_status or "",
        note=note or "",
        at=at or timezone.now(),
        **targets,
    )
