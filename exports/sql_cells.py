"""A CSV cell as PostgreSQL's COPY writes it: the SQL form of ``writers.cell``, over a column of a dataset's SELECT."""

from __future__ import annotations

from django.db.models import F
from django.db.models.expressions import Col

from exports.neutralise import FORMULA_START_SQL, neutralise_sql


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
        f"CASE WHEN ascii({text}) IN (0, {FORMULA_START_SQL}) "
        f"THEN CASE WHEN {text} = '' THEN NULL ELSE {neutralise_sql(text)} END ELSE {text} END"
    )


class StoredCell(F):
    """On PostgreSQL, the CSV cell the database keeps beside a text field (partners' migration 0011): the field's path,
    as ``F`` takes it, read as ``<column>_cell`` of the same table, joined as the field would be."""

    def resolve_expression(self, *args, **kwargs):
        column = super().resolve_expression(*args, **kwargs)
        return CellColumn(column.alias, column.target)


class CellColumn(Col):
    def as_sql(self, compiler, connection):
        quote = compiler.quote_name_unless_alias
        return f"{quote(self.alias)}.{connection.ops.quote_name(self.target.column + '_cell')}", []
