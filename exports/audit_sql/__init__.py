"""The audit trail computed by PostgreSQL, for COPY: the same rows, order and words as ``audit_rows.rows``.

One SELECT per record type over its history table. Window functions give each history row its record's row before it
(``LAG … OVER (PARTITION BY record ORDER BY history_date, chain_seq)``, the order ``audit.trail.walk`` diffs in),
for every tracked field and for each many-to-many snapshot (the row's target ids as a sorted array). Each history
row's tests of ``audit.trail.diff`` run once, into the array of its changed entries (or the one entry of a row
without changes), in the order ``diff`` lists them; a lateral ``unnest`` of it gives one row per entry, whose old
and new values alone are written. Values read as ``audit.trail.show`` writes them: choices by their label in the
source language, Yes/No, ISO dates, timestamps as Python's ``isoformat()``.

A record's name is its ``str()`` said by the database (``audit.names``: each named model's expression next to its
``__str__``, held to it by tests), or, deleted, that of its last history row (``audit.trail.deleted_name``): each
table of live names joined once per SELECT, beside the history rows, and a deleted record's name looked up only for
those (``names``). A value that SQL cannot write exactly as Python does (JSON, which Python prints as a ``dict``) is
written by ``show()`` per history row of the few tables that hold one (the export records) into a temporary table
(``values``).

Used only on PostgreSQL; the Python path stays for SQLite, and for the XLSX and JSON formats.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.utils import translation

from exports import audit_rows
from exports.audit_sql.names import Names
from exports.audit_sql.plans import Reads, available, plans
from exports.audit_sql.select import select
from exports.audit_sql.values import load_values
from exports.filters import Filters


@contextlib.contextmanager
def selects(filters: Filters) -> Iterator[list[tuple[str, None]]]:
    """The trail's SELECTs, one per record type in order, with the temporary table they read while it is open."""
    # Labels, actions and values in the source language, as the Python path writes them (exports.sources), whatever
    # the reader's language: the SELECTs carry the labels of choices, Yes and No as constants.
    with translation.override(None), transaction.atomic():
        yield from _selects(filters)


def _selects(filters: Filters) -> Iterator[list[tuple[str, None]]]:
    found = plans(filters)
    values = None
    if any(p.in_python for p in found):
        values = f"audit_trail_values_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {values} (kind integer, field integer, hid bigint, text text NOT NULL, "
                "PRIMARY KEY (kind, field, hid)) ON COMMIT DROP"
            )
        load_values(found, values)
        with connection.cursor() as cursor:
            # Autovacuum never analyses a temporary table: without this the planner guesses its size.
            cursor.execute(f"ANALYZE {values}")
    reads = Reads(Names(), values)
    yield [(select(p, filters, reads), None) for p in found]
    if values is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {values}")


def copy_selects(filters: Filters) -> Callable[[], contextlib.AbstractContextManager[list[tuple[str, None]]]] | None:
    """How the CSV writer opens the trail's SELECTs (no parameters: their constants are quoted by the driver
    already) on PostgreSQL; None where the Python path writes it."""
    return (lambda: selects(filters)) if available(filters) else None


def count(filters: Filters) -> int:
    """Rows of the trail: on PostgreSQL a COUNT of the same SELECTs (no names needed), elsewhere the Python walk."""
    if not available(filters):
        return audit_rows.count(filters)
    from exports.sources import sql_count  # sources reads this module

    return sum(sql_count((select(p, filters, None), None)) for p in plans(filters))
