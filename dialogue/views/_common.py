"""Shared by the dialogue's views: the gates, the current plan, paging."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .. import selectors
from ..scope import is_committee


def committee_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_committee(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _deadline_steps(obj):
    try:
        from portal.models import DeadlineStep
    except ImportError:  # pragma: no cover — the engine is part of portal
        return []
    return list(DeadlineStep.objects.for_object(obj))


# --- shared helpers ------------------------------------------------------------------------


def role_required(*roles):
    """Log-in with one of `roles` (or the committee, or a superuser); 404 otherwise."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or is_committee(user) or user.has_role(*roles)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _end_of_day(d):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(d, dt.time(23, 59)))


def _plan_or_404():
    plan = selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _paginate(request, qs, per_page=25):
    from django.core.paginator import Paginator

    return Paginator(qs, per_page).get_page(request.GET.get("page"))
