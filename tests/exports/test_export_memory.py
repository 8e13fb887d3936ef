"""Peak memory of the exports written in Python (every format on SQLite, the audit trail's XLSX and JSON everywhere):
an export holds a batch of rows at a time, never the table, so ten times the records take no more memory. The CSV
and JSON writers are measured; XLSX takes the same rows into XlsxWriter's constant-memory mode.

tracemalloc counts Python's allocations only, byte for byte: the same work gives the same peak, whatever the load."""

from __future__ import annotations

import io
import tracemalloc
from dataclasses import replace

import pytest

from demo.seed import add_synthetic_exchanges
from exports import audit_rows
from exports.filters import Filters
from exports.sources import AUDIT_TRAIL, source
from exports.writers import write_csv, write_json

# What ten times the rows may add to an export's peak: where its largest batch falls against the writer's buffer of
# text (up to writers.CHUNK) and the rows fetched, never a name per record.
MARGIN = 256 * 1024


class Sink(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)


def peak(name: str, fmt: str) -> tuple[int, int]:
    """Rows and peak Python memory of one export by the Python writers (on any database), into nowhere."""
    src = replace(source(name, Filters()), copy_selects=None)
    tracemalloc.start()
    try:
        rows = write_json(src, Sink(), {}) if fmt == "json" else write_csv(src, Sink())
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 50 history rows: a few hundred records are many batches."""
    monkeypatch.setattr(audit_rows, "BATCH", 50)


def test_the_audit_trail_holds_a_batch_of_records_whatever_their_number(alliance, small_batches):
    add_synthetic_exchanges(alliance.partnership, 150, seed=1)
    formats = ("csv", "json")
    for fmt in formats:
        peak(AUDIT_TRAIL, fmt)  # what the first export of a process builds once (translations, queries)
    small = {fmt: peak(AUDIT_TRAIL, fmt) for fmt in formats}
    add_synthetic_exchanges(alliance.partnership, 1350, seed=2)
    large = {fmt: peak(AUDIT_TRAIL, fmt) for fmt in formats}
    for fmt in formats:
        (small_rows, small_peak), (large_rows, large_peak) = small[fmt], large[fmt]
        assert large_rows > 9 * small_rows
        assert large_peak - small_peak < MARGIN, (
            f"{fmt}: {small_rows:,} rows {small_peak:,} B, {large_rows:,} rows {large_peak:,} B"
        )
