from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LengthCheckedUsername:
    """Refuse an over-long username before it reaches authentication.

    AuthenticationForm sets the username field's max_length after the field is built, so no length
    validator runs; an over-long name then reaches the login-throttling log, whose column it overflows.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))


class LoginForm(LengthCheckedUsername, AuthenticationForm):
    pass


class AdminLoginForm(LengthCheckedUsername, AdminAuthenticationForm):
    pass
