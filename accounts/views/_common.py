"""Shared by the MTT.QT06 views: the role gate and fetching a request for staff or by token."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.access import has_role

from ..models import (
    AccountRequest,
)

STAFF_ROLES = ("mtt_office", "mtt_technician", "mtt_account_manager", "mtt_office_head")


def _get_request_for_staff(request, pk) -> AccountRequest:
    if not has_role(request.user, *STAFF_ROLES):
        raise Http404
    return get_object_or_404(
        AccountRequest.objects.select_related("claimed_by", "issued_by"), pk=pk
    )


def _get_request_by_token(token) -> AccountRequest:
    from ..crypto import token_digest

    return get_object_or_404(AccountRequest, tracking_digest=token_digest(token or ""))
