"""Export throughput against the database's own COPY, and peak memory at two sizes."""

from __future__ import annotations

import datetime
import io
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from unittest import mock

from exports import writers
from exports.filters import Filters
from exports.services import export_file
from exports.sources import AUDIT_TRAIL, NAMES, QUALIFICATIONS, SIGNATURES, Source, export_cursor, source
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


@contextmanager
def copy_statements_timed() -> Iterator[list[float]]:
    """Within it, the time ``write_csv`` spends in its COPY statements is added up in the list's one item: the rest of
    a CSV's time is what it costs besides them (building and opening its SELECTs, the transaction and its settings,
    the header)."""
    spent = [0.0]
    copy = writers._copy

    def timed(*args):
        started = time.perf_counter()
        try:
            return copy(*args)
        finally:
            spent[0] += time.perf_counter() - started

    with mock.patch.object(writers, "_copy", timed):
        yield spent


# Rounds of each comparison in turns: an even number, so that each side goes first as often as the other.
ROUNDS = 6


@dataclass(frozen=True)
class InTurns:
    """Rounds of a plain COPY of a dataset's own SELECTs and its CSV, one right after the other (which goes first
    alternates): each round's ratio compares the two under the same load, so a machine whose speed drifts between
    rounds moves the times, not the ratio. Times are medians of the rounds, rates medians of the rounds' ratios."""

    rows: int
    plain: float  # the plain COPY statements
    copy: float  # the CSV's own COPY statements: the same SELECTs, formatted and neutralised
    csv: float  # the whole CSV (write_csv into a sink)
    fixed: float  # median of each round's CSV less its COPY statements
    rate: float  # the CSV's COPY against the plain COPY: the share of COPY's rate the formatting leaves, at any size
    whole_rate: float  # the whole CSV against the plain COPY: what a small export feels, with its fixed cost


def in_turns(name: str, filters: Filters, runs: int = ROUNDS) -> InTurns:
    plain, copy, csv, rows = [], [], [], 0

    def plain_round() -> None:
        plain.append(plain_copy_seconds(name, filters)[0])

    def csv_round() -> None:
        nonlocal rows
        with copy_statements_timed() as spent:
            seconds, rows = csv_seconds(source(name, filters))
        copy.append(spent[0])
        csv.append(seconds)

    for run in range(runs):
        for measure in (plain_round, csv_round) if run % 2 == 0 else (csv_round, plain_round):
            measure()
    median = statistics.median
    return InTurns(
        rows,
        median(plain),
        median(copy),
        median(csv),
        median(whole - statements for whole, statements in zip(csv, copy, strict=True)),
        median(p / c for p, c in zip(plain, copy, strict=True)),
        median(p / w for p, w in zip(plain, csv, strict=True)),
    )


# Below this many rows a CSV's time is mostly its fixed cost: its time per row says nothing of its rate.
PER_ROW_FROM = 10_000


def dataset_table(runs: int = ROUNDS) -> list[str]:
    """On PostgreSQL, every dataset's CSV against a plain COPY of its own SELECTs, in turns (``runs`` rounds): the
    share of COPY's rate by the COPY statements alone and by the whole CSV, the fixed cost between the two, and the
    time per row of its COPY statements against the exchanges CSV's."""
    everything = Filters()
    measured = {name: in_turns(name, everything, runs) for name in NAMES}
    exchanges = measured["exchanges"]
    lines = [
        "| dataset | rows | plain `COPY` | the CSV's `COPY` | share of `COPY`'s rate | whole CSV | share, whole CSV "
        "| fixed cost | time per row against the exchanges CSV |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in measured.items():
        per_row = "— (fixed cost)"
        if m.rows >= PER_ROW_FROM:
            per_row = f"{m.copy / m.rows / (exchanges.copy / exchanges.rows):.2f}×"
        lines.append(
            f"| {name} | {m.rows:,} | {m.plain * 1000:,.1f} ms | {m.copy * 1000:,.1f} ms | {m.rate:.0%} "
            f"| {m.csv * 1000:,.1f} ms | {m.whole_rate:.0%} | {m.fixed * 1000:.1f} ms | {per_row} |"
        )
    return lines


def computed_lines() -> list[str]:
    """On PostgreSQL, the computed datasets' CSVs by the Python writer (SQLite's path), their row counts, and peak
    Python memory for one site's rows and for all."""
    from partners.models import Site

    everything = Filters()
    site = Site.objects.order_by("pk").first()
    lines = []
    for name, small in ((QUALIFICATIONS, Filters(site=site)), (SIGNATURES, Filters(company=site.company))):
        src = source(name, everything)
        python, rows = csv_seconds(replace(src, copy_selects=None))
        count_seconds = median_seconds(lambda src=src: (timed_call(src.count), 0))
        memory = [csv_peak_memory(source(name, f)) for f in (small, everything)]
        lines.append(
            f"{name} CSV: {rows:,} rows, by the Python writer {python:.2f} s; count {count_seconds:.2f} s; "
            "peak Python memory " + ", ".join(f"{n:,} rows {peak / 2**20:.1f} MiB" for n, peak in memory)
        )
    return lines


def timed_call(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def audit_trail_lines() -> list[str]:
    """The audit-trail CSV against the exchanges CSV per row (on PostgreSQL by COPY, its first run), and by the Python
    rows; peak Python memory for one record type and for the whole trail."""
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
        lines.append(f"audit trail by the Python rows (SQLite's path) {python:.2f} s")
    memory = [csv_peak_memory(source(AUDIT_TRAIL, f)) for f in (Filters(record_type="milestone"), everything)]
    lines.append(
        "peak Python memory of the audit-trail CSV: "
        + "; ".join(f"{n:,} rows, {peak / 2**20:.1f} MiB" for n, peak in memory)
    )
    return lines
