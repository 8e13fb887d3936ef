"""Training figures for the dashboard: qualified people against what milestones need, and what expires soon."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from partners.models import Function, Person
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


def needs(milestones, day: datetime.date) -> list[Need]:
    wanted = [m for m in milestones if m.required_headcount and m.site_id]
    if not wanted:
        return []
    curricula = list(Curriculum.objects.prefetch_related("requirements"))
    requirements = list({r.pk: r for c in curricula for r in c.requirements.all()}.values())
    person_rows = list(
        Person.objects.filter(
            active=True,
            home_site_id__in={m.site_id for m in wanted},
            function__in={m.required_function for m in wanted},
        ).values_list("pk", "home_site_id", "function")
    )
    grid = matrix([row[0] for row in person_rows], requirements, day)
    counts = cleared_people(person_rows, curricula, grid)
    labels = dict(Function.choices)
    return [
        Need(
            m,
            str(labels.get(m.required_function, m.required_function)),
            m.required_headcount,
            counts[(m.site_id, m.required_function)],
        )
        for m in wanted
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
