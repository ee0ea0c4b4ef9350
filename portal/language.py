"""The person's language: chosen in the header, kept on the user, applied to every page.

- Switching language (`set_language`) sets Django's language cookie and, when logged in,
  saves the choice on the user: it decides the language of their e-mails and notifications.
- `UserLanguageMiddleware` (after the authentication middleware) applies the saved language
  when the browser has no language cookie (a new browser, a new device): a new session comes
  back in the language the person chose last. It never writes: a page costs the same queries
  whatever the cookie says.
- At log-in, a cookie set before (the log-in page was switched to English) is the person's
  latest choice: it is saved on the user.
- Anonymous applicants' choice is kept on their request by the app (accounts: the tracking page).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views import i18n


def supported(language: str | None) -> str:
    """The language code when the portal speaks it, else ""."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else ""


def chosen_language(request) -> str:
    """The language the person chose in this browser (the cookie), or ""."""
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def save_user_language(user, language: str) -> None:
    """Keep `language` on a logged-in user (one UPDATE, only when it changes)."""
    language = supported(language)
    if not language or not getattr(user, "is_authenticated", False):
        return
    if getattr(user, "language", "") != language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
        user.language = language


def set_language(request):
    """Django's set_language, and the choice saved on the user when logged in."""
    response = i18n.set_language(request)
    if request.method == "POST":
        language = supported(request.POST.get("language"))
        if language:
            save_user_language(request.user, language)
    return response


@receiver(user_logged_in, dispatch_uid="portal.language.logged_in")
def _keep_the_choice_made_before_logging_in(sender, request, user, **kwargs):
    if request is not None:
        save_user_language(user, chosen_language(request))


class UserLanguageMiddleware:
    """Pages in the logged-in person's saved language when the browser has not chosen one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        saved = supported(getattr(user, "language", "")) if user is not None else ""
        if (
            saved
            and user.is_authenticated
            and not chosen_language(request)
            and saved != request.LANGUAGE_CODE
        ):
            translation.activate(saved)
            request.LANGUAGE_CODE = saved
        return self.get_response(request)
