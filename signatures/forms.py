from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from signatures.meanings import Meaning


class SignForm(forms.Form):
    """The meaning and the signer's password, asked again for every signature (21 CFR 11.200(a)(1)).

    The password is checked through authenticate(), so django-axes counts a wrong one as a failed login for this
    username from this address (an AccessAttempt, with the signing page's path) and refuses every attempt once
    the pair is locked out: a session left open cannot be used to guess the password or to sign.
    """

    meaning = forms.ChoiceField(label=_("Meaning of my signature"), widget=forms.RadioSelect)
    password = forms.CharField(
        label=_("My password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    version = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, request, meanings: list[Meaning], **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["meaning"].choices = [(meaning.value, meaning.label) for meaning in meanings]
        if len(meanings) == 1:
            self.fields["meaning"].initial = meanings[0].value

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        signer = authenticate(self.request, username=user.get_username(), password=password)
        if signer is None or signer.pk != user.pk:
            raise ValidationError(_("That is not your password: nothing was signed."), code="password_incorrect")
        return password
