from django import forms
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
