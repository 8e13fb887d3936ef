"""Training figures for the dashboard: qualified people against what milestones need, and what expires soon."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from partners.models import Function, Person, Site
from training.models import Curriculum, Requirement, TrainingRecord
from training.status import Status, matrix

EXPIRING_SHOWN = 25


@dataclass
class Need:
    milestone: object
    function: str
    needed: int
    qualified: int

    @property
    def short(self) -> int:
        return max(self.needed - self.qualified, 0)


@dataclass
class Expiry:
    person: Person
    requirement: Requirement
    expires_on: datetime.date


def cleared_people(person_rows, curricula, grid) -> Counter:
    """(site id, function) → how many people are cleared for every curriculum that applies to them."""
    counts: Counter = Counter()
    for pk, site_id, function in person_rows:
        applicable = [c for c in curricula if c.function == function and c.site_id in (None, site_id)]
        requirements = {r.pk for c in applicable for r in c.requirements.all()}
        if requirements and all(grid[(pk, r)].status.valid for r in requirements):
            counts[(site_id, function)] += 1
    return counts


@dataclass
class Headcount:
    site: Site
    function: str
    qualified: int
    people: int


@dataclass
class Qualified:
    cleared: Counter  # (site id, function) → people cleared for every curriculum that applies to them
    totals: Counter  # (site id, function) → active people
    curricula: list[Curriculum]


def qualified(day: datetime.date) -> Qualified:
    """Who is cleared, per site and function, for every pair a curriculum covers — a fixed number of queries."""
    curricula = list(Curriculum.objects.prefetch_related("requirements"))
    requirements = list({r.pk: r for c in curricula for r in c.requirements.all()}.values())
    person_rows = list(
        Person.objects.filter(
            active=True, function__in={c.function for c in curricula}, home_site__isnull=False
        ).values_list("pk", "home_site_id", "function")
    )
    grid = matrix([row[0] for row in person_rows], requirements, day)
    totals = Counter((site_id, function) for _pk, site_id, function in person_rows)
    return Qualified(cleared_people(person_rows, curricula, grid), totals, curricula)


def headcounts(q: Qualified) -> list[Headcount]:
    sites = Site.objects.in_bulk({site_id for site_id, _function in q.totals})
    labels = dict(Function.choices)
    rows = [
        Headcount(sites[site_id], str(labels.get(function, function)), q.cleared[(site_id, function)], total)
        for (site_id, function), total in q.totals.items()
        if any(c.function == function and c.site_id in (None, site_id) for c in q.curricula)
    ]
    return sorted(rows, key=lambda h: (str(h.site), h.function))


def needs(milestones, q: Qualified) -> list[Need]:
    """Each milestone that states a headcount, against the people cleared at its site in its function."""
    labels = dict(Function.choices)
    return [
        Need(
            m,
            str(labels.get(m.required_function, m.required_function)),
            m.required_headcount,
            q.cleared[(m.site_id, m.required_function)],
        )
        for m in milestones
        if m.required_headcount and m.site_id
    ]


def expiring(day: datetime.date, limit: int = EXPIRING_SHOWN) -> tuple[list[Expiry], int]:
    """Qualifications valid today that expire within the warning window, soonest first."""
    requirements = list(Requirement.objects.filter(validity_months__isnull=False))
    if not requirements:
        return [], 0
    person_ids = list(
        TrainingRecord.objects.filter(requirement__in=requirements).values_list("person_id", flat=True).distinct()
    )
    grid = matrix(person_ids, requirements, day)
    soon = sorted(
        ((key, q) for key, q in grid.items() if q.status == Status.EXPIRING), key=lambda item: item[1].expires_on
    )
    shown = soon[:limit]
    people = Person.objects.in_bulk({pk for (pk, _r), _q in shown})
    by_id = {r.pk: r for r in requirements}
    return [Expiry(people[pk], by_id[r], q.expires_on) for (pk, r), q in shown], len(soon)
