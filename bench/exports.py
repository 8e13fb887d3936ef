"""Export throughput against the database's own COPY, and peak memory at two sizes."""

from __future__ import annotations

import datetime
import io
import time
import tracemalloc

from django.db import connection

from exports.filters import Filters
from exports.services import export_file
from exports.sources import source
from exports.writers import json_chunks


class Sink(io.RawIOBase):
    """Counts bytes and throws them away."""

    def __init__(self):
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def plain_copy_seconds() -> tuple[float, int]:
    """PostgreSQL COPY of the exchange export's own query, unformatted: the reference rate."""
    src = source("exchanges", Filters())
    sql, params = src.queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        inner = cursor.mogrify(sql, params).decode()
        sink = Sink()
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY ({inner}) TO STDOUT WITH (FORMAT csv, HEADER true)", sink)  # noqa: S608
        return time.perf_counter() - started, cursor.cursor.rowcount


def run_export(fmt: str, filters: Filters) -> int:
    if fmt == "json":
        src = source("exchanges", filters)
        for _chunk in json_chunks(src, {}):
            pass
        return src.count()
    result = export_file(name="exchanges", fmt=fmt, filters=filters, user=None, source_kind="command")
    result.file.close()
    return result.rows


def timed(fmt: str, filters: Filters) -> tuple[float, int]:
    started = time.perf_counter()
    rows = run_export(fmt, filters)
    return time.perf_counter() - started, rows


def peak_memory(fmt: str, filters: Filters) -> tuple[int, int]:
    """Rows and peak Python memory (bytes) for one export (tracemalloc slows it, so it is timed separately)."""
    tracemalloc.start()
    rows = run_export(fmt, filters)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak


def memory_lines() -> list[str]:
    """Peak Python memory of the CSV export for about 2,000 rows and for all rows."""
    from partners.models import Exchange

    first = Exchange.objects.order_by("planned_start").values_list("planned_start", flat=True).first()
    lines = []
    small = Filters(start=first, end=first + datetime.timedelta(days=10))
    for filters in (small, Filters()):
        rows, peak = peak_memory("csv", filters)
        lines.append(f"{rows:,} rows, {peak / 2**20:.1f} MiB")
    return lines
