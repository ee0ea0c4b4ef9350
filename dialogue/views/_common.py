"""Shared by the dialogue's views: the gates, the current plan, paging."""

from django.http import Http404
from django.shortcuts import render

from .. import selectors


def _deadline_steps(obj):
    try:
        from portal.models import DeadlineStep
    except ImportError:  # pragma: no cover — the engine is part of portal
        return []
    return list(DeadlineStep.objects.for_object(obj))


# --- shared helpers ------------------------------------------------------------------------


def _form_page(request, form, title, button, back=None):
    """The page of one workflow action: a title, its form, the button and "Cancel" to `back`."""
    return render(
        request,
        "dialogue/confirm.html",
        {"form": form, "title": title, "back": back, "button": button},
    )


def _end_of_day(d):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(d, dt.time(23, 59)))


def _plan_or_404():
    plan = selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def _paginate(request, qs, per_page=25, count_key: str = ""):
    """A page of `qs`. With `count_key`, the total is kept in the cache for COUNT_TTL seconds
    (a public page's "N published answers" may lag a little; counting 100,000 rows on every
    view may not)."""
    from django.core.paginator import Paginator

    paginator = Paginator(qs, per_page)
    if count_key:
        from django.core.cache import cache

        count = cache.get(count_key)
        if count is None:
            count = paginator.count
            cache.set(count_key, count, COUNT_TTL)
        paginator.count = count  # a cached_property: set, it is not computed again
    return paginator.get_page(request.GET.get("page"))


COUNT_TTL = 30
