"""The milestone figures the dashboard counts (red/amber/green, the years, the slips, how many there are), counted by
the database over every filtered milestone by the model's own rules written in SQL (``MilestoneQuerySet.rated``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F

from milestones.dashboard import Filters
from milestones.models import Milestone
from milestones.rag import Rag
from partners.fiscal import Basis


@dataclass
class YearSummary:
    label: str
    total: int = 0
    done: int = 0
    open: int = 0
    off_baseline: int = 0


@dataclass(frozen=True)
class Tally:
    """How many of the filtered milestones share a year (of the chosen basis), a status, a rating and whether they
    are off baseline: what the headline, the years and the slips count."""

    year: int
    status: str
    rag: str | None
    off_baseline: bool
    count: int


def tallies(filters: Filters, today: datetime.date) -> list[Tally]:
    """The filtered milestones counted by the database, rated by ``MilestoneQuerySet.rated`` (the model's own rules
    in SQL): one grouped query, a few dozen rows whatever the number of milestones."""
    rows = (
        Milestone.objects.filtered(**filters.scope())
        .rated(today)
        .values("status", "rag", "off_baseline", year=filters.basis.year_expression(F("expected")))
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [Tally(**row) for row in rows]


def rag_counts(tallies: list[Tally]) -> dict[str, int]:
    counts = dict.fromkeys((rag.value for rag in Rag), 0)
    for tally in tallies:
        if tally.rag is not None:
            counts[tally.rag] += tally.count
    return counts


def off_baseline_total(tallies: list[Tally]) -> int:
    return sum(tally.count for tally in tallies if tally.off_baseline)


def milestones_total(tallies: list[Tally]) -> int:
    return sum(tally.count for tally in tallies)


def by_year(tallies: list[Tally], basis: Basis) -> list[YearSummary]:
    """Milestones per calendar or fiscal year of their expected date, earliest year first (the cancelled left out)."""
    years: dict[int, YearSummary] = {}
    for tally in tallies:
        if tally.status == Milestone.Status.CANCELLED:
            continue
        summary = years.setdefault(tally.year, YearSummary(basis.year_label(tally.year)))
        summary.total += tally.count
        summary.done += tally.count if tally.status == Milestone.Status.DONE else 0
        summary.open += tally.count if tally.status in Milestone.Status.open_statuses() else 0
        summary.off_baseline += tally.count if tally.off_baseline else 0
    return [years[year] for year in sorted(years)]
