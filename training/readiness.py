"""Training figures for the dashboard: qualified people against what milestones need, and what expires soon."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, Sum

from partners.models import Function, Person, Site
from training import clearance, holdings
from training.models import ClearanceCount, Curriculum, Holding, Requirement
from training.status import earliest_valid_completion, expiring_window, valid_records

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


# Per site and function: active people whose function some curriculum covers, and how many of them hold a valid
# record for every requirement of every curriculum that applies to them (their function, their site or every site).
# ``valid`` is status.valid_records(), the one definition of a valid qualification, compiled by the ORM.
QUALIFIED_SQL = """
WITH valid AS ({valid}),
needed AS (
    SELECT DISTINCT p.id AS person_id, link.requirement_id
    FROM {person} p
    JOIN {curriculum} c ON c.function = p.function AND (c.site_id IS NULL OR c.site_id = p.home_site_id)
    JOIN {link} link ON link.curriculum_id = c.id
    WHERE p.active = %s AND p.home_site_id IS NOT NULL
),
gaps AS (
    SELECT needed.person_id, COUNT(*) AS requirements, COUNT(valid.person_id) AS held
    FROM needed
    LEFT JOIN valid ON valid.person_id = needed.person_id AND valid.requirement_id = needed.requirement_id
    GROUP BY needed.person_id
)
SELECT p.home_site_id, p.function, COUNT(*),
    SUM(CASE WHEN gaps.requirements = gaps.held THEN 1 ELSE 0 END)
FROM {person} p
LEFT JOIN gaps ON gaps.person_id = p.id
WHERE p.active = %s AND p.home_site_id IS NOT NULL AND p.function IN (SELECT function FROM {curriculum})
GROUP BY p.home_site_id, p.function
"""


def qualified(day: datetime.date) -> Qualified:
    """Who is cleared on ``day``, per site and function, for every curriculum that applies to them: one query on
    each person's clearance summary whatever the number of people, or where the summary does not answer for the day,
    one over the records themselves (and two for the curricula the panel lists)."""
    curricula = list(Curriculum.objects.prefetch_related("requirements"))
    return Qualified(*(summarised(day) or from_records(day)), curricula)


def counted_people():
    """The people the counts are of: active, with a home site, in a function some curriculum covers."""
    return Person.objects.filter(
        active=True, home_site__isnull=False, function__in=Curriculum.objects.values("function")
    )


def summarised(day: datetime.date) -> tuple[Counter, Counter] | None:
    """The counts from the clearance summary's sum (``training/clearance.py``), or None where some row does not answer
    for ``day``: one computed after it, one that stops answering by it, or none at all where people are counted. Two
    queries, on the count's rows and the summary's indexes, whatever the number of people."""
    if not clearance.answers_for(day, counted_people()):
        return None
    rows = (
        ClearanceCount.objects.filter(function__in=Curriculum.objects.values("function"))
        .values("site_id", "function")
        .annotate(total=Sum("people"), held=Sum("people", filter=Q(cleared_until__gt=day)))
        .order_by()
    )
    cleared, totals = Counter(), Counter()
    for row in rows:
        key = (row["site_id"], row["function"])
        totals[key], cleared[key] = row["total"], row["held"] or 0
    return cleared, totals


def from_records(day: datetime.date) -> tuple[Counter, Counter]:
    """The counts from the records: the definition the summary is held to."""
    valid_sql, valid_params = (
        valid_records(day).values("person_id", "requirement_id").order_by().query.sql_with_params()
    )
    sql = QUALIFIED_SQL.format(
        valid=valid_sql,
        person=connection.ops.quote_name(Person._meta.db_table),
        curriculum=connection.ops.quote_name(Curriculum._meta.db_table),
        link=connection.ops.quote_name(Curriculum.requirements.through._meta.db_table),
    )
    cleared, totals = Counter(), Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*valid_params, True, True])
        for site_id, function, people, held in cursor.fetchall():
            totals[(site_id, function)], cleared[(site_id, function)] = people, held or 0
    return cleared, totals


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
    """Qualifications valid on ``day`` that expire within the warning window, soonest first (then by completion date,
    person and code), and how many: from the summary of held qualifications where it answers for the day (one query
    for the count, one for the list when there is one), from the records anywhere else."""
    return expiring_summarised(day, limit) or expiring_from_records(day, limit)


def expiring_summarised(day: datetime.date, limit: int = EXPIRING_SHOWN) -> tuple[list[Expiry], int] | None:
    """What expires soon from the summary (``training/holdings.py``), or None where a row does not answer for ``day``.

    A row's expiry in the window and its validity past the day: a range of the expiry index, however many records
    there are."""
    horizon = day + datetime.timedelta(days=expiring_window())
    soon = Holding.objects.filter(expires_on__gt=day, expires_on__lte=horizon, valid_until__gt=day)
    total = holdings.counted(soon, day)
    if total is None:
        return None
    if not total:
        return [], 0
    shown = soon.select_related("person", "requirement").order_by(
        "expires_on", "completed_on", "person__name", "requirement__code", "pk"
    )[:limit]
    return [Expiry(row.person, row.requirement, row.expires_on) for row in shown], total


def expiring_from_records(day: datetime.date, limit: int = EXPIRING_SHOWN) -> tuple[list[Expiry], int]:
    """What expires soon from the records: the definition the summary is held to.

    Expiring: valid, with ``add_months(completed_on, months) <= day + window``, that is completed before the first
    completion still valid at the window's end. One query for the count and one per distinct validity in months.
    """
    horizon = day + datetime.timedelta(days=expiring_window())
    months = sorted(
        set(Requirement.objects.filter(validity_months__isnull=False).values_list("validity_months", flat=True))
    )
    if not months:
        return [], 0
    # Per validity, a range of completion dates: the database reads it from the completion-date index.
    due = Q()
    for m in months:
        due |= Q(
            requirement__validity_months=m,
            completed_on__gte=earliest_valid_completion(day, m),
            completed_on__lt=earliest_valid_completion(horizon, m),
        )
    soon = valid_records(day).filter(due)
    shown = []
    for m in months:
        first = soon.filter(requirement__validity_months=m).select_related("person", "requirement")
        shown += first.order_by("completed_on", "person__name", "requirement__code")[:limit]
    shown.sort(key=lambda r: (r.expires_on, r.completed_on, r.person.name, r.requirement.code))
    return [Expiry(r.person, r.requirement, r.expires_on) for r in shown[:limit]], soon.count()
