"""Data built once for a module's tests, as Django's ``TestCase.setUpTestData`` builds it once for a class.

The build runs in a transaction that stays open while the module's tests run, each test in a savepoint inside it
(pytest-django's ``db``, which is a ``TestCase``'s), and the module's end rolls the build back: every test starts from
the data as built, whatever the one before it wrote. A test gets its own deep copy of what the build returned, so an
object one test changed in memory is as built for the next.

A module that uses it holds no test that commits (``committed_db``): that test would run inside the module's
transaction. ``committed_db`` refuses to.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, transaction

T = TypeVar("T")


@contextmanager
def built_for_the_module(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """What ``build()`` returned, its writes kept until the block ends, then rolled back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def as_if_committed() -> None:
    """Run the work queued for when the transaction commits (summaries rebuilt after a curriculum is saved), as it
    would run then: a test's transaction, and a module's, never commits."""
    pending, connection.run_on_commit[:] = list(connection.run_on_commit), []
    for _savepoints, callback, _robust in pending:
        callback()


def own_copy(built: T) -> T:
    """A test's own copy of what the module's build returned (the rows are shared; the objects are not)."""
    return copy.deepcopy(built)
