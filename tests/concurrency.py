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
                until_another_waits_on_a_lock()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(timeout=10), failures or "the first writer never got through its writes"
    going.set()
    try:
        with transaction.atomic():
            second()
    except BaseException as error:  # noqa: BLE001 - handed to the caller
        failures.append(error)
    thread.join(timeout=30)
    assert not thread.is_alive(), "the first writer is still running after 30 s"
    return failures


def until_another_waits_on_a_lock(timeout: float = 5.0) -> None:
    """Keep this transaction open until another connection to the database waits on a lock (the one it holds, in
    these tests), however slowly a busy machine gets it there; after ``timeout``, go on: the test's assertions then
    say whether anything was lost."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                " AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone():
                return
            time.sleep(0.02)


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
    assert not any(thread.is_alive() for thread in threads), "a writer is still running after 30 s"
    return outcomes


def failures_of(outcomes: list[object]) -> list[BaseException]:
    return [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
