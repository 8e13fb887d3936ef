"""The dashboard counts milestones in the database and picks there the few it draws: every figure is the one the
model's own rules (``Milestone.rag``, ``slip_days``, ``expected_date``, ``dashboard.off_baseline``, the fiscal year's
``Basis.year_of``) give over every milestone."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import connection

from milestones import dashboard, figures
from milestones.models import Milestone
from milestones.rag import AMBER_SLIP_DAYS, DUE_SOON_DAYS, RED_SLIP_DAYS, Rag
from partners.fiscal import Basis
from tests.factories import MilestoneFactory

D = datetime.date
TODAY = D(2026, 11, 25)
# Every boundary of the rating: slips either side of amber and red, and ahead of baseline; due dates either side of
# today and of "due soon", and across the turn of a calendar and of a fiscal year (October to September).
SLIPS = [-45, -3, 0, AMBER_SLIP_DAYS - 1, AMBER_SLIP_DAYS, RED_SLIP_DAYS - 1, RED_SLIP_DAYS]
DUE = [-60, -1, 0, DUE_SOON_DAYS, DUE_SOON_DAYS + 1, 40, 320]
STATUSES = ["not_started", "in_progress", "done", "cancelled"]


@pytest.fixture
def every_kind(alliance) -> list[Milestone]:
    """One milestone per status, slip and due date, at two sites and partnership-wide, some marked for the countdown
    and some needing people."""
    made = []
    kinds = [(s, p, d) for s in STATUSES[:2] for p in SLIPS for d in DUE]  # every boundary, started or not
    kinds += [(s, p, d) for s in STATUSES[2:] for p in SLIPS[::3] for d in DUE[1::5]]  # done, cancelled: rated apart
    for n, (status, slip, due) in enumerate(kinds):
        expected = TODAY + datetime.timedelta(days=due)
        done = status == "done"
        made.append(
            MilestoneFactory(
                partnership=alliance.partnership,
                title=f"Kind {n:03d}",
                site=[alliance.yokohama, alliance.shinagawa, None][n % 3],
                baseline_date=expected - datetime.timedelta(days=slip),
                # A slip of nothing, half the time with no forecast at all.
                forecast_date=None if done or (slip == 0 and n % 2) else expected,
                actual_date=expected if done else None,
                status=status,
                countdown=n % 37 == 5,
                required_function="quality_control" if n % 29 == 3 and n % 3 != 2 else "",
                required_headcount=2 if n % 29 == 3 and n % 3 != 2 else None,
            )
        )
    return made


def in_list_order() -> list[Milestone]:
    return list(Milestone.objects.for_list().order_by(*dashboard.LIST_ORDER))


def test_the_database_rates_every_milestone_as_the_model_does(every_kind):
    rated = Milestone.objects.rated(TODAY).values_list("pk", "expected", "slip", "rag", "off_baseline")
    by_sql = {pk: (expected, slip, rag, off) for pk, expected, slip, rag, off in rated}
    by_model = {
        m.pk: (
            m.expected_date,
            m.slip_days,
            m.rag(TODAY).value if m.rag(TODAY) else None,
            dashboard.off_baseline(m),
        )
        for m in Milestone.objects.all()
    }
    assert by_sql == by_model
    # Every branch of the rule was taken: each rating, not rated, on and off baseline, behind and ahead.
    assert {rag for _e, _s, rag, _o in by_sql.values()} == {None, *Rag.values}
    assert Counter(rating for *_, rating, _o in by_model.values())[Rag.AMBER.value] > 1
    assert {off for *_, off in by_sql.values()} == {True, False}
    assert min(slip for _e, slip, _r, _o in by_sql.values()) < 0


@pytest.mark.parametrize("fiscal", [False, True])
def test_the_counted_figures_are_the_models_rules_over_every_milestone(every_kind, alliance, fiscal):
    basis = Basis(10, alliance.medinet) if fiscal else Basis()
    tallies = figures.tallies(dashboard.Filters(year_basis=basis), TODAY)
    milestones = Milestone.objects.all()
    ratings = Counter(m.rag(TODAY) for m in milestones)
    assert figures.rag_counts(tallies) == {rag.value: ratings[rag] for rag in Rag}
    assert figures.off_baseline_total(tallies) == sum(dashboard.off_baseline(m) for m in milestones)
    assert figures.milestones_total(tallies) == len(every_kind)
    years: dict[int, list[int]] = {}
    for m in milestones:
        if m.status != Milestone.Status.CANCELLED:
            counts = years.setdefault(basis.year_of(m.expected_date), [0, 0, 0, 0])
            flags = (True, m.status == Milestone.Status.DONE, m.is_open, dashboard.off_baseline(m))
            years[basis.year_of(m.expected_date)] = [n + flag for n, flag in zip(counts, flags, strict=True)]
    expected = [figures.YearSummary(basis.year_label(year), *years[year]) for year in sorted(years)]
    assert figures.by_year(tallies, basis) == expected
    assert len(expected) == (3 if fiscal else 2)  # 2026 and 2027; MEDINET's years to September 2026, 2027 and 2028


def test_the_filters_narrow_the_counts_as_they_narrow_the_list(every_kind, alliance):
    filters = dashboard.Filters(site=alliance.yokohama, start=D(2026, 11, 1), end=D(2026, 12, 31))
    counted = figures.milestones_total(figures.tallies(filters, TODAY))
    assert counted == Milestone.objects.filtered(**filters.scope()).count()
    assert 0 < counted < len(every_kind)


def test_the_milestones_drawn_are_those_the_rules_pick_from_every_milestone(every_kind, monkeypatch):
    monkeypatch.setattr(dashboard, "TIMELINE_ROWS", 20)
    monkeypatch.setattr(dashboard, "SLIPS_SHOWN", 7)
    drawn, everything = dashboard.drawn(dashboard.Filters(), TODAY), in_list_order()
    assert len(drawn) < len(everything) / 2  # only those a panel draws are read in full

    def pks(milestones):
        return [m.pk for m in milestones]

    assert pks(dashboard.nearest(drawn, TODAY)) == pks(dashboard.nearest(everything, TODAY))
    assert pks(dashboard.biggest_slips(drawn)) == pks(dashboard.biggest_slips(everything))
    assert dashboard.next_milestone(drawn).pk == dashboard.next_milestone(everything).pk
    ours, theirs = dashboard.countdown(drawn, TODAY), dashboard.countdown(everything, TODAY)
    assert (ours.milestone.pk, ours.days, ours.done) == (theirs.milestone.pk, theirs.days, theirs.done)
    needing = [m for m in everything if m.required_headcount and m.site_id]
    assert needing and pks(m for m in drawn if m.required_headcount and m.site_id) == pks(needing)


@pytest.mark.parametrize(("rows", "slips"), [(3, 2), (5, 4)])
def test_ties_are_broken_as_the_list_orders_them(alliance, monkeypatch, rows, slips):
    """Milestones as far from today, as far off baseline and due the same day: the database picks the same ones as
    the rules do over the whole list, where the list's order decides."""
    for n in range(12):
        MilestoneFactory(
            partnership=alliance.partnership,
            title=f"Tie {11 - n:02d}",
            site=[alliance.yokohama, None][n % 2],
            baseline_date=TODAY + datetime.timedelta(days=10 if n % 3 else -10),
            forecast_date=TODAY + datetime.timedelta(days=20 if n % 3 else 0),
            countdown=n in (4, 7),
        )
    # Next: due first, the title deciding between two due the same day, whatever the list's order.
    for title, baseline in [("Tie next B", -8), ("Tie next A", -3)]:
        MilestoneFactory(
            partnership=alliance.partnership,
            title=title,
            baseline_date=TODAY + datetime.timedelta(days=baseline),
            forecast_date=TODAY - datetime.timedelta(days=1),
        )
    monkeypatch.setattr(dashboard, "TIMELINE_ROWS", rows)
    monkeypatch.setattr(dashboard, "SLIPS_SHOWN", slips)
    drawn, everything = dashboard.drawn(dashboard.Filters(), TODAY), in_list_order()
    assert [m.pk for m in dashboard.nearest(drawn, TODAY)] == [m.pk for m in dashboard.nearest(everything, TODAY)]
    assert [m.pk for m in dashboard.biggest_slips(drawn)] == [m.pk for m in dashboard.biggest_slips(everything)]
    assert dashboard.next_milestone(drawn).pk == dashboard.next_milestone(everything).pk
    assert dashboard.next_milestone(drawn).title == "Tie next A"
    assert dashboard.countdown(drawn, TODAY).milestone.pk == dashboard.countdown(everything, TODAY).milestone.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite orders text by its bytes, as Python does")
def test_a_database_that_sorts_titles_as_a_language_does_still_picks_what_the_rules_pick(alliance, monkeypatch):
    """Titles in a language's collation sort "alpha" before "Beta"; the rules, in Python, after. Tied on the due date
    and on the slip, the database must still pick what the rules would pick from every milestone."""
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute('ALTER TABLE milestones_milestone ALTER COLUMN title TYPE varchar(200) COLLATE "en-x-icu"')
    for title in ("alpha", "Beta"):
        MilestoneFactory(
            partnership=alliance.partnership,
            title=title,
            baseline_date=TODAY - datetime.timedelta(days=20),
            forecast_date=TODAY + datetime.timedelta(days=5),
        )
    monkeypatch.setattr(dashboard, "TIMELINE_ROWS", 0)
    monkeypatch.setattr(dashboard, "SLIPS_SHOWN", 1)
    drawn, everything = dashboard.drawn(dashboard.Filters(), TODAY), in_list_order()
    assert [m.title for m in everything] == ["alpha", "Beta"]  # the collation holds
    assert dashboard.next_milestone(everything).title == "Beta"
    assert dashboard.next_milestone(drawn).title == "Beta"
    assert [m.title for m in dashboard.biggest_slips(drawn)] == ["Beta"]
