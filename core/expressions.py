"""Database expressions the ORM does not ship, written for both databases the project runs on."""

from __future__ import annotations

import datetime

from django.db.models import DateField, Func, IntegerField, Value


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


class CodePoints(Func):
    """Text ordered by its characters' code points, as Python orders strings, whatever the database's collation: a
    language's collation (PostgreSQL's ICU or glibc locales) sorts "alpha" before "Beta", Python after. For a query
    that picks a few rows by an order that Python then applies to them. SQLite's own order (BINARY: the bytes of
    UTF-8) is already code points."""

    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template='(%(expressions)s) COLLATE "C"', **extra_context)


class DateLiteral(Value):
    """A date written into SQLite's SQL itself rather than passed as a parameter. SQLite matches an expression index
    only to an expression with the same constants, and a bound parameter is not one: ``COALESCE(actual_end, ?)`` reads
    the whole ``exchange_on_now`` index and sorts what it found, where ``COALESCE(actual_end, '9999-12-31')`` seeks
    in it, in its order. PostgreSQL's driver already sends the value written out. A date's ISO form is digits and
    dashes only, so it needs no quoting. What it writes must stay what the schema editor wrote for the index (a
    ``Value`` in partners' migration 0008): databases keep that text, and a test holds the query's plan to it."""

    def __init__(self, day: datetime.date) -> None:
        # A datetime is a date too, but SQLite keeps those as "YYYY-MM-DD HH:MM:SS", not isoformat()'s "T".
        if type(day) is not datetime.date:
            raise TypeError(f"DateLiteral takes a date, not {day!r}")
        super().__init__(day, output_field=DateField())

    def as_sqlite(self, compiler, connection, **extra_context):
        return f"'{self.value.isoformat()}'", []
