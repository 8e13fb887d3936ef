"""Two decisions saved at the same moment, on two connections, never take the same number."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, connections

from governance.models import Decision
from governance.services import decision_save
from tests.factories import CompanyFactory, PartnershipFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has one writer at a time, so there is no race to lose",
)


def test_two_decisions_saved_at_once_take_consecutive_numbers(committed_db, monkeypatch):
    partnership = PartnershipFactory(parties=[CompanyFactory(), CompanyFactory()])
    # Each save waits (up to a second) inside numbering for the other to get there too. Under the partnership's
    # lock the other one cannot, so they number one after the other; without the lock both would read the same
    # last number, and the second insert would fail.
    rendezvous = threading.Barrier(2, timeout=1)
    format_number = Decision.format_number

    def meet_then_format(*args):
        with contextlib.suppress(threading.BrokenBarrierError):
            rendezvous.wait()
        return format_number(*args)

    monkeypatch.setattr(Decision, "format_number", staticmethod(meet_then_format))
    failures: list[BaseException] = []

    def save(title: str) -> None:
        try:
            decision_save(decision=Decision(partnership=partnership, title=title, text="Agreed."))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(f"Decision {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sorted(Decision.objects.values_list("number", flat=True)) == [
        f"JSC-{Decision.objects.first().year}-01",
        f"JSC-{Decision.objects.first().year}-02",
    ]
