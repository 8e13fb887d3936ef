"""Two writers at once, for the tests of what the database's locks must hold: each writer on a connection of its own
(a thread), its failure handed back to the test instead of lost in the thread.

They need PostgreSQL: SQLite lets one writer in at a time, so nothing ever races there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time, so there is no race"
)


def at_once(first: Callable[[], object], second: Callable[[], object]) -> list[BaseException]:
    """Run ``first`` in a transaction of its own that stays open while ``second`` runs in this one, so ``second``
    meets whatever ``first`` has written and locked but not yet committed. Returns what either raised."""
    started, going = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                first()
                started.set()
                going.wait(timeout=5)
                time.sleep(0.5)  # long enough for ``second`` to reach the lock ``first`` holds
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(timeout=10), "the first writer never got through its writes"
    going.set()
    try:
        with transaction.atomic():
            second()
    except BaseException as error:  # noqa: BLE001 - handed to the caller
        failures.append(error)
    thread.join(timeout=30)
    return failures


def side_by_side(*calls: Callable[[], object], stagger: float = 0.0) -> list[object]:
    """Run each call in a thread of its own, all at once (each ``stagger`` seconds after the one before), and return
    what each returned or raised, in the calls' order."""
    outcomes: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            outcomes[index] = calls[index]()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
        time.sleep(stagger)
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def failures_of(outcomes: list[object]) -> list[BaseException]:
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
