"""`make bench`: grow the benchmark database through three sizes, measure each, print a table and rewrite the
generated part of docs/benchmarks.md for this database.

Every size seeds training records for its synthetic people. Pages: the dashboard, cold (cache emptied) and warm,
and the exchange admin list (median of 5 renders, query count); at the end, the dashboard at the largest size against
a copy of the database kept at the first, side by side. Exports of exchanges:
CSV, XLSX and JSON, and on PostgreSQL its own COPY of the same query as the reference; on PostgreSQL, at the largest
size, every dataset's CSV by COPY against a plain COPY of its own SELECTs (every synthetic training record is
signed), and the computed datasets' and the audit trail's by the Python writer too. At the largest size, the
exchange, person and training-record admin lists against Django's stock changelist of the same rows, unsearched and
searched. Then the cost of history on a save.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import admin_lists, audit_overhead, dashboard, exports, import_export_reference, training  # noqa: E402
from bench.setup import ensure_size  # noqa: E402
from exports.filters import Filters  # noqa: E402
from milestones.models import Milestone  # noqa: E402
from partners.models import Exchange  # noqa: E402
from training.models import TrainingRecord  # noqa: E402

SIZES = [(1_000, 10), (20_000, 100), (200_000, 1_000)]
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def measure_size() -> dict:
    everything = Filters()
    row = {
        "milestones": Milestone.objects.count(),
        "exchanges": Exchange.objects.count(),
        "training_records": TrainingRecord.objects.count(),
        "dashboard": dashboard.dashboard(cold=True),
        "dashboard_warm": dashboard.dashboard(cold=False),
        "admin": dashboard.exchange_admin_list(),
    }
    for fmt in ("csv", "xlsx", "json"):
        row[fmt] = exports.timed(fmt, everything)[0]
    if connection.vendor == "postgresql":
        row["copy"] = exports.plain_copy_seconds()[0]
    return row


def analyze() -> None:
    """The state autovacuum keeps a live database in, after a bulk load: fresh planner statistics, and the visibility
    map (VACUUM), without which an index-only scan reads every row it finds from the table as well. Measured right
    after the load, the cold dashboard at 200,010 exchanges took 216 ms with ANALYZE alone, 105 ms after VACUUM."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def ratios(rows: list[dict], compared: dashboard.SideBySide) -> str:
    first, last = rows[0], rows[-1]
    return (
        f"Dashboard at {last['exchanges']:,} exchanges against {first['exchanges']:,}, side by side (a copy of the "
        f"database kept at the first size; {compared.rounds} rounds in turns, each a fresh process's median of "
        f"{dashboard.RUNS} renders of each size; the rounds' ratios' median): cold **{compared.cold:.2f}×** the cold "
        f"time ({compared.last_cold * 1000:.0f} ms against {compared.first_cold * 1000:.0f} ms, medians of the "
        f"rounds), warm {compared.warm:.2f}× the warm time ({compared.last_warm * 1000:.0f} ms against "
        f"{compared.first_warm * 1000:.0f} ms). The table's times were measured as each size was reached, minutes "
        "apart"
    )


def table(rows: list[dict]) -> str:
    postgres = connection.vendor == "postgresql"
    head = (
        "| milestones | exchanges | training records | dashboard cold | queries | dashboard warm | queries "
        "| exchange admin | queries | CSV | XLSX | JSON |"
    )
    rule = "|---|---|---|---|---|---|---|---|---|---|---|---|"
    if postgres:
        head += " COPY (reference) | CSV / COPY rate |"
        rule += "---|---|"
    lines = [head, rule]
    for r in rows:
        line = (
            f"| {r['milestones']:,} | {r['exchanges']:,} | {r['training_records']:,} "
            f"| {r['dashboard']['median_s'] * 1000:.0f} ms | {r['dashboard']['queries']} "
            f"| {r['dashboard_warm']['median_s'] * 1000:.0f} ms | {r['dashboard_warm']['queries']} "
            f"| {r['admin']['median_s'] * 1000:.0f} ms | {r['admin']['queries']} "
            f"| {r['csv']:.2f} s | {r['xlsx']:.2f} s | {r['json']:.2f} s |"
        )
        if postgres:
            line += f" {r['copy']:.2f} s | {r['copy'] / r['csv']:.0%} |"
        lines.append(line)
    return "\n".join(lines)


