"""Export throughput against the database's own COPY, and peak memory at two sizes."""

from __future__ import annotations

import datetime
import io
import time
import tracemalloc
from dataclasses import replace

from django.db import connection

from exports import audit_sql
from exports.filters import Filters
from exports.services import export_file
from exports.sources import AUDIT_TRAIL, source
from exports.writers import json_chunks, write_csv


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


def _csv_seconds(src) -> tuple[float, int]:
    started = time.perf_counter()
    rows = write_csv(src, Sink())
    return time.perf_counter() - started, rows


def _plain_trail_copy(filters: Filters) -> float:
    """PostgreSQL COPY of the audit trail's own SELECTs, unformatted, the names already loaded: the reference rate."""
    seconds = 0.0
    with audit_sql.selects(filters) as selects, connection.cursor() as cursor:
        for select in selects:
            started = time.perf_counter()
            cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", Sink())
            seconds += time.perf_counter() - started
    return seconds


def audit_trail_lines() -> list[str]:
    """The audit-trail CSV against the exchanges CSV per row; on PostgreSQL by COPY and by the Python rows, against a
    plain COPY of its own SELECTs; peak Python memory for one record type and for the whole trail."""
    everything = Filters()
    src = source(AUDIT_TRAIL, everything)
    seconds, rows = _csv_seconds(src)
    exchanges, exchange_rows = _csv_seconds(source("exchanges", everything))
    per_row = seconds / max(rows, 1) / (exchanges / max(exchange_rows, 1))
    lines = [
        f"audit-trail CSV, {rows:,} rows: {seconds:.2f} s, {per_row:.1f}× the exchanges CSV's time per row "
        f"({exchange_rows:,} rows in {exchanges:.2f} s)"
    ]
    if src.copy_selects is not None:
        python, _rows = _csv_seconds(replace(src, copy_selects=None))
        plain = _plain_trail_copy(everything)
        lines.append(
            f"audit trail by COPY {seconds:.2f} s against {python:.2f} s by the Python rows; a plain COPY of its "
            f"own SELECTs {plain:.2f} s, so {plain / seconds:.0%} of COPY's rate (the rest: naming the records)"
        )
    memory = []
    for filters in (Filters(record_type="milestone"), everything):
        tracemalloc.start()
        written = write_csv(source(AUDIT_TRAIL, filters), Sink())
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory.append(f"{written:,} rows, {peak / 2**20:.1f} MiB")
    lines.append("peak Python memory of the audit-trail CSV: " + "; ".join(memory))
    return lines
