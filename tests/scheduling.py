"""How `make test` (--dist loadgroup) hands the tests to its workers: each xdist_group to one worker, the page
checks' groups first, each to a worker of its own, and everything else around them.

xdist's own order starts with the largest group and tops up any worker holding two tests or fewer: the first worker
took the production-server tests (seven), the second one language's page checks (two tests) and then, at once, the
other's, so one worker would have visited every page in both languages.

Each worker names a test's group by appending ``@group`` to the test's id, which pytest 9.2 no longer lets it
change (pytest-dev/pytest-xdist#1386): requirements-dev.txt keeps pytest below 9.2 until xdist can.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

# The groups that take longest (tests/browser/test_accessibility.py: every page in one language).
HEAVY = "pages-"


class HeavyGroupsApart(LoadGroupScheduling):
    """A worker holding no heavy group gets one next, while one is left: with two workers and two languages, each
    worker starts with one language's page checks."""

    def _assign_work_unit(self, node) -> None:
        held = any(scope.startswith(HEAVY) for scope in self.assigned_work.get(node, {}))
        waiting = [scope for scope in self.workqueue if scope.startswith(HEAVY)]
        if waiting and not held:
            self.workqueue.move_to_end(waiting[0], last=False)
        super()._assign_work_unit(node)
