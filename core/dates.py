"""Dates as the reader's language writes them, each formatted once per process, language and format: pages show the
same few dates over and over, and formatting one reads the language's format and month names each time."""

from __future__ import annotations

import datetime
import functools

from django.utils import formats, translation


def local_date(day: datetime.date | None, format_name: str = "DATE_FORMAT") -> str:
    """What ``|date:format_name`` writes of ``day`` in the active language ("" for no date)."""
    if day is None:
        return ""
    return _written(translation.get_language(), format_name, day)


@functools.lru_cache(maxsize=8192)
def _written(language: str, format_name: str, day: datetime.date) -> str:
    # The language is read by the caller at each call, never kept: it keys the cache, and the format and month names
    # are those of the active one.
    return formats.date_format(day, format_name)
