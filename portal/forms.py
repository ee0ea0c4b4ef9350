from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
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

    def clean_username(self):
        # AuthenticationForm sets max_length after the field is built, so nothing enforces it;
        # a longer name cannot exist, and django-axes could not record the attempt (a 500).
        username = self.cleaned_data["username"]
        if len(username) > (self.username_field.max_length or 150):
            raise self.get_invalid_login_error()
        return username

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


class PersonLookupForm(forms.Form):
    identifier = forms.CharField(
        label=_("E-mail address, staff/student ID or mobile number"),
        max_length=200,
        strip=True,
    )


class PrivacyConsentForm(forms.Form):
    """Base of every form that collects personal data: the box under the privacy notice
    (templates/portal/_privacy_notice.html). The view records the consent with the notice's
    version (portal.privacy.record_consent)."""

    privacy_consent = forms.BooleanField(
        label=_("I have read the notice on personal data above and agree to it."),
        required=True,
        error_messages={
            "required": _("Tick this box to send the form: we cannot process it otherwise.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy_consent"] = self.fields.pop("privacy_consent")  # last, by the button


def example(value: str):
    """A placeholder that reads as a hint, not as a value already filled in: "e.g. 0912 345 678"
    (issue 13; portal.css sets placeholders in muted italic)."""
    return format_lazy("{} {}", _("e.g."), value)
