from __future__ import annotations

import functools
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib.admin import forms as admin_forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    AuthenticationForm,
    SetUnusablePasswordMixin,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, Profile
from audit.forms import REASON_FIELD, AuditedModelForm, ReasonField
from core.widgets import LongSelect
from partners.fiscal import basis_for


class LengthCheckedUsername:
    """Refuse an over-long username before it reaches authentication.

    AuthenticationForm sets the username field's max_length after the field is built, so no length
    validator runs; an over-long name then reaches the login-throttling log, whose column it overflows.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))


ACCESS_REASON_HELP = _("Required: why is this access being granted or changed? It is kept in the audit trail.")


class AccessChangeForm(AuditedModelForm):
    """A user account's or role's admin form: every change of access says why, its creation too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[REASON_FIELD]
        field.required = True
        field.help_text = ACCESS_REASON_HELP


class AccountCreationForm(AccessChangeForm, AdminUserCreationForm):
    pass


class AccountChangeForm(AccessChangeForm, UserChangeForm):
    pass


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's, with a reason for the trail, and its help text translated: Django joins the text to its
    warning when the module loads, before any language is active, so the admin would show it in English
    whatever the user's language."""

    change_reason = ReasonField(required=True, help_text=ACCESS_REASON_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = format_html(
                '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
                SetUnusablePasswordMixin.usable_password_help_text,
                _("If disabled, the current password for this user will be lost."),
            )

    def save(self, commit: bool = True):
        self.user._change_reason = self.cleaned_data[REASON_FIELD]
        return super().save(commit=commit)


class OwnPasswordChangeForm(admin_forms.AdminPasswordChangeForm):
    """ "Change my password", with the old password checked the way a login checks it.

    Through authenticate(), so django-axes counts a wrong old password as a failed login for this username from
    this address, and refuses every guess once the pair is locked out: a stolen session cannot guess its way to
    the password.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) is None:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class LoginForm(LengthCheckedUsername, AuthenticationForm):
    pass


class AdminLoginForm(LengthCheckedUsername, AdminAuthenticationForm):
    pass


@functools.cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """The IANA zones, read from disk once per process (available_timezones() walks the zone database)."""
    return tuple((zone, zone) for zone in sorted(available_timezones()))


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, widget=LongSelect(choices=time_zone_choices())
    )

    class Meta:
        model = Profile
        fields = ["language", "time_zone", "year_basis", "receives_digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As the browser asks"))] + list(settings.LANGUAGES)
        self.fields["year_basis"].empty_label = _("Calendar year")
        self.fields["year_basis"].label_from_instance = lambda company: basis_for(company).label


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What will use it, e.g. “QMS nightly import”.")
    )


class ApiTokenRevokeForm(AuditedModelForm):
    revoke = forms.BooleanField(label=_("Revoke this token"), required=False)

    class Meta:
        model = ApiToken
        fields = []
