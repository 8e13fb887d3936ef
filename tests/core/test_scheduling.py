"""`make test` hands each language's page checks to a worker of its own, and the other tests to whichever is free."""

from __future__ import annotations

from unittest import mock

import pytest

xdist = pytest.importorskip("xdist")

from xdist.remote import WorkerInteractor  # noqa: E402

from tests.scheduling import HeavyGroupsApart  # noqa: E402


class Worker:
    def __init__(self, name: str):
        self.gateway = mock.Mock(id=name)
        self.shutting_down, self.sent, self.ran, self.busy_until = False, [], [], 0.0

    def send_runtest_some(self, indexes):
        self.sent.extend(indexes)

    def shutdown(self):
        self.shutting_down = True


# As the suite collects them: the largest group (the production server's seven tests) comes first in xdist's order.
COLLECTION = [
    "tests/a/test_one.py::test_a",
    "tests/browser/test_accessibility.py::test_axe[en]@pages-en",
    "tests/browser/test_accessibility.py::test_vnu[en]@pages-en",
    "tests/browser/test_accessibility.py::test_axe[ja]@pages-ja",
    "tests/browser/test_accessibility.py::test_vnu[ja]@pages-ja",
    *(f"tests/core/test_production_server.py::test_{n}@production-server" for n in range(7)),
    *(f"tests/z/test_many.py::test_{n}" for n in range(40)),
]


def seconds(test: str) -> float:
    """A page check's visit is as long as everything else together; any other test takes a second."""
    return 40.0 if "test_axe" in test else 1.0


def scheduler_for(workers: int) -> HeavyGroupsApart:
    with mock.patch("xdist.scheduler.loadscope.parse_tx_spec_config", return_value=["popen"] * workers):
        return HeavyGroupsApart(mock.Mock(**{"option.loadscopereorder": True}))


def run(workers: int) -> list[Worker]:
    """The run as xdist drives it: each worker reports each test done, and the scheduler hands out more."""
    scheduler = scheduler_for(workers)
    nodes = [Worker(f"gw{n}") for n in range(workers)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, COLLECTION)
    scheduler.schedule()
    while any(len(node.ran) < len(node.sent) for node in nodes):
        node = min((node for node in nodes if len(node.ran) < len(node.sent)), key=lambda node: node.busy_until)
        index = node.sent[len(node.ran)]
        node.ran.append(COLLECTION[index])
        node.busy_until += seconds(COLLECTION[index])
        scheduler.mark_test_complete(node, index)
    return nodes


def languages(node: Worker) -> set[str]:
    return {test.rpartition("@pages-")[2] for test in node.ran if "@pages-" in test}


def test_each_language_s_page_checks_start_first_on_a_worker_of_their_own_and_the_rest_fills_in_around():
    first, second = run(2)
    assert first.ran[0].endswith("@pages-en") and second.ran[0].endswith("@pages-ja")
    assert languages(first) == {"en"} and languages(second) == {"ja"}
    assert sorted(first.ran + second.ran) == sorted(COLLECTION)
    # 40 + 1 a language and 50 one-second tests: 65.5 s each if perfectly shared.
    assert abs(first.busy_until - second.busy_until) <= 2


def test_one_worker_still_runs_every_test():
    (only,) = run(1)
    assert sorted(only.ran) == sorted(COLLECTION)


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
