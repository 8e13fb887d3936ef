"""Password rules beyond Django's own."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Digits and signs people put in place of letters ("st4ff", "$taff", "adm1n").
LOOKALIKES = str.maketrans(
    {"0": "o", "1": "i", "!": "i", "|": "i", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t"}
)
SEPARATORS = re.compile(r"[\W_]+")


def plain(text: str) -> str:
    """Lower case, look-alikes read as the letters they stand for (l as i: 1 stands for either), no separators."""
    lowered = text.casefold().translate(LOOKALIKES)
    return SEPARATORS.sub("", lowered.replace("l", "i"))


class ContainsUsernameValidator:
    """Refuse a password that contains the username or the name part of the email address.

    Django's UserAttributeSimilarityValidator compares the whole password with the attribute, so "staff12345"
    passes for "staff". Here the name may not appear anywhere in the password: in any case, spelt with look-alike
    digits or signs, with separators between its letters, or backwards. Names shorter than three letters are not
    checked (they would refuse half the dictionary).
    """

    def __init__(self, min_name_length: int = 3):
        self.min_name_length = min_name_length

    def names(self, user) -> list[str]:
        email = getattr(user, "email", "") or ""
        candidates = [user.get_username() if user is not None else "", email.partition("@")[0]]
        return [name for name in (plain(candidate) for candidate in candidates) if len(name) >= self.min_name_length]

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        text = plain(password)
        for name in self.names(user):
            if name in text or name in text[::-1]:
                raise ValidationError(
                    _("The password contains your username or email name. Choose one that does not."),
                    code="password_contains_username",
                )

    def get_help_text(self) -> str:
        return _("Your password can’t contain your username or the name part of your email address.")
