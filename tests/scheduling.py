"""How `make test` (--dist loadgroup) hands the tests to its workers: the longest work first, each long unit to a
worker that is not already busy with one, and the short tests filling in around them.

The suite's long work units are named in one place, ``HEAVY`` below: an ``xdist_group`` name and the seconds it was
measured to take. A test or module joins one with ``heavy(name)`` (``pytestmark = heavy("production-server")``),
which is ``pytest.mark.xdist_group(name)`` for a name in the table and an error for any other. xdist's controller
sees nothing of the tests but their ids, and a grouped test's id ends in ``@group``: the group is how the cost reaches
the scheduler. A test that comes to take more than about ten seconds belongs in the table (``--durations`` on its
file finds it); one left out runs wherever the queue reaches it, and may be the last thing the run waits for.

xdist hands out work units from a queue (by default the largest groups first, by number of tests, then the rest in
collection order): one to each worker at the start, then one more to any worker holding two tests or fewer, both at
the start and each time a worker reports a test done. So a worker is given its next unit while it still runs its
current one. ``HeavyGroupsApart`` decides which unit that is (``next_unit``):

- a worker holding no unfinished heavy unit takes the heaviest one waiting: the heavy units start first, the longest
  first, spread over the workers (longest processing time first);
- a worker still busy with a heavy unit takes the next short test instead, so that no second heavy unit waits behind
  its first while the other worker might be free sooner; it takes its next heavy unit once the first is done;
- when only heavy units are left, any worker takes the heaviest.

With two workers and the measured costs, the two languages' page checks start side by side, the production server's
tests, the 20,000-row import and the other heavy units follow on whichever worker finishes first, and the run ends on
short tests, not on a heavy unit one worker started late. The short tests keep the collection's order
(pytest-django's: the database tests first, the browser journeys last, after which a worker's running Playwright
would refuse a database's setup): the heavy units are all handed out early in the run, before the queue reaches the
journeys.

Each worker names a test's group by appending ``@group`` to the test's id, which pytest 9.2 no longer lets it
change (pytest-dev/pytest-xdist#1386): requirements-dev.txt keeps pytest below 9.2 until xdist can.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from xdist.scheduler import LoadGroupScheduling

# The long work units: xdist group → seconds on one worker on an idle machine (SQLite, `--reuse-db`, measured file by
# file; docs/benchmarks.md, "Test suite time"). Only their order matters: the heaviest starts first.
HEAVY: dict[str, float] = {
    # tests/browser/test_accessibility.py: every page in one language, axe and the Nu Html Checker.
    "pages-en": 74,
    "pages-ja": 74,
    # tests/core/test_production_server.py: gunicorn on a demo database, its static files compressed (most of it).
    # The cost of a run that compresses them (CI, a first run): one that finds them kept takes a fifth of this.
    "production-server": 45,
    # tests/accounts/test_access.py: the URL × persona table, each persona a test (33 s on a busy machine, halved).
    "access-table": 15,
    # tests/accounts/test_languages.py: every page read in each language for labels left in the other (22 s on a busy
    # machine, halved).
    "every-page-in-one-language": 11,
    # tests/training/test_import_files.py: a file of 20,000 rows previewed and imported.
    "import-limit": 21,
    # tests/api/test_schema.py: schemathesis over the whole OpenAPI schema.
    "api-schema": 17,
    # tests/accounts/test_writes.py: every write of the app as each persona.
    "write-table": 15,
    # tests/exports/test_formula_safety.py: any text in any export, a Hypothesis property.
    "formula-safety": 14,
}


def heavy(group: str) -> pytest.MarkDecorator:
    """The mark that puts a test (or a module's tests) in one of the long work units named in ``HEAVY``."""
    if group not in HEAVY:
        raise KeyError(f"{group!r} is not in tests/scheduling.py's HEAVY table: add it there with its cost")
    return pytest.mark.xdist_group(group)


def next_unit(waiting: Iterable[str], busy_with_heavy: bool) -> str:
    """The work unit a worker takes next, from those ``waiting`` in xdist's queue order.

    A worker not ``busy_with_heavy`` takes the heaviest waiting unit; one that is takes the first short unit. Either
    takes the queue's first unit when there is nothing of the kind it wants.
    """
    waiting = list(waiting)
    heavy_waiting = sorted((scope for scope in waiting if scope in HEAVY), key=lambda scope: -HEAVY[scope])
    if heavy_waiting and not busy_with_heavy:
        return heavy_waiting[0]
    short = next((scope for scope in waiting if scope not in HEAVY), None)
    return short or heavy_waiting[0]


class HeavyGroupsApart(LoadGroupScheduling):
    """xdist's loadgroup scheduling, each unit it hands out chosen by ``next_unit``."""

    def _assign_work_unit(self, node) -> None:
        busy = any(
            scope in HEAVY and not all(work_unit.values())
            for scope, work_unit in self.assigned_work.get(node, {}).items()
        )
        self.workqueue.move_to_end(next_unit(self.workqueue, busy), last=False)
        super()._assign_work_unit(node)
