"""An exchange's period has one definition: the loaded row's starts/ends read the same as the query's."""

from __future__ import annotations

import datetime

import pytest

from partners.models import Exchange
from tests.factories import ExchangeFactory

D = datetime.date

PERIODS = {
    "planned only": (dict(status="planned"), D(2025, 1, 6), D(2025, 3, 28)),
    "started on time, not back": (dict(status="active", actual_start=D(2025, 1, 6)), D(2025, 1, 6), D(2025, 3, 28)),
    "started late, past its planned end": (
        dict(status="active", actual_start=D(2025, 4, 14)),
        D(2025, 4, 14),
        D(2025, 4, 14),
    ),
    "back early": (
        dict(status="completed", actual_start=D(2025, 1, 6), actual_end=D(2025, 2, 7)),
        D(2025, 1, 6),
        D(2025, 2, 7),
    ),
    "started early, back late": (
        dict(status="completed", actual_start=D(2024, 12, 16), actual_end=D(2025, 5, 2)),
        D(2024, 12, 16),
        D(2025, 5, 2),
    ),
}


@pytest.mark.parametrize(("dates", "starts", "ends"), PERIODS.values(), ids=PERIODS.keys())
def test_an_exchange_period_reads_the_same_on_the_row_and_in_the_query(alliance, dates, starts, ends):
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet, **dates
    )
    row = Exchange.objects.with_period().get(pk=exchange.pk)
    assert (exchange.starts, exchange.ends) == (starts, ends)
    assert (row.period_start, row.period_end) == (starts, ends)
