"""The dashboard's training figures, counted in SQL, against a straightforward reading of every cell's status.

The data mixes what decides an audit finding: expiry on the day itself, months without the completion's day, a newer
version taking effect, a later record on an older version, a failed retraining, QA approval given or not, people
inactive or without a home site, a curriculum at one site beside one for every site.
"""

from __future__ import annotations

import datetime
from collections import Counter

from partners.models import Person
from training import readiness
from training.models import Curriculum, TrainingRecord, add_months
from training.status import expiring_window, matrix, valid_records

D = datetime.date


def edge_days() -> list[datetime.date]:
    """Each record's expiry, the day before it, and the warning window's edges; each version's first day."""
    days = {D(2026, 11, 25)}
    window = datetime.timedelta(days=expiring_window())
    for completed, months in TrainingRecord.objects.values_list("completed_on", "requirement__validity_months"):
        if months:
            expires = add_months(completed, months)
            days |= {
                expires,
                expires - datetime.timedelta(1),
                expires - window,
                expires - window - datetime.timedelta(1),
            }
    days |= {D(2026, 3, 1), D(2026, 2, 28)}
    return sorted(days)


def straightforward(day: datetime.date) -> tuple[Counter, Counter]:
    """People cleared per (site, function), from every cell's status, person by person."""
    curricula = list(Curriculum.objects.prefetch_related("requirements"))
    people = Person.objects.filter(active=True, home_site__isnull=False, function__in={c.function for c in curricula})
    requirements = {r for c in curricula for r in c.requirements.all()}
    grid = matrix([p.pk for p in people], requirements, day)
    cleared, totals = Counter(), Counter()
    for p in people:
        totals[(p.home_site_id, p.function)] += 1
        needed = {
            r.pk
            for c in curricula
            if c.function == p.function and c.site_id in (None, p.home_site_id)
            for r in c.requirements.all()
        }
        if needed and all(grid[(p.pk, r)].status.valid for r in needed):
            cleared[(p.home_site_id, p.function)] += 1
    return cleared, totals


def test_people_cleared_per_site_and_function_match_the_status_of_every_cell(board):
    days = edge_days()
    assert len(days) > 20
    seen = set()
    for day in days:
        counted = readiness.qualified(day)
        cleared, totals = straightforward(day)
        assert (+counted.cleared, counted.totals) == (+cleared, totals), day
        seen.add(sum(cleared.values()))
    assert len(seen) >= 3  # the days chosen move the figures


def test_valid_records_are_the_cells_whose_status_is_valid(board):
    people = list(Person.objects.values_list("pk", flat=True))
    from training.models import Requirement

    requirements = list(Requirement.objects.all())
    for day in edge_days():
        grid = matrix(people, requirements, day)
        expected = {key for key, q in grid.items() if q.status.valid}
        assert set(valid_records(day).values_list("person_id", "requirement_id")) == expected, day


def test_what_expires_soon_matches_the_status_of_every_cell(board):
    from training.models import Requirement

    people = list(Person.objects.values_list("pk", flat=True))
    requirements = list(Requirement.objects.all())
    names = dict(Person.objects.values_list("pk", "name"))
    codes = {r.pk: r.code for r in requirements}
    for day in edge_days():
        grid = matrix(people, requirements, day)
        soon = sorted(
            ((q.expires_on, q.completed_on, names[p], codes[r]) for (p, r), q in grid.items() if q.status == "expiring")
        )
        shown, total = readiness.expiring(day, limit=3)
        assert total == len(soon), day
        assert [(e.expires_on, e.person.name, e.requirement.code) for e in shown] == [
            (expires, name, code) for expires, _done, name, code in soon[:3]
        ], day
