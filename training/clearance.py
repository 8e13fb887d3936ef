"""Each person's clearance, kept as a summary so the dashboard counts cleared people without reading a record.

``status.py`` holds the rule; this module only reads it forward in time. On the day it is computed, a person is
cleared when ``matrix`` finds every requirement of every curriculum that applies to them current or expiring. Until
some write changes the inputs, that can only end, never begin: a valid qualification ends at its expiry or when a
newer version of its requirement takes effect, and nothing turns an expired or superseded one valid again but a new
record. So one row per person says it all: cleared or not, and the first day no longer cleared. A record dated after
the computation (bulk-loaded, or completed "today" in a time zone ahead of the reader's) would decide from its own
date: the row answers only until then (``answers_until``).

Every write the summary depends on rewrites it in the writer's transaction: a training record saved or deleted
(its person's row, and the person it belonged to before), a QA signature on a record, a person saved (function, site,
active), records or people written in bulk (imports, seeding: their people's rows), a requirement or a version saved
(the people whose curricula ask for it). A write that changes what everyone needs (a curriculum saved or deleted or
its requirements changed, a requirement or a version deleted, a bulk write that moves records between people or writes
rules) drops every row in its transaction and rebuilds them once after it commits (``everyone_changed``).
``rebuild_clearances`` rewrites it whole. The count reads it only where every person it counts has a row that answers
for the day (``qualified`` in ``readiness.py``); anywhere else it reads the records.
``tests/training/test_clearance.py`` holds the summary's counts to the records' after writes of every kind.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from partners.models import Person
from signatures.models import Signature
from training.models import Clearance, Curriculum, Requirement, RequirementVersion, TrainingRecord
from training.status import matrix

BATCH = 10_000  # people per computation: the larger, the fewer queries (one per site and function)


def answers_on(day: datetime.date) -> Q:
    """SQL, on a Person: their summary row answers for ``day``."""
    return Q(clearance__computed_on__lte=day) & (
        Q(clearance__answers_until__isnull=True) | Q(clearance__answers_until__gt=day)
    )


def cleared_on(day: datetime.date) -> Q:
    """SQL, on a Person: their summary row says they are cleared on ``day`` (where it answers for it)."""
    return Q(clearance__cleared=True) & (Q(clearance__cleared_until__isnull=True) | Q(clearance__cleared_until__gt=day))


def compute(people: Iterable[Person], day: datetime.date) -> list[Clearance]:
    """The summary rows of ``people`` as of ``day``: a fixed number of queries, plus one per site and function
    that some curriculum covers among them."""
    people = list(people)
    curricula = list(Curriculum.objects.prefetch_related("requirements"))
    newer: dict[int, list[tuple[int, datetime.date]]] = defaultdict(list)
    for requirement_id, number, effective in RequirementVersion.objects.values_list(
        "requirement_id", "version", "effective_from"
    ):
        newer[requirement_id].append((number, effective))
    later = dict(
        TrainingRecord.objects.filter(person__in=[p.pk for p in people], completed_on__gt=day)
        .values("person_id")
        .annotate(first=Min("completed_on"))
        .values_list("person_id", "first")
    )
    # People of one function at one site need the same requirements: read their cells together.
    groups: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        groups[(person.function, person.home_site_id)].append(person)
    rows = []
    for (function, site_id), members in groups.items():
        needed = {
            r.pk: r
            for c in curricula
            if c.function == function and c.site_id in (None, site_id)
            for r in c.requirements.all()
        }
        grid = matrix([p.pk for p in members], needed.values(), day) if needed else {}
        for person in members:
            cleared = bool(needed) and all(grid[(person.pk, r)].status.valid for r in needed)
            ends = []
            if cleared:
                for requirement_id in needed:
                    held = grid[(person.pk, requirement_id)]
                    if held.expires_on is not None:
                        ends.append(held.expires_on)
                    # Valid today, so every newer version takes effect later: the first of them supersedes it.
                    ends += [effective for number, effective in newer[requirement_id] if number > held.trained_version]
            rows.append(
                Clearance(
                    person=person,
                    computed_on=day,
                    cleared=cleared,
                    cleared_until=min(ends, default=None),
                    answers_until=later.get(person.pk),
                )
            )
    return rows


def _remove(rows) -> None:
    """Delete summary rows in one statement: they are derived, so no signal, history or cascade is owed."""
    rows._raw_delete(rows.db)


def summary_day() -> datetime.date:
    """The day rows are computed for: the site's own (settings.TIME_ZONE), whoever writes. In the writer's zone, a
    record dated today in Tokyo would read as later than a European evening's "today", and the row would stop
    answering from then on."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


