"""How `make test` (--dist loadgroup) hands the tests to its workers: each xdist_group to one worker, the page
checks' groups first, each to a worker of its own, and everything else around them.

Two things went wrong without this module:
- pytest-xdist 3.8 tells the scheduler a test's group by appending ``@group`` to the test's id, which pytest 9.2
  no longer lets it change (pytest-dev/pytest-xdist#1386): no test had a group, so each language's two page checks
  went to both workers, each visiting every page, and each worker started the production server.
- xdist's order starts with the largest group and tops up any worker holding two tests or fewer: the first worker
  took the production-server tests (seven), the second one language's page checks (two tests) and then, at once,
  the other's, so one worker would have visited every page in both languages.
"""

from __future__ import annotations

from xdist.scheduler import LoadGroupScheduling

# The groups that take longest (tests/browser/test_accessibility.py: every page in one language).
HEAVY = "pages-"


def group_of(item) -> str:
    """The test's xdist_group names, joined as xdist joins them; "" for a test in none."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "_".join(sorted(names))


def name_groups(items) -> None:
    """Append each grouped test's group to its id, as xdist means to (on a pytest where it cannot)."""
    from _pytest.nodeid import NodeId

    for item in items:
        group = group_of(item)
        # Not twice: an xdist that manages it again has appended it already.
        if group and item.nodeid.rfind("@") <= item.nodeid.rfind("]"):
            item._id = NodeId.parse(f"{item.nodeid}@{group}")


class HeavyGroupsApart(LoadGroupScheduling):
    """A worker holding no heavy group gets one next, while one is left: with two workers and two languages, each
    worker starts with one language's page checks."""

    def _assign_work_unit(self, node) -> None:
        held = any(scope.startswith(HEAVY) for scope in self.assigned_work.get(node, {}))
        waiting = [scope for scope in self.workqueue if scope.startswith(HEAVY)]
        if waiting and not held:
            self.workqueue.move_to_end(waiting[0], last=False)
        super()._assign_work_unit(node)
