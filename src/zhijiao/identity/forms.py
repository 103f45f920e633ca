"""Forms for signing in, registering and managing one's own account. Errors appear next to each field."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    identifier = forms.CharField(label=_("Username, email or mobile number"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=20,
                           help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class NewPasswordForm(forms.Form):
    """A new password typed twice; the complexity rules are checked by the service that sets it."""

    password = forms.CharField(label=_("Password"), max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 8 characters, with three of: lower case, upper case, digits, symbols."))
    password2 = forms.CharField(label=_("Password again"), max_length=128,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class RegisterForm(NewPasswordForm):
    field_order = ["username", "real_name", "email", "phone", "password", "password2"]

    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    real_name = forms.CharField(label=_("Real name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class ProfileForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False,
                            help_text=_("Leave as shown to keep the current number."))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