@transaction.atomic
def refresh(person_ids: Iterable[int]) -> None:
    """Rewrite the rows of these people.

    Their rows in the people table are locked first, in order, for the rest of the writer's transaction: two writes
    about one person (a QA approval of their record, an edit of their function) then rewrite the row one after the
    other, each reading what the other committed, instead of the later one putting back what it read before the
    earlier one committed (or both inserting the row).
    """
    ids = sorted({pk for pk in person_ids if pk is not None})
    day = summary_day()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        # Locked in order, and read once locked: a row that waited is read as the other write committed it.
        people = Person.objects.select_for_update().filter(pk__in=batch).order_by("pk")
        rows = compute(people.only("pk", "function", "home_site_id"), day)
        _remove(Clearance.objects.filter(person_id__in=batch))
        Clearance.objects.bulk_create(rows)


@transaction.atomic
def rebuild() -> int:
    """Rewrite every row, in batches of people; returns how many. Every person's row is locked first, as refresh()
    locks some."""
    day = summary_day()
    list(Person.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    _remove(Clearance.objects.all())
    people = Person.objects.order_by("pk").only("pk", "function", "home_site_id")
    written, last = 0, 0
    while batch := list(people.filter(pk__gt=last)[:BATCH]):
        Clearance.objects.bulk_create(compute(batch, day))
        written, last = written + len(batch), batch[-1].pk
    return written


def disagreeing(day: datetime.date | None = None) -> list[int]:
    """The people whose row, read for ``day`` (today by default) and every day after, says otherwise than their
    records do: the check ``rebuild_clearances --check`` runs. A row that does not answer for the day (the count
    then reads the records) disagrees only by being missing."""
    day = day or summary_day()
    stored = {row.person_id: row for row in Clearance.objects.all()}
    wrong = []
    people = Person.objects.order_by("pk").only("pk", "function", "home_site_id")
    last = 0
    while batch := list(people.filter(pk__gt=last)[:BATCH]):
        for fresh in compute(batch, day):
            row = stored.get(fresh.person_id)
            if row is None or (row.computed_on <= day and _reading(row, day) != _reading(fresh, day)):
                wrong.append(fresh.person_id)
        last = batch[-1].pk
    return wrong


def _reading(row: Clearance, day: datetime.date) -> tuple:
    """What a row says from ``day`` on: cleared or not, until when, and until when it answers."""
    answers = row.answers_until if row.answers_until is None or row.answers_until > day else day
    if row.cleared and (row.cleared_until is None or row.cleared_until > day):
        return True, row.cleared_until, answers
    return False, None, answers


def needing(requirement_ids: Iterable[int]) -> list[int]:
    """The people a curriculum asking for one of these requirements applies to (their function, at their site or at
    every site)."""
    applies = Q(pk__in=[])
    curricula = Curriculum.objects.filter(requirements__in=[pk for pk in requirement_ids if pk is not None])
    for function, site_id in curricula.values_list("function", "site_id").distinct():
        applies |= Q(function=function) if site_id is None else Q(function=function, home_site_id=site_id)
    return list(Person.objects.filter(applies).values_list("pk", flat=True))


def lock_people_of(sender, instance, **_kwargs) -> None:
    """pre_save of a requirement or a version: lock, in one ordered statement, everyone its save will rewrite in
    either summary, those a curriculum asks it of (here) and those holding it (``holdings.refresh``).

    Taking the two sets one after the other, two such saves at once could each hold a person the other then waits
    for, and the database would end one of them. In autocommit each summary's rewrite is a transaction of its own,
    and there is nothing to hold.
    """
    if not transaction.get_connection().in_atomic_block:
        return
    requirements = {instance.pk if sender is Requirement else instance.requirement_id}
    if sender is RequirementVersion and instance.pk is not None:
        requirements |= set(RequirementVersion.objects.filter(pk=instance.pk).values_list("requirement_id", flat=True))
    requirements.discard(None)
    if not requirements:
        return
    holders = TrainingRecord.objects.filter(requirement_id__in=requirements).values("person_id")
    locked = Person.objects.select_for_update().filter(Q(pk__in=needing(requirements)) | Q(pk__in=holders))
    list(locked.order_by("pk").values_list("pk", flat=True))


# Writes that change everyone's row: what curricula ask for (and a requirement or version removed).
EVERYONE = (Requirement, RequirementVersion, Curriculum, Curriculum.requirements.through)
# Before a record or a version is saved: whose or which requirement's it was, so that row is rewritten if it moves.
PREVIOUS = {TrainingRecord: "person_id", RequirementVersion: "requirement_id"}


def everyone_changed() -> None:
    """A write that changes what everyone needs: every row is dropped in the writer's transaction (the count reads the
    records until they are back), and rebuilt once after it commits, however many such writes it held (a curriculum
    saved with its requirements is three: the save, the requirements removed, then added)."""
    _remove(Clearance.objects.all())
    # Django keeps the transaction's callbacks until it commits, and forgets them if it rolls back.
    if not any(callback is _rebuild_after_commit for _sids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_rebuild_after_commit, robust=True)


def _rebuild_after_commit() -> None:
    rebuild()


def remember(sender, instance, **_kwargs) -> None:
    """pre_save of a training record or a version: what it belonged to before."""
    if instance.pk is not None:
        field = PREVIOUS[sender]
        instance._clearance_was = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def saved(sender, instance, **_kwargs) -> None:
    """post_save: a record, person, signature or rule the summary depends on."""
    was = getattr(instance, "_clearance_was", None)
    if sender is TrainingRecord:
        refresh([instance.person_id, was])
    elif sender is Person:
        refresh([instance.pk])
    elif sender is Signature:
        if instance.content_type_id == ContentType.objects.get_for_model(TrainingRecord).pk:
            refresh(TrainingRecord.objects.filter(pk=instance.object_id).values_list("person_id", flat=True))
    elif sender is Requirement:
        refresh(needing([instance.pk]))  # its validity or its need for QA approval
    elif sender is RequirementVersion:
        refresh(needing([instance.requirement_id, was]))
    elif sender in EVERYONE:
        everyone_changed()


def deleted(sender, instance, **_kwargs) -> None:
    """post_delete: a record's person loses it; a deleted person's row went with them (cascade)."""
    if sender is TrainingRecord:
        refresh([instance.person_id])
    elif sender in EVERYONE:
        everyone_changed()


def requirements_changed(sender, action: str, **_kwargs) -> None:
    """m2m_changed of a curriculum's requirements, once the change is made."""
    if sender is Curriculum.requirements.through and action.startswith("post_"):
        everyone_changed()


def bulk_written(sender, objs=None, fields=None, **_kwargs) -> None:
    """An audited bulk write (imports, seeding) of a model the summary depends on: the rows' people, or everyone
    where the write may have moved records between people or changed what everyone needs."""
    # Fields as named or by their column's attribute name ("person_id"), as bulk_update_with_history accepts both.
    moved = (
        sender is TrainingRecord
        and fields is not None
        and any(TrainingRecord._meta.get_field(name).name == "person" for name in fields)
    )
    if sender is TrainingRecord and objs is not None and not moved:
        refresh(record.person_id for record in objs)
    elif sender is Person and objs is not None:
        refresh(person.pk for person in objs)
    elif sender in (TrainingRecord, Person, Signature, *EVERYONE):
        everyone_changed()
