from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import navigation, selectors


def portal(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        # Worked out only when a template reads them: the header that shows them is usually
        # a kept fragment (portal.templatetags.layout).
        "nav_public": SimpleLazyObject(lambda: navigation.items_for(user, audience="public")),
        "nav_work": SimpleLazyObject(
            lambda: navigation.work_items_for(user) if user.is_authenticated else []
        ),
        "PORTAL_DEBUG": settings.DEBUG,
        # "Sign in with the university account" on the log-in page and in the header.
        "OIDC_SIGN_IN": bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID),
        # The bell's unread count: one COUNT, run only when a template reads it.
        "bell": selectors.Bell(user),
    }
