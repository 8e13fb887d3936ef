"""Export throughput against the database's own COPY, and peak memory at two sizes."""

from __future__ import annotations

import datetime
import io
import statistics
import time
import tracemalloc
from dataclasses import replace

from exports.filters import Filters
from exports.services import export_file
from exports.sources import AUDIT_TRAIL, QUALIFICATIONS, SIGNATURES, Source, export_cursor, source
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


def plain_copy_seconds(name: str = "exchanges", filters: Filters | None = None) -> tuple[float, int]:
    """PostgreSQL COPY of an export's own SELECTs (the exchanges' by default), unformatted, under the exports' session
    settings, with whatever they read (the audit trail's names) already loaded: the reference rate."""
    src = source(name, filters or Filters())
    seconds, rows = 0.0, 0
    with src.copy_selects() as selects, export_cursor() as cursor:
        for sql, params in selects:
            inner = cursor.mogrify(sql, params).decode()
            started = time.perf_counter()
            cursor.cursor.copy_expert(f"COPY ({inner}) TO STDOUT WITH (FORMAT csv)", Sink())  # noqa: S608
            seconds += time.perf_counter() - started
            rows += cursor.cursor.rowcount
    return seconds, rows


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


def csv_seconds(src: Source) -> tuple[float, int]:
    """The CSV writer alone, into a sink: the time and the rows."""
    started = time.perf_counter()
    rows = write_csv(src, Sink())
    return time.perf_counter() - started, rows


def csv_peak_memory(src: Source) -> tuple[int, int]:
    tracemalloc.start()
    rows = write_csv(src, Sink())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak


def median_seconds(measure, runs: int = 5) -> float:
    return statistics.median(measure()[0] for _ in range(runs))


def in_turns(name: str, filters: Filters, runs: int = 5) -> tuple[float, float, int]:
    """Medians of a plain COPY of a dataset's own SELECTs and of its CSV by COPY, run in turns so that both see the
    same load: (plain seconds, CSV seconds, rows)."""
    plain, written, rows = [], [], 0
    for _ in range(runs):
        plain.append(plain_copy_seconds(name, filters)[0])
        seconds, rows = csv_seconds(source(name, filters))
        written.append(seconds)
    return statistics.median(plain), statistics.median(written), rows


def computed_lines() -> list[str]:
    """On PostgreSQL, the computed datasets' CSVs by COPY of their own SELECT and by the Python writer, against a
    plain COPY of that SELECT and against the exchanges CSV's time per row (medians of five runs); peak Python
    memory for one site's rows and for all."""
    from partners.models import Site

    everything = Filters()
    exchanges = source("exchanges", everything)
    exchange_rows = exchanges.count()
    per_row = median_seconds(lambda: csv_seconds(exchanges)) / exchange_rows
    site = Site.objects.order_by("pk").first()
    lines = [f"exchanges CSV (writer alone): {exchange_rows:,} rows, {per_row * 1e6:.1f} µs a row"]
    for name, small in ((QUALIFICATIONS, Filters(site=site)), (SIGNATURES, Filters(company=site.company))):
        src = source(name, everything)
        copy_seconds, after, rows = in_turns(name, everything)
        before = median_seconds(lambda src=src: csv_seconds(replace(src, copy_selects=None)), runs=1)
        count_seconds = median_seconds(lambda src=src: (timed_call(src.count), 0))
        memory = [csv_peak_memory(source(name, f)) for f in (small, everything)]
        lines.append(
            f"{name} CSV: {rows:,} rows, by COPY {after:.2f} s (Python writer {before:.2f} s); plain COPY of its "
            f"SELECT {copy_seconds:.2f} s (medians of five, in turns), the CSV at {copy_seconds / after:.0%} of its "
            "rate; "
            f"{after / rows / per_row:.1f}× the exchanges CSV's time per row; count {count_seconds:.2f} s; "
            "peak Python memory " + ", ".join(f"{n:,} rows {peak / 2**20:.1f} MiB" for n, peak in memory)
        )
    return lines


def timed_call(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def audit_trail_lines() -> list[str]:
    """The audit-trail CSV against the exchanges CSV per row; on PostgreSQL by COPY and by the Python rows, against a
    plain COPY of its own SELECTs; peak Python memory for one record type and for the whole trail."""
    everything = Filters()
    src = source(AUDIT_TRAIL, everything)
    seconds, rows = csv_seconds(src)
    exchanges, exchange_rows = csv_seconds(source("exchanges", everything))
    per_row = seconds / max(rows, 1) / (exchanges / max(exchange_rows, 1))
    lines = [
        f"audit-trail CSV, {rows:,} rows: {seconds:.2f} s, {per_row:.1f}× the exchanges CSV's time per row "
        f"({exchange_rows:,} rows in {exchanges:.2f} s)"
    ]
    if src.copy_selects is not None:
        python, _rows = csv_seconds(replace(src, copy_selects=None))
        plain, written, _rows = in_turns(AUDIT_TRAIL, everything)
        lines.append(
            f"audit trail by COPY {written:.2f} s against {python:.2f} s by the Python rows; a plain COPY of its "
            f"own SELECTs {plain:.2f} s (medians of five, in turns), so {plain / written:.0%} of COPY's rate"
        )
    memory = [csv_peak_memory(source(AUDIT_TRAIL, f)) for f in (Filters(record_type="milestone"), everything)]
    lines.append(
        "peak Python memory of the audit-trail CSV: "
        + "; ".join(f"{n:,} rows, {peak / 2**20:.1f} MiB" for n, peak in memory)
    )
    return lines
