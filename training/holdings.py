"""Each person's held qualifications, kept as a summary so the dashboard counts what expires soon without reading the
records of the weeks it spans.

``status.py`` holds the rule; this module reads it forward in time, per person and requirement. On the day it is
computed, the record that decides the pair (``deciding_records``) is valid or not; until some write changes the
inputs, its validity changes only on known days: its expiry, and the days versions of its requirement take effect.
So one row per pair says it all: when the deciding record was completed and expires, and the first day it is no
longer valid. What the row cannot know answers for it only until then (``answers_until``): a record of the pair dated
after the computation (bulk-loaded, or completed "today" in a time zone ahead of the site's), or a version that takes
effect out of order and would make the record valid again.

Every write the summary depends on rewrites it in the writer's transaction: a training record saved or deleted (its
person's rows, and the person it belonged to before), a QA signature on a record, records or signatures written in
bulk (their people's rows), a requirement or a version saved, written in bulk or deleted (the rows of that
requirement). A bulk write that may move records between people or versions between requirements rewrites every
row. ``rebuild_holdings`` rewrites it whole, and after ``migrate`` an empty summary is filled. The count reads it only
where every row answers for the day (``expiring`` in ``readiness.py``); anywhere else it reads the records.
``tests/training/test_holdings.py`` holds the summary's figures to the records' after writes of every kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import ExpressionWrapper, Q

from partners.models import Person
from signatures.models import Signature
from training.clearance import summary_day
from training.models import Holding, Requirement, RequirementVersion, TrainingRecord, add_months
from training.status import counts_towards_qualification

BATCH = 5_000  # people per computation in a rebuild


def _versions(requirement_ids) -> dict[int, list[tuple[datetime.date, int]]]:
    """Requirement id → its versions as (effective from, number), in the order they take effect."""
    versions: dict[int, list[tuple[datetime.date, int]]] = {}
    rows = RequirementVersion.objects.filter(requirement_id__in=requirement_ids).order_by("effective_from")
    for requirement_id, effective, number in rows.values_list("requirement_id", "effective_from", "version"):
        versions.setdefault(requirement_id, []).append((effective, number))
    return versions


def _in_effect(versions: list[tuple[datetime.date, int]], day: datetime.date) -> int | None:
    """The number of the version in effect on ``day``: the latest to take effect by then (as ``versions_in_effect``)."""
    number = None
    for effective, candidate in versions:
        if effective > day:
            break
        number = candidate
    return number


def compute(scope: Q, day: datetime.date) -> list[Holding]:
    """The rows of every (person, requirement) pair with a record in ``scope`` as of ``day`` (a filter on records
    that selects whole pairs: by person or by requirement). Two queries."""
    rows = (
        TrainingRecord.objects.filter(scope)
        .annotate(counts=ExpressionWrapper(counts_towards_qualification(), output_field=models.BooleanField()))
        .order_by("person_id", "requirement_id", "completed_on", "version__version", "pk")
        .values_list(
            "person_id", "requirement_id", "completed_on", "version__version", "result", "counts",
            "requirement__validity_months",
        )
    )  # fmt: skip
    pairs: dict[tuple[int, int], list] = {}
    for person_id, requirement_id, completed_on, number, result, counts, months in rows.iterator(chunk_size=5000):
        # [deciding (completed on, version, validity) | None, first completion after the day | None]
        pair = pairs.setdefault((person_id, requirement_id), [None, None])
        if completed_on > day:
            if pair[1] is None:
                pair[1] = completed_on  # rows come in completion order: the first is the earliest
        elif result == TrainingRecord.Result.PASSED and counts:
            pair[0] = (completed_on, number, months)  # later rows win, as deciding_records
    versions = _versions({requirement_id for _person_id, requirement_id in pairs})
    return [
        _row(person_id, requirement_id, deciding, later, versions.get(requirement_id, []), day)
        for (person_id, requirement_id), (deciding, later) in pairs.items()
    ]


def _row(person_id, requirement_id, deciding, later, versions, day: datetime.date) -> Holding:
    row = Holding(person_id=person_id, requirement_id=requirement_id, computed_on=day, answers_until=later)
    if deciding is None:
        row.valid_until = day  # nothing valid, and nothing known that would make it so
        return row
    completed_on, trained, months = deciding
    expires_on = add_months(completed_on, months) if months else None

    def valid(on: datetime.date) -> bool:
        current = _in_effect(versions, on)
        return (expires_on is None or on < expires_on) and (current is None or current <= trained)

    # Validity changes only where the expiry falls or a version takes effect: the days it turns, in order.
    turns, state = [], valid(day)
    for on in sorted({effective for effective, _number in versions if effective > day} | {expires_on} - {None}):
        if on > day and valid(on) != state:
            turns.append(on)
            state = not state
    row.completed_on, row.expires_on = completed_on, expires_on
    if valid(day):
        row.valid_until = turns[0] if turns else None
        back = turns[1] if len(turns) > 1 else None  # valid again: only a version out of order does that
    else:
        row.valid_until, back = day, turns[0] if turns else None
    if back is not None:
        row.answers_until = min(back, later) if later else back
    return row


def _remove(rows) -> None:
    """Delete summary rows in one statement: they are derived, so no signal, history or cascade is owed."""
    rows._raw_delete(rows.db)


@transaction.atomic
def refresh(*, people: Iterable[int | None] = (), requirements: Iterable[int | None] = ()) -> None:
    """Rewrite the rows of these people and of these requirements.

    The people whose rows are rewritten are locked first, in order, as ``clearance.refresh`` locks them: two writes
    about one person's records then rewrite their rows one after the other, each reading what the other committed.
    """
    people = sorted({pk for pk in people if pk is not None})
    requirements = sorted({pk for pk in requirements if pk is not None})
    if not people and not requirements:
        return
    holders = TrainingRecord.objects.filter(requirement_id__in=requirements).values("person_id")
    locked = Person.objects.select_for_update().filter(Q(pk__in=people) | Q(pk__in=holders)).order_by("pk")
    list(locked.values_list("pk", flat=True))
    scope = Q(person_id__in=people) | Q(requirement_id__in=requirements)
    _remove(Holding.objects.filter(scope))
    Holding.objects.bulk_create(compute(scope, summary_day()), batch_size=1000)


@transaction.atomic
def rebuild() -> int:
    """Rewrite every row, in batches of people; returns how many. Every person's row is locked first, as refresh()
    locks some."""
    day = summary_day()
    list(Person.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    _remove(Holding.objects.all())
    written = 0
    for batch in _batches():
        written += len(Holding.objects.bulk_create(compute(Q(person_id__in=batch), day), batch_size=1000))
    return written


def _batches():
    people = TrainingRecord.objects.order_by("person_id").values_list("person_id", flat=True).distinct()
    last = 0
    while batch := list(people.filter(person_id__gt=last)[:BATCH]):
        yield batch
        last = batch[-1]


def fill_if_empty(**_kwargs) -> None:
    """post_migrate: the summary is built the first time there are records and no rows (a new installation of it,
    or a database restored without it), so that the count never reads a summary that holds only some people."""
    if Holding._meta.db_table not in connection.introspection.table_names():
        return
    if not Holding.objects.exists() and TrainingRecord.objects.exists():
        rebuild()


def counted(rows, day: datetime.date) -> int | None:
    """How many of these summary ``rows`` there are, or None where some row does not answer for ``day``: one
    computed after it, one that stops answering by it, or none at all where there are records. One query, read
    from the indexes."""
    quote = connection.ops.quote_name
    holding, record = quote(Holding._meta.db_table), quote(TrainingRecord._meta.db_table)
    selected, params = rows.order_by().values("pk").query.sql_with_params()
    sql = (
        f"SELECT (SELECT COUNT(*) FROM ({selected}) rows_counted),"  # noqa: S608 (table names and compiled SQL)
        f" EXISTS (SELECT 1 FROM {holding} WHERE computed_on > %s OR answers_until <= %s)"
        f" OR (NOT EXISTS (SELECT 1 FROM {holding}) AND EXISTS (SELECT 1 FROM {record}))"
    )
    value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, value, value])
        total, stale = cursor.fetchone()
    return None if stale else total


def _reading(row: Holding, day: datetime.date) -> tuple:
    """What a row says from ``day`` on: valid or not, and then since when, until when and when it expires; and
    until when it answers."""
    answers_until = row.answers_until if row.answers_until is None or row.answers_until > day else day
    if row.valid_until is None or row.valid_until > day:
        return True, row.completed_on, row.expires_on, row.valid_until, answers_until
    return False, answers_until


def disagreeing(day: datetime.date | None = None) -> list[tuple[int, int]]:
    """The (person, requirement) pairs whose row, read for ``day`` (today by default) and every day after, says
    otherwise than their records do, or that have a row and no record, or a record and no row: the check
    ``rebuild_holdings --check`` runs."""
    day = day or summary_day()
    stored = {(row.person_id, row.requirement_id): row for row in Holding.objects.all()}
    wrong = []
    for batch in _batches():
        for fresh in compute(Q(person_id__in=batch), day):
            key = (fresh.person_id, fresh.requirement_id)
            row = stored.pop(key, None)
            if row is None or row.computed_on > day or _reading(row, day) != _reading(fresh, day):
                wrong.append(key)
    return sorted(wrong + list(stored))


# Before a record or a version is saved, ``clearance.remember`` notes whose or which requirement's it was.
def saved(sender, instance, **_kwargs) -> None:
    """post_save: a record, a signature or a rule the summary depends on."""
    was = getattr(instance, "_clearance_was", None)
    if sender is TrainingRecord:
        refresh(people=[instance.person_id, was])
    elif sender is Signature:
        if instance.content_type_id == ContentType.objects.get_for_model(TrainingRecord).pk:
            refresh(people=TrainingRecord.objects.filter(pk=instance.object_id).values_list("person_id", flat=True))
    elif sender is Requirement:
        refresh(requirements=[instance.pk])  # its validity, or its need for QA approval
    elif sender is RequirementVersion:
        refresh(requirements=[instance.requirement_id, was])


def deleted(sender, instance, **_kwargs) -> None:
    """post_delete: a record's person loses it; a version removed changes what supersedes its requirement's records."""
    if sender is TrainingRecord:
        refresh(people=[instance.person_id])
    elif sender is RequirementVersion:
        refresh(requirements=[instance.requirement_id])


def bulk_written(sender, objs=None, fields=None, **_kwargs) -> None:
    """An audited bulk write (imports, seeding) of a model the summary depends on."""
    objs = list(objs or [])
    # Fields as named or by their column's attribute name ("person_id"), as bulk_update_with_history accepts both.
    names = {sender._meta.get_field(name).name for name in fields or []}
    if sender is TrainingRecord and not names & {"person", "requirement"}:
        refresh(people=[record.person_id for record in objs])
    elif sender is Signature:
        kind = ContentType.objects.get_for_model(TrainingRecord).pk
        signed = [signature.object_id for signature in objs if signature.content_type_id == kind]
        refresh(people=TrainingRecord.objects.filter(pk__in=signed).values_list("person_id", flat=True))
    elif sender is Requirement:
        refresh(requirements=[requirement.pk for requirement in objs])
    elif sender is RequirementVersion and "requirement" not in names:
        refresh(requirements=[version.requirement_id for version in objs])
    elif sender in (TrainingRecord, RequirementVersion):
        rebuild()  # records or versions may have moved, and where they came from is no longer known
