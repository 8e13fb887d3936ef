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
rules) marks every row as answering for no day in its transaction and rebuilds them once after it commits
(``everyone_changed``). ``rebuild_clearances`` rewrites it whole.

The rows are added up as they are written (``ClearanceCount``): active people based at a site, per site, function and
the first day they are no longer cleared, so the dashboard's count reads a row per site, function and such day,
whatever the number of people. Each row keeps the site, function and active flag it was computed for, so rewriting it
takes it from the count it was in. The count reads the summary only where every row answers for the day (``qualified``
in ``readiness.py``): no row computed after it or answering only until it, and rows at all where people are counted;
anywhere else it reads the records.
``tests/training/test_clearance.py`` holds the summary's counts to the records' after writes of every kind.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from partners.models import Person
from signatures.models import Signature
from training.models import Clearance, ClearanceCount, Curriculum, Requirement, RequirementVersion, TrainingRecord
from training.status import matrix

BATCH = 10_000  # people per computation: the larger, the fewer queries (one per site and function)


def answers_for(day: datetime.date, counted) -> bool:
    """Whether the rows of the people counted (active, based at a site, in a function some curriculum covers: the
    ``counted`` queryset) answer for ``day``: none computed after it, none answering only until it (nor marked by
    ``everyone_changed``), and rows at all where someone is counted. One query, read from the indexes."""
    stale = Clearance.objects.filter(
        Q(computed_on__gt=day) | Q(answers_until__lte=day),
        active=True,
        site__isnull=False,
        function__in=Curriculum.objects.values("function"),  # as ``counted`` selects people: read the same rows
    )
    stale_sql, stale_params = stale.order_by().values("pk")[:1].query.sql_with_params()
    people_sql, people_params = counted.order_by().values("pk")[:1].query.sql_with_params()
    table = connection.ops.quote_name(Clearance._meta.db_table)
    sql = (
        f"SELECT EXISTS ({stale_sql})"  # noqa: S608 (compiled SQL and a table name)
        f" OR (NOT EXISTS (SELECT 1 FROM {table}) AND EXISTS ({people_sql}))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*stale_params, *people_params])
        (is_stale,) = cursor.fetchone()
    return not is_stale


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
                    site_id=person.home_site_id,
                    function=person.function,
                    active=person.active,
                )
            )
    return rows


# What compute() reads of a person.
PERSON_FIELDS = ("pk", "function", "home_site_id", "active")
COUNT_KEY = ("site_id", "function", "cleared_until")


def counted_as(row: Clearance) -> tuple | None:
    """Where a row is added up (``ClearanceCount``'s site, function and first day not cleared), or None for a person
    the dashboard never counts (not active, or based nowhere)."""
    if not row.active or row.site_id is None:
        return None
    until = (row.cleared_until or ClearanceCount.NO_END) if row.cleared else ClearanceCount.NOT_CLEARED
    return row.site_id, row.function, until


def tally(rows: Iterable[Clearance], sign: int = 1, into: Counter | None = None) -> Counter:
    into = Counter() if into is None else into
    for row in rows:
        if (key := counted_as(row)) is not None:
            into[key] += sign
    return into


def add_to_counts(changes: Counter) -> None:
    """Add these changes to the count, in one statement that creates the rows missing: two writers adding to one row
    each add their own (the database locks the row), whoever created it. Rows brought to zero go."""
    # In the order of their keys: the statement locks the rows as it meets them, and two writers meeting the same two
    # rows in opposite orders (one moving a person from a count to another, one moving someone back) would each
    # hold the row the other waits for.
    changes = {key: n for key, n in sorted(changes.items()) if n}
    if not changes:
        return
    quote = connection.ops.quote_name
    table = quote(ClearanceCount._meta.db_table)
    columns = ", ".join(quote(name) for name in (*COUNT_KEY, "people"))
    values = ", ".join(["(%s, %s, %s, %s)"] * len(changes))
    params = []
    for (site_id, function, until), n in changes.items():
        params += [site_id, function, connection.ops.adapt_datefield_value(until), n]
    conflict = ", ".join(quote(name) for name in COUNT_KEY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 (table and column names)
            f" ON CONFLICT ({conflict}) DO UPDATE SET people = {table}.people + EXCLUDED.people",
            params,
        )
    _remove(ClearanceCount.objects.filter(people=0))


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
        rows = compute(people.only(*PERSON_FIELDS), day)
        before = Clearance.objects.filter(person_id__in=batch)
        changes = tally(before.only("pk", "cleared", "cleared_until", "site_id", "function", "active"), -1)
        _remove(before)
        Clearance.objects.bulk_create(rows)
        add_to_counts(tally(rows, into=changes))


@transaction.atomic
def rebuild() -> int:
    """Rewrite every row, in batches of people; returns how many. Every person's row is locked first, as refresh()
    locks some."""
    day = summary_day()
    list(Person.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    _remove(Clearance.objects.all())
    _remove(ClearanceCount.objects.all())
    people = Person.objects.order_by("pk").only(*PERSON_FIELDS)
    written, last, counts = 0, 0, Counter()
    while batch := list(people.filter(pk__gt=last)[:BATCH]):
        rows = Clearance.objects.bulk_create(compute(batch, day))
        tally(rows, into=counts)
        written, last = written + len(batch), batch[-1].pk
    add_to_counts(counts)
    return written


def disagreeing(day: datetime.date | None = None) -> list:
    """The people whose row, read for ``day`` (today by default) and every day after, says otherwise than their
    records do, then the counts (site, function, first day not cleared) that are not the rows' sum: the check
    ``rebuild_clearances --check`` runs. A row that does not answer for the day (the count then reads the records)
    disagrees only by being missing."""
    day = day or summary_day()
    stored = {row.person_id: row for row in Clearance.objects.all()}
    wrong: list = []
    people = Person.objects.order_by("pk").only(*PERSON_FIELDS)
    last = 0
    while batch := list(people.filter(pk__gt=last)[:BATCH]):
        for fresh in compute(batch, day):
            row = stored.get(fresh.person_id)
            if row is None or (row.computed_on <= day and _reading(row, day) != _reading(fresh, day)):
                wrong.append(fresh.person_id)
        last = batch[-1].pk
    kept = {tuple(row[:3]): row[3] for row in ClearanceCount.objects.values_list(*COUNT_KEY, "people") if row[3]}
    summed = +tally(stored.values())
    return wrong + sorted(key for key in kept.keys() | summed.keys() if kept.get(key) != summed.get(key))


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
    """A write that changes what everyone needs: every row answers for no day from the writer's transaction on (the
    count reads the records until they are rewritten), and is rebuilt once after it commits, however many such writes
    it held (a curriculum saved with its requirements is three: the save, the requirements removed, then added). The
    rows stay, so the count stays their sum whichever rows a write rewrites meanwhile."""
    Clearance.objects.update(answers_until=F("computed_on"))
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
    """post_delete: a record's person loses it; a deleted person's row goes with them (cascade), and from the count."""
    if sender is TrainingRecord:
        refresh([instance.person_id])
    elif sender is Clearance:
        add_to_counts(tally([instance], -1))
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
