"""How much room text takes: a wide East Asian character (kanji, kana, hangul, full-width forms) takes two columns.

One rule for cutting timeline labels, weighing admin search words and reasons for change.
"""

from __future__ import annotations

import unicodedata


def char_width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)
