from django.conf import settings

from . import navigation, selectors


def portal(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_public": navigation.items_for(user, audience="public"),
        "nav_work": navigation.work_items_for(user) if user.is_authenticated else [],
        "PORTAL_DEBUG": settings.DEBUG,
        # The bell's unread count: one COUNT, run only when a template reads it.
        "bell": selectors.Bell(user),
    }
