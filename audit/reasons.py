"""What counts as a reason for change: one rule for every form, service and command that asks for one."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.text import char_width

MIN_LETTERS = 8


def letter_weight(reason: str) -> int:
    """Letters in ``reason``; a wide (CJK, kana, hangul) letter counts twice.

    A Japanese reason says as much as an English one in about half the characters: 誤記訂正 ("corrected a
    clerical error") is four. NFKC first, so full-width Latin letters count as the letters they are.
    """
    weight = 0
    for char in unicodedata.normalize("NFKC", reason):
        if unicodedata.category(char).startswith("L"):
            weight += char_width(char)
    return weight


def validate_reason(reason: str) -> None:
    """Refuse a reason that says nothing: fewer than eight letters, a Japanese character counting as two."""
    if letter_weight(reason or "") < MIN_LETTERS:
        raise ValidationError(
            _(
                "Say why in a few words: a reason needs at least %(count)d letters, "
                "or %(wide)d Japanese characters (each counts as two)."
            ),
            code="reason_too_short",
            params={"count": MIN_LETTERS, "wide": MIN_LETTERS // 2},
        )
