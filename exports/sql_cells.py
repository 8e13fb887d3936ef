"""A CSV cell as PostgreSQL's COPY writes it: the SQL form of ``writers.cell``, over a column of a dataset's SELECT."""

from __future__ import annotations

from exports.neutralise import neutralise_sql


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
    # NULLIF: an empty text cell is written empty, as the Python writer does (COPY would quote it as "").
    return f"NULLIF({neutralise_sql(f'{column}::text')}, '')"
