"""Spreadsheet formula injection (OWASP "CSV injection"): cells a spreadsheet would run are made plain text.

A text cell that starts with ``= + - @``, a tab or a carriage return, or with the full-width ``＝ ＋ － ＠`` (Japanese
spreadsheets may read them as the ASCII ones), gets a leading apostrophe. A plain negative number such as ``-12.5``
is data and stays as it is. The exception is ASCII only, so ``－12`` is neutralised: no number the alliance writes is
full-width (numeric columns are written by type, never through this rule), and one narrow pattern, alike in both
regex dialects, is easier to trust than a list of look-alike signs and digits.

The same rule twice, in Python and as SQL for PostgreSQL's COPY. Both read the one list of first characters below;
the two number patterns differ only in regex dialect, and tests hold the two forms to each other.
"""

from __future__ import annotations

import re

FORMULA_START = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\N{FULLWIDTH EQUALS SIGN}",
    "\N{FULLWIDTH PLUS SIGN}",
    "\N{FULLWIDTH HYPHEN-MINUS}",
    "\N{FULLWIDTH COMMERCIAL AT}",
)
# \Z, not $: Python's $ also matches before a final newline, PostgreSQL's does not.
PLAIN_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?\Z")
PLAIN_NEGATIVE_NUMBER_SQL = "'^-[0-9]+([.][0-9]+)?$'"


def neutralise(text: str) -> str:
    if text.startswith(FORMULA_START) and not PLAIN_NEGATIVE_NUMBER.match(text):
        return "'" + text
    return text


# The first characters by code point: in a UTF-8 database (the exports' SQL assumes one: docs/exports.md) ascii()
# gives a text's first character's code point, so a cell costs one integer test where comparing its first character
# as text cost a text comparison per trigger (a tenth of the audit trail's COPY time, docs/benchmarks.md).
FORMULA_START_SQL = ", ".join(str(ord(char)) for char in FORMULA_START)


def neutralise_sql(column: str) -> str:
    """The same rule as a PostgreSQL expression over ``column`` (a quoted identifier), in a UTF-8 database."""
    # A first-character test before the regex: most cells start with a letter and never reach the regex.
    return (
        f"CASE WHEN ascii({column}) IN ({FORMULA_START_SQL}) "
        f"AND {column} !~ {PLAIN_NEGATIVE_NUMBER_SQL} THEN '''' || {column} ELSE {column} END"
    )
