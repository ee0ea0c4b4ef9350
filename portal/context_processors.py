from django.conf import settings

from . import navigation


def portal(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_public": navigation.items_for(user, audience="public"),
        "nav_work": navigation.work_items_for(user) if user.is_authenticated else [],
        "PORTAL_DEBUG": settings.DEBUG,
    }
