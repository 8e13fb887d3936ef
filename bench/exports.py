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


def report() -> list[str]:
    from partners.models import Exchange

    lines, everything = [], Filters()
    if connection.vendor == "postgresql":
        copy_s, copy_rows = plain_copy_seconds()
        csv_s, csv_rows = timed("csv", everything)
        ratio = (csv_rows / csv_s) / (copy_rows / copy_s)
        lines.append(
            f"PostgreSQL COPY (reference): {copy_rows} rows in {copy_s:.2f} s = {copy_rows / copy_s:,.0f} rows/s"
        )
        lines.append(
            f"CSV export: {csv_rows} rows in {csv_s:.2f} s = {csv_rows / csv_s:,.0f} rows/s ({ratio:.0%} of COPY)"
        )
    for fmt in ("csv", "xlsx", "json"):
        seconds, rows = timed(fmt, everything)
        lines.append(f"{fmt.upper()} export: {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s")
    first = Exchange.objects.order_by("planned_start").values_list("planned_start", flat=True).first()
    if first:
        small = Filters(start=first, end=first + datetime.timedelta(days=10))  # about 2,000 rows
        for label, filters in (("small", small), ("all", everything)):
            rows, peak = peak_memory("csv", filters)
            lines.append(f"CSV export peak Python memory, {label}: {rows} rows, {peak / 2**20:.1f} MiB")
    return lines
