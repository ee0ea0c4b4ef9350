from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by portal.css) and bots fill in: a filled one is
    refused. Public forms (BM01/BM02, questions, feedback, log-in) carry it."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""


class LoginForm(HoneypotMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is not right. Both are case-sensitive; check Caps Lock."
        ),
        "inactive": _("This account is disabled. Contact the portal administrator."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
        self.fields["password"].label = _("Password")

    def get_invalid_login_error(self):
        if getattr(self.request, "portal_directory_unreachable", False):
            return forms.ValidationError(
                _(
                    "The university directory cannot be reached right now, so the password "
                    "could not be checked. Please try again in a few minutes."
                ),
                code="directory_unreachable",
            )
        if settings.LOCAL_PASSWORDS != "all":
            return forms.ValidationError(
                _(
                    "The user name or password is not right. Staff sign in with the "
                    "university account; passwords of the portal are kept only for the "
                    "emergency administrator."
                ),
                code="invalid_login",
            )
        return super().get_invalid_login_error()