def rewrite_doc(body: str) -> None:
    vendor = connection.vendor
    start, end = f"<!-- bench:{vendor}:start -->", f"<!-- bench:{vendor}:end -->"
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{start}\n{body}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + f"\n\n## Generated by `make bench` on {vendor}\n\n{block}\n"
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(f"{e}:{m}" for e, m in SIZES), help="exchanges:milestones,…")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    setup_test_environment()
    started = time.time(), os.getloadavg()
    sizes = args.sizes.split(",")
    rows, first_size_url, compared = [], None, None
    try:
        for size in sizes:
            wanted_exchanges, wanted_milestones = (int(part) for part in size.split(":"))
            ensure_size(exchanges=wanted_exchanges, milestones=wanted_milestones)
            training.ensure_training()
            if connection.vendor == "postgresql":
                training.ensure_signatures()
            analyze()
            rows.append(measure_size())
            print(f"measured {rows[-1]['exchanges']:,} exchanges, {rows[-1]['milestones']:,} milestones", flush=True)
            if first_size_url is None and len(sizes) > 1:
                first_size_url = dashboard.keep_first_size()
        if first_size_url is not None:
            compared = dashboard.side_by_side(first_size_url)
    finally:
        if first_size_url is not None:
            dashboard.drop_first_size(first_size_url)
    lists = admin_lists.lines(admin_lists.measure())
    searches = admin_lists.lines(admin_lists.measure_searches(), first="list: search")
    training_lines = training.report()
    saves = audit_overhead.measure()
    reference = import_export_reference.measure()
    memory = exports.memory_lines()
    postgres = connection.vendor == "postgresql"
    datasets = exports.dataset_table() if postgres else []
    computed = exports.computed_lines() if postgres else []
    trail = exports.audit_trail_lines()
    minutes = (time.time() - started[0]) / 60
    # A figure of a busy machine reads as slow code: say how busy it was, since the figures below do not.
    machine = (
        f"Machine: {os.cpu_count()} cores; load average {started[1][0]:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end of the {minutes:.0f}-minute run (seeding included)"
    )
    body = "\n".join(
        [
            table(rows),
            "",
            *([ratios(rows, compared) + ".", ""] if compared else []),
            f"Admin lists at {rows[-1]['exchanges']:,} exchanges against Django's stock changelist of the same rows "
            "(same columns and joined rows, ordered by primary key, no full count; bench/admin_lists.py), "
            f"median of {admin_lists.ROUNDS} interleaved rounds:",
            "",
            *lists,
            "",
            "The same lists searched, against Django's search with our search fields "
            "(on PostgreSQL ours reads each table through its trigram indexes, core/search.py):",
            "",
            *searches,
            "",
            "Pages: median of 5 renders through Django's test client after a warm-up; the dashboard cold with",
            "the cache emptied before each render, warm from the cache. Exports: exchanges, all",
            "columns, complete files. Peak Python memory of the CSV export: " + "; ".join(memory) + ".",
            f"Reference: {reference}.",
            *(f"{line[0].upper()}{line[1:]}." for line in trail),
            *(f"{line}." for line in training_lines),
            *(f"{line}." for line in computed),
            *(
                [
                    "",
                    f"Every dataset's CSV at {rows[-1]['exchanges']:,} exchanges against a plain COPY of its own "
                    f"SELECTs ({exports.ROUNDS} rounds, the two in turns, which goes first alternating; times are the "
                    "rounds' medians, shares of the rate the medians of the rounds' own; bench/exports.py "
                    "`dataset_table`). The CSV's "
                    "`COPY` is its COPY statements alone, the whole CSV `write_csv` into a sink: the fixed cost is the "
                    "difference (building and opening the SELECTs, the transaction and its settings, the header), "
                    f"and time per row is given from {exports.PER_ROW_FROM:,} rows:",
                    "",
                    *datasets,
                    "",
                ]
                if datasets
                else []
            ),
            f"History on save: {saves}.",
            f"{machine}.",
        ]
    )
    print(body)
    if not args.no_doc:
        rewrite_doc(body)


if __name__ == "__main__":
    main()
