"""`make test` starts the longest work units first, spread over the workers, and fills in with the short tests."""

from __future__ import annotations

from unittest import mock

import pytest

xdist = pytest.importorskip("xdist")

from xdist.remote import WorkerInteractor  # noqa: E402

from tests.scheduling import HEAVY, HeavyGroupsApart, heavy, next_unit  # noqa: E402


class Worker:
    def __init__(self, name: str):
        self.gateway = mock.Mock(id=name)
        self.shutting_down, self.sent, self.ran, self.busy_until = False, [], [], 0.0

    def send_runtest_some(self, indexes):
        self.sent.extend(indexes)

    def shutdown(self):
        self.shutting_down = True


# As the suite collects them: xdist's own order puts the production server's seven tests first (the largest group),
# and the 20,000-row import comes where its file is collected, among the short tests.
COLLECTION = [
    "tests/a/test_one.py::test_a",
    "tests/browser/test_accessibility.py::test_axe[en]@pages-en",
    "tests/browser/test_accessibility.py::test_vnu[en]@pages-en",
    "tests/browser/test_accessibility.py::test_axe[ja]@pages-ja",
    "tests/browser/test_accessibility.py::test_vnu[ja]@pages-ja",
    *(f"tests/core/test_production_server.py::test_{n}@production-server" for n in range(7)),
    *(f"tests/t/test_many.py::test_{n}" for n in range(60)),
    "tests/training/test_import_files.py::test_twenty_thousand_rows@import-limit",
    *(f"tests/z/test_many.py::test_{n}" for n in range(60)),
]


def seconds(test: str) -> float:
    """A language's page checks 74 s, the production server's tests 45 s, the import 21 s, any other test 1 s."""
    if "test_axe" in test:
        return 70.0
    if "@production-server" in test:
        return 45.0 / 7
    return 21.0 if "@import-limit" in test else 1.0


def scheduler_for(workers: int) -> HeavyGroupsApart:
    with mock.patch("xdist.scheduler.loadscope.parse_tx_spec_config", return_value=["popen"] * workers):
        return HeavyGroupsApart(mock.Mock(**{"option.loadscopereorder": True}))


def run(workers: int, collection: list[str] = COLLECTION) -> list[Worker]:
    """The run as xdist drives it: each worker reports each test done, and the scheduler hands out more."""
    scheduler = scheduler_for(workers)
    nodes = [Worker(f"gw{n}") for n in range(workers)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    while any(len(node.ran) < len(node.sent) for node in nodes):
        node = min((node for node in nodes if len(node.ran) < len(node.sent)), key=lambda node: node.busy_until)
        index = node.sent[len(node.ran)]
        node.ran.append(collection[index])
        node.busy_until += seconds(collection[index])
        scheduler.mark_test_complete(node, index)
    return nodes


def groups(node: Worker) -> list[str]:
    """The groups a worker ran, in the order it started them."""
    return list(dict.fromkeys(test.rpartition("@")[2] for test in node.ran if "@" in test))


def started(node: Worker, group: str) -> float:
    """When the worker started the group's first test."""
    first = next(n for n, test in enumerate(node.ran) if test.endswith(f"@{group}"))
    return sum(seconds(test) for test in node.ran[:first])


def test_a_free_worker_takes_the_heaviest_unit_waiting_and_a_busy_one_the_next_short_test():
    waiting = ["tests/a.py::test_a", "production-server", "tests/b.py::test_b", "import-limit", "pages-ja"]
    assert next_unit(waiting, busy_with_heavy=False) == "pages-ja"
    assert next_unit(waiting, busy_with_heavy=True) == "tests/a.py::test_a"
    # Nothing of the kind it wants: the first there is.
    assert next_unit(["import-limit", "production-server"], busy_with_heavy=True) == "production-server"
    assert next_unit(["tests/a.py::test_a", "tests/b.py::test_b"], busy_with_heavy=False) == "tests/a.py::test_a"


def test_the_heavy_units_start_first_the_longest_first_each_on_the_worker_free_soonest():
    first, second = run(2)
    # The two languages side by side from the start, then the production server on the worker free first, then the
    # import on the other: never two heavy units on one worker while the other is free.
    assert first.ran[0].endswith("@pages-en") and second.ran[0].endswith("@pages-ja")
    assert groups(first) == ["pages-en", "production-server"] and groups(second) == ["pages-ja", "import-limit"]
    assert started(first, "production-server") < 75 and started(second, "import-limit") < 75
    assert sorted(first.ran + second.ran) == sorted(COLLECTION)
    # 140 + 45 + 21 + 121 one-second tests: 163.5 s each if perfectly shared; the run ends on short tests.
    assert abs(first.busy_until - second.busy_until) <= 2
    assert not first.ran[-1].count("@") and not second.ran[-1].count("@")


def test_one_worker_still_runs_every_test():
    (only,) = run(1)
    assert sorted(only.ran) == sorted(COLLECTION)
    assert groups(only)[:3] == ["pages-en", "pages-ja", "production-server"]


def test_with_only_heavy_units_left_a_busy_worker_takes_them_too():
    heavy_only = [test for test in COLLECTION if "@" in test]
    first, second = run(2, heavy_only)
    assert sorted(first.ran + second.ran) == sorted(heavy_only)


def test_a_group_not_in_the_table_is_refused():
    assert heavy("import-limit").args == ("import-limit",)
    with pytest.raises(KeyError, match="HEAVY"):
        heavy("import-limits")
    assert all(cost > 0 for cost in HEAVY.values())


def test_a_worker_tells_the_scheduler_each_grouped_test_s_group(request):
    """xdist 3.8 writes the group into the test's id, which pytest 9.2 ignores (pytest-dev/pytest-xdist#1386):
    on such a pytest no group holds (requirements-dev.txt keeps pytest below it)."""
    item, kept = request.node, request.node.nodeid
    request.applymarker(pytest.mark.xdist_group("example"))
    config = mock.Mock(**{"getvalue.return_value": True})
    try:
        WorkerInteractor.pytest_collection_modifyitems(mock.Mock(), config, [item])
        assert item.nodeid == f"{kept}@example"
        assert scheduler_for(2)._split_scope(item.nodeid) == "example"
    finally:
        item._nodeid = kept
