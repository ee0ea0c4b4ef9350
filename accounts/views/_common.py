"""Shared by the MTT.QT06 views: the role gate and fetching a request for staff or by token."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import (
    AccountRequest,
)

STAFF_ROLES = ("mtt_office", "mtt_technician", "mtt_account_manager", "mtt_office_head")


def _has(user, *roles) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*roles))


def _role_required(*roles):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not _has(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def _get_request_for_staff(request, pk) -> AccountRequest:
    if not _has(request.user, *STAFF_ROLES):
        raise Http404
    return get_object_or_404(
        AccountRequest.objects.select_related("claimed_by", "issued_by"), pk=pk
    )


def _get_request_by_token(token) -> AccountRequest:
    return get_object_or_404(AccountRequest, tracking_token=token)
