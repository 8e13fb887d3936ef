"""Spreadsheet formula injection (OWASP "CSV injection"): cells a spreadsheet would run are made plain text.

The same rule twice, once in Python and once in SQL for PostgreSQL's COPY, and tests hold them to each other.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?\Z")


def neutralise(text: str) -> str:
    if text.startswith(FORMULA_START) and not PLAIN_NEGATIVE_NUMBER.match(text):
        return "'" + text
    return text


def neutralise_sql(column: str) -> str:
    """The same rule as a PostgreSQL expression over ``column`` (a quoted identifier)."""
    # A first-character test before the regex: most cells start with a letter and never reach the regex.
    return (
        f"CASE WHEN left({column}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
        f"AND {column} !~ '^-[0-9]+([.][0-9]+)?$' THEN '''' || {column} ELSE {column} END"
    )
