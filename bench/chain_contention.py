"""How many audited writes per second one history table takes when several processes write at once.

Every audited write appends to its table's hash chain under that chain's head row lock (`audit/chain.py`), held from
the moment the row is sealed until the transaction commits: one table's writes queue on it, whatever the number of
app machines. This measures that queue on PostgreSQL: N writer processes, each its own connection, each write one
export record (one row and its history row, as a download or an export job writes), for a few seconds each.

    DATABASE_URL=postgres://…/scratch python -m bench.chain_contention --writers 1,2,4,8 --seconds 5

It **writes rows**: run it on a scratch database (migrated), never one that matters. Not part of `make bench`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
django.setup()

from django.db import connection, connections, transaction  # noqa: E402

from audit import chain  # noqa: E402
from exports.models import ExportRecord  # noqa: E402
from partners.models import Company  # noqa: E402


def write_record(number: int) -> None:
    ExportRecord(dataset="bench", format="csv", row_count=number, source=ExportRecord.Source.COMMAND).save()


def write_company(number: int) -> None:
    Company(name=f"Bench company {os.getpid()}-{number}", short_name=f"B{os.getpid()}-{number}").save()


TABLES = {"exportrecord": write_record, "company": write_company}


def writer(table: str, seconds: float, start_at: float, results) -> None:
    """Writes until the time is up; reports writes and, per write, how long the chain head stayed locked."""
    connections.close_all()  # a connection of this process's own, never the parent's
    write, held, sealed_at = TABLES[table], [], [0.0]
    seal = chain.seal

    def timed_seal(*args, **kwargs):
        # The head is locked from its first UPDATE inside seal() to the commit. With one writer nothing queues, so
        # "seal called to commit" is how long each write holds the lock; with more it adds the wait for the lock.
        sealed_at[0] = time.perf_counter()
        seal(*args, **kwargs)

    chain.seal = timed_seal
    while time.time() < start_at:
        time.sleep(0.001)
    deadline, count = time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        with transaction.atomic():
            write(count)
        done = time.perf_counter()
        held.append((done - sealed_at[0], done - started))
        count += 1
    connections.close_all()
    results.put((table, count, held))


def run(writers: int, tables: list[str], seconds: float) -> dict:
    connections.close_all()
    results = multiprocessing.Queue()
    start_at = time.time() + 1.0
    processes = [
        multiprocessing.Process(target=writer, args=(tables[n % len(tables)], seconds, start_at, results))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    per_table: dict[str, int] = {}
    latencies, tails = [], []
    for table, count, held in collected:
        per_table[table] = per_table.get(table, 0) + count
        tails += [tail for tail, _total in held]
        latencies += [total for _tail, total in held]
    return {
        "writers": writers,
        "tables": len(tables),
        "per_second": {table: count / seconds for table, count in per_table.items()},
        "latency_ms": statistics.median(latencies) * 1000,
        "p95_ms": statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0,
        "lock_ms": statistics.median(tails) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", default="1,2,4,8", help="numbers of concurrent writer processes")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each run writes")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("needs PostgreSQL (DATABASE_URL): SQLite has one writer at a time for the whole database")
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} before the runs; {options.seconds:g} s per run")
    print("| writers | tables | writes/s per table | median write | p95 write | head lock: wait + hold (median) |")
    print("|---|---|---|---|---|---|")
    for writers in [int(part) for part in options.writers.split(",")]:
        for tables in (["exportrecord"], ["exportrecord", "company"]):
            if writers < len(tables):
                continue
            result = run(writers, tables, options.seconds)
            rates = ", ".join(f"{table} {rate:,.0f}" for table, rate in sorted(result["per_second"].items()))
            print(
                f"| {writers} | {result['tables']} | {rates} | {result['latency_ms']:.1f} ms | "
                f"{result['p95_ms']:.1f} ms | {result['lock_ms']:.2f} ms |"
            )


if __name__ == "__main__":
    main()
