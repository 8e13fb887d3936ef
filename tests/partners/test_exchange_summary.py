"""The dashboard's exchange figures from the exchange summary are the figures from the exchanges themselves, for every
filter the summary answers and on days around month, quarter and year ends, after writes of every kind: exchanges
added, moved to other dates, parties, function or partnership, cancelled and restored, deleted, created and updated
in bulk, and two writes at once on PostgreSQL."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from demo.synthetic import add_synthetic_exchanges
from milestones import dashboard, panels
from partners import summary
from partners.fiscal import Basis
from partners.models import Exchange, ExchangeDay, ExchangeMonth, Function
from partners.services import exchange_save
from tests.concurrency import at_once, postgresql_only
from tests.factories import ExchangeFactory, PartnershipFactory, PersonFactory

D = datetime.date
# Month, quarter and year ends on either side, in the calendar's quarters and in fiscal years starting in April and
# October: the days the "on exchange now" count and the chart's window turn on, and days people left or came back on
# within a month.
DAYS = [
    D(2025, 1, 31),
    D(2025, 2, 1),
    D(2025, 11, 30),
    D(2025, 12, 31),
    D(2026, 1, 1),
    D(2026, 3, 31),
    D(2026, 4, 1),
    D(2026, 11, 25),
]
BASES = [None, Basis(4), Basis(10)]
MANUFACTURING, QC = Function.MANUFACTURING, Function.QUALITY_CONTROL

# (status, planned start, planned end, actual start, actual end): one person each, so none overlaps another.
VARIED = [
    ("planned", D(2026, 3, 20), D(2026, 4, 10), None, None),  # across a quarter's end
    ("active", D(2025, 11, 3), D(2026, 1, 31), D(2025, 11, 30), None),  # not back yet
    ("active", D(2025, 5, 1), D(2025, 5, 31), D(2025, 6, 30), None),  # started a month after its planned end
    ("completed", D(2025, 1, 6), D(2025, 2, 28), D(2025, 1, 31), D(2025, 2, 1)),  # across a month's end
    ("completed", D(2025, 9, 1), D(2025, 12, 31), D(2025, 9, 30), D(2026, 1, 1)),  # across a year's end
    ("cancelled", D(2026, 6, 30), D(2026, 7, 1), None, None),
    ("cancelled", D(2025, 12, 1), D(2026, 2, 1), D(2025, 12, 1), None),  # started, then called off
    ("completed", D(2026, 3, 31), D(2026, 4, 1), D(2026, 3, 31), D(2026, 4, 1)),  # two days, two quarters
]


@pytest.fixture
def other(alliance):
    """A second partnership between the same parties."""
    return PartnershipFactory(parties=[alliance.agc, alliance.medinet], signed_on=D(2024, 9, 11))


def person(alliance, home: str = "agc"):
    employer = alliance.agc_bio if home == "agc" else alliance.medinet
    return PersonFactory(employer=employer)


def exchange(alliance, *, home="agc", partnership=None, function=MANUFACTURING, dates=VARIED[0], **fields):
    status, planned_start, planned_end, actual_start, actual_end = dates
    who = fields.pop("person", None) or person(alliance, home)
    host = alliance.medinet if home == "agc" else alliance.agc_bio
    return ExchangeFactory(
        person=who,
        partnership=partnership or alliance.partnership,
        host_company=host,
        function_area=function,
        status=status,
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=actual_start,
        actual_end=actual_end,
        **fields,
    )


@pytest.fixture
def varied(alliance, other):
    """Every kind of exchange in VARIED, both ways, in two functions, and some in the second partnership."""
    made = []
    for home in ("agc", "medinet"):
        for function in (MANUFACTURING, QC):
            for dates in VARIED:
                made.append(exchange(alliance, home=home, function=function, dates=dates))
    for dates in VARIED[:4]:
        made.append(exchange(alliance, home="medinet", partnership=other, dates=dates))
    return made


def figures(filters: dashboard.Filters, day: datetime.date, *, summarised: bool) -> dict:
    """What the headline and the exchanges panel show, from the summary or from the records.

    These tests write no milestone: the headline's milestone figures, read for nothing here, are left out (most of
    the time of the hundreds of readings each test makes)."""
    with (
        mock.patch.object(panels.Board, "summarised", summarised),
        mock.patch.object(panels.Board, "tallies", []),
        mock.patch.object(panels.Board, "milestones", []),
    ):
        board = panels.Board(filters, day, user=None)
        headline, exchanges = panels.Headline().get_context(board), panels.Exchanges().get_context(board)
    return {
        "direction_counts": headline["direction_counts"],
        "headcount": exchanges["headcount"],
        "on_exchange_total": exchanges["on_exchange_total"],
    }


def assert_summary_is_the_records(*partnerships) -> None:
    assert summary.disagreeing() == []
    for partnership in (None, *partnerships):
        for basis in BASES:
            for day in DAYS:
                filters = dashboard.Filters(partnership=partnership, year_basis=basis)
                assert figures(filters, day, summarised=True) == figures(filters, day, summarised=False), (
                    partnership,
                    basis,
                    day,
                )


def test_the_summary_counts_what_the_records_count(alliance, other, varied):
    filters = dashboard.Filters()
    shown = figures(filters, D(2026, 1, 1), summarised=True)
    # Per direction and function: two not back yet and one back that day; the second partnership adds two MEDINET → AGC.
    assert shown["on_exchange_total"] == 14
    assert {(c.active, c.planned, c.completed) for c in shown["direction_counts"]} == {(6, 2, 6), (8, 3, 7)}
    assert_summary_is_the_records(alliance.partnership, other)


def test_cancelled_exchanges_count_only_as_a_direction_with_an_exchange(alliance):
    exchange(alliance, dates=VARIED[5])
    shown = figures(dashboard.Filters(), D(2026, 7, 1), summarised=True)
    assert [(c.active, c.planned, c.completed) for c in shown["direction_counts"]] == [(0, 0, 0)]
    assert shown["headcount"].counts == {}
    assert_summary_is_the_records(alliance.partnership)


def test_an_exchange_moved_to_other_dates_parties_function_or_partnership_leaves_its_old_months(alliance, other):
    moved = exchange(alliance, dates=VARIED[0])
    assert_summary_is_the_records(alliance.partnership, other)
    changes = [
        {"planned_start": D(2026, 7, 1), "planned_end": D(2026, 9, 30)},  # a quarter later
        {"planned_start": D(2026, 6, 30), "planned_end": D(2026, 7, 1)},  # one day either side of a quarter's end
        {"status": "active", "actual_start": D(2026, 1, 31)},  # started early, period from the actual start
        {"status": "completed", "actual_end": D(2026, 2, 1)},
        {"function_area": QC},
        {"partnership": other},
        {"person": person(alliance, "medinet"), "host_company": alliance.agc_bio},  # the other way
        {"status": "cancelled"},
        {"status": "completed"},  # restored
    ]
    for change in changes:
        for name, value in change.items():
            setattr(moved, name, value)
        moved._change_reason = "Corrected"
        exchange_save(exchange=moved)
        # The table against one rebuilt from the records after each move; the dashboard's figures once at the end
        # (each full comparison draws the panels 108 times).
        assert summary.disagreeing() == [], change
    assert_summary_is_the_records(alliance.partnership, other)
    assert ExchangeMonth.objects.filter(partnership=alliance.partnership).exclude(exchanges=0, ending=0).count() == 0


def test_a_deleted_exchange_leaves_the_summary(alliance, varied):
    for gone in varied[::3]:
        gone._change_reason = "Entered twice"
        gone.delete()
    assert_summary_is_the_records(alliance.partnership)


def test_exchanges_created_and_updated_in_bulk_are_counted(alliance, other, varied):
    add_synthetic_exchanges(alliance.partnership, 150, seed=3)
    assert_summary_is_the_records(alliance.partnership, other)
    latest = {}  # each person's last exchange, which can move later without meeting their next one
    for row in Exchange.objects.filter(objectives="Synthetic demo record.").order_by("person", "planned_start"):
        latest[row.person_id] = row
    rows = list(latest.values())[:40]
    for row in rows:
        row.planned_start += datetime.timedelta(days=45)
        row.planned_end += datetime.timedelta(days=45)
        row.function_area = QC
        row._change_reason = "Moved by import"
    Exchange.objects.bulk_update_with_history(rows, ["planned_start", "planned_end", "function_area"])
    assert_summary_is_the_records(alliance.partnership, other)


def test_the_dashboard_reads_the_summary_where_it_answers_and_the_records_elsewhere(alliance):
    exchange(alliance, person=alliance.agc_person, dates=VARIED[0])  # based at Yokohama
    ExchangeMonth.objects.filter(month=D(2026, 3, 1)).update(planned=7)  # a summary that says otherwise

    def planned(filters: dashboard.Filters) -> list[int]:
        board = panels.Board(filters, D(2026, 1, 1), user=None)
        return [c.planned for c in panels.Headline().get_context(board)["direction_counts"]]

    assert planned(dashboard.Filters()) == [7]
    assert planned(dashboard.Filters(partnership=alliance.partnership)) == [7]
    assert planned(dashboard.Filters(site=alliance.yokohama)) == [1]
    assert planned(dashboard.Filters(start=D(2026, 1, 1))) == [1]


def test_who_is_on_exchange_today_is_read_from_the_summary_where_it_answers(alliance):
    exchange(alliance, person=alliance.agc_person, dates=VARIED[1])  # began 2025-11-30, not back yet
    ExchangeDay.objects.filter(day=D(2025, 11, 30)).update(began=3)  # a summary that says otherwise

    def on_exchange(filters: dashboard.Filters, day: datetime.date) -> int:
        board = panels.Board(filters, day, user=None)
        return panels.Exchanges().get_context(board)["on_exchange_total"]

    # In the month it began, from its day; in later months, from its month.
    assert on_exchange(dashboard.Filters(), D(2025, 11, 30)) == 3
    assert on_exchange(dashboard.Filters(partnership=alliance.partnership), D(2025, 11, 30)) == 3
    assert on_exchange(dashboard.Filters(), D(2026, 1, 1)) == 1
    assert on_exchange(dashboard.Filters(site=alliance.yokohama), D(2025, 11, 30)) == 1
    assert on_exchange(dashboard.Filters(end=D(2026, 1, 1)), D(2025, 11, 30)) == 1


def test_rebuild_exchange_summary_checks_the_summary_and_rewrites_it(alliance, varied, capsys):
    ExchangeMonth.objects.filter(month=D(2026, 3, 1)).update(starting=0)
    ExchangeMonth.objects.filter(month=D(2025, 6, 1)).delete()
    with pytest.raises(CommandError, match="months or days of the exchange summary disagree"):
        call_command("rebuild_exchange_summary", "--check")
    call_command("rebuild_exchange_summary")
    call_command("rebuild_exchange_summary", "--check")
    assert "agrees with the exchanges" in capsys.readouterr().out
    assert_summary_is_the_records(alliance.partnership)


@postgresql_only
def test_one_exchange_moved_twice_at_once_leaves_only_its_last_months(committed_db, alliance):
    moved = exchange(alliance, dates=VARIED[0])

    def move(start: datetime.date, end: datetime.date):
        def write() -> None:
            row = Exchange.objects.get(pk=moved.pk)  # as this writer read it, before the other committed
            row.planned_start, row.planned_end = start, end
            row._change_reason = "Rescheduled"
            exchange_save(exchange=row)

        return write

    failures = at_once(move(D(2026, 7, 6), D(2026, 8, 28)), move(D(2026, 10, 5), D(2026, 12, 18)))
    assert failures == []
    assert Exchange.objects.get(pk=moved.pk).planned_start == D(2026, 10, 5)
    assert_summary_is_the_records(alliance.partnership)


@postgresql_only
def test_two_exchanges_in_a_new_month_at_once_are_both_counted(committed_db, alliance):
    dates = ("planned", D(2027, 5, 10), D(2027, 6, 30), None, None)
    people = [person(alliance), person(alliance)]
    failures = at_once(
        lambda: exchange(alliance, person=people[0], dates=dates),
        lambda: exchange(alliance, person=people[1], dates=dates),
    )
    assert not [f for f in failures if not isinstance(f, IntegrityError)], failures
    assert failures == []
    assert ExchangeMonth.objects.get(month=D(2027, 5, 1)).exchanges == 2
    assert_summary_is_the_records(alliance.partnership)
