"""Values SQL cannot write as ``show()`` does (JSON, which Python prints as a ``dict``), written by ``show()`` for
each history row that holds one and loaded into the export's temporary table with ``COPY FROM``."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

from django.db import connection

from audit.trail import Names, history_model, show
from exports.audit_sql.plans import CHUNK_ROWS, SPOOL_BYTES, Plan


def _copy_in(table: str, rows: Iterator[tuple]) -> None:
    """COPY rows into a table, spooled first: a query may not run while COPY FROM is reading."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as spool:
        buffer = io.StringIO()
        # Every value quoted, so an empty text reads back as empty text, never as NULL.
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for count, row in enumerate(rows, start=1):
            writer.writerow(row)
            if count % CHUNK_ROWS == 0:
                spool.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        spool.write(buffer.getvalue().encode())
        spool.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", spool)


def load_values(found: list[Plan], table: str) -> None:
    """show() of each value SQL cannot write, for each history row that holds one, by (plan, field, history id)."""
    names = Names()

    def shown() -> Iterator[tuple]:
        for p in found:
            if not p.in_python:
                continue
            history = history_model(p.model)
            fields = [c.model_field for _i, c in p.in_python]
            rows = history._default_manager.values_list(history._meta.pk.attname, *(f.attname for f in fields))
            for hid, *values in rows.iterator(chunk_size=CHUNK_ROWS):
                for (i, _c), f, value in zip(p.in_python, fields, values, strict=True):
                    yield p.number, i, hid, show(f, value, names)

    _copy_in(table, shown())
