"""Reading one cell's value as people type it: dates, version numbers, results; and quoting it back, cut short."""

from __future__ import annotations

import datetime
import re

from django.utils import translation

from training.models import TrainingRecord

SHOWN_CHARS = 60


def shown(value: str) -> str:
    """A value quoted back in a message, cut short: a message never repeats a whole cell."""
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: 0?0:00(?::00)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def parse_date(text: str) -> datetime.date | None:
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def parse_version(text: str) -> int | None:
    match = re.fullmatch(r"[vV]?\s*(\d{1,4})(?:\.0+)?", text)
    return int(match.group(1)) if match else None


def result_words() -> dict[str, str]:
    """passed/failed, and their labels in every language of the app, as people type them."""
    words = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in TrainingRecord.Result.choices:
                words[str(label).lower()] = value
    return {**words, **{value: value for value in TrainingRecord.Result.values}}
