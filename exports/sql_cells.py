"""A CSV cell as PostgreSQL's COPY writes it: the SQL form of ``writers.cell``, over a column of a dataset's SELECT."""

from __future__ import annotations

from exports.neutralise import FORMULA_START, neutralise_sql

# The first characters that may start a formula by code point: the ASCII ones are below 65 ("A"), the full-width ones
# within 64 of the first of them (＋, 65291); so is empty text's 0. The remainder of a code point by that first one is
# below 65 for all of them: a remainder and a comparison, where a test of membership in the list hashes the code point
# and looks it up (mod(), not "%", which would read as a parameter in SQL that has some). A few other characters pass
# it too (digits, punctuation, full-width letters): the rule itself then decides, as for any cell the test lets
# through.
FULL_WIDTH_FROM = min(ord(char) for char in FORMULA_START if not char.isascii())
ASCII_BELOW = max(ord(char) for char in FORMULA_START if char.isascii()) + 1


def sql_cell(kind: str, column: str) -> str:
    """``column`` (an SQL expression, read up to four times) as the CSV cell of a value of ``kind``."""
    if kind == "datetime":
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""
    if kind in {"date", "int"}:
        # As COPY writes them: an integer's digits, a date as YYYY-MM-DD in the ISO DateStyle of export_cursor.
        # No expression to evaluate per cell is what keeps a wide export near COPY's own rate.
        return column
    if kind == "bool":
        return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END"
    if kind == "code":
        # Never a formula (datasets.Column): no check to run per cell. Empty is written empty, as below.
        return f"NULLIF({column}::text, '')"
    return text_cell_sql(f"{column}::text")


def text_cell_sql(text: str) -> str:
    """A text cell: neutralised, and empty text written empty as the Python writer does (COPY would quote it as "").

    ``ascii()`` of empty text is 0, and of no other (PostgreSQL text holds no NUL): one test of the first character's
    code point finds the cells that may start a formula and the empty ones, and every other cell, nearly all of them,
    is written as it is, without the rule's own test or a comparison with empty text (docs/benchmarks.md).
    """
    return (
        f"CASE WHEN mod(ascii({text}), {FULL_WIDTH_FROM}) < {ASCII_BELOW} "
        f"THEN CASE WHEN {text} = '' THEN NULL ELSE {neutralise_sql(text)} END ELSE {text} END"
    )
