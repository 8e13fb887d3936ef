"""Database expressions the ORM does not ship, written for both databases the project runs on."""

from __future__ import annotations

from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """Whole days from the date ``start`` to the date ``end`` (negative when ``end`` is earlier): Python's
    ``(end - start).days``, as an integer the database can compare, add up and order by. Django's own date
    subtraction gives an interval on PostgreSQL, which has no ``abs()``."""

    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, start, end, **extra) -> None:
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps dates as ISO text: julianday() makes each a day number (midnight is .5, so the difference is
        # whole).
        end, start = (compiler.compile(expression) for expression in self.get_source_expressions())
        return f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)", (*end[1], *start[1])
