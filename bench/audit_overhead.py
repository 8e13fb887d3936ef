"""What writing history costs a staff member saving an exchange: time per save with and without it.

Part of `make bench`. Runs inside a transaction that is rolled back, so it leaves no data behind.
"""

from __future__ import annotations

import statistics
import time

from django.db import transaction
from django.test.utils import override_settings

from demo.seed import seed_illustrative, seed_reference
from partners.models import Exchange

SAVES = 300


class Rollback(Exception):
    pass


def time_saves(exchanges: list[Exchange]) -> list[float]:
    timings = []
    for number, exchange in enumerate(exchanges):
        exchange.objectives = f"Revised objectives {number}"
        exchange._change_reason = "Benchmark"
        started = time.perf_counter()
        with transaction.atomic():
            exchange.full_clean()
            exchange.save()
        timings.append(time.perf_counter() - started)
    return timings


def measure() -> str:
    try:
        with transaction.atomic():
            seed_illustrative(seed_reference())
            exchanges = list(Exchange.objects.select_related("person__employer", "partnership", "host_company"))
            rounds = (SAVES // len(exchanges)) + 1
            sample = (exchanges * rounds)[:SAVES]
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                without = time_saves(sample)
            with_history = time_saves(sample)
            raise Rollback
    except Rollback:
        pass
    plain, audited = statistics.median(without), statistics.median(with_history)
    return (
        f"median per exchange save (full_clean + save, {SAVES} each way) {plain * 1000:.1f} ms without history, "
        f"{audited * 1000:.1f} ms with the hash-chained history row ({(audited - plain) * 1000:+.1f} ms)"
    )
