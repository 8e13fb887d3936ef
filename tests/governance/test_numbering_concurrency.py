"""Two decisions saved at the same moment, on two connections, never take the same number."""

from __future__ import annotations

import contextlib
import threading
from functools import partial

from governance.models import Decision
from governance.services import decision_save
from tests.concurrency import failures_of, postgresql_only, side_by_side
from tests.factories import CompanyFactory, PartnershipFactory

pytestmark = postgresql_only


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

    def save(title: str) -> None:
        decision_save(decision=Decision(partnership=partnership, title=title, text="Agreed."))

    failures = failures_of(side_by_side(partial(save, "Decision 1"), partial(save, "Decision 2")))
    assert failures == []
    assert sorted(Decision.objects.values_list("number", flat=True)) == [
        f"JSC-{Decision.objects.first().year}-01",
        f"JSC-{Decision.objects.first().year}-02",
    ]
