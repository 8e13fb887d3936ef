"""The audit trail as export rows: one row per changed field of every history row in range."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import registry
from audit.trail import EMPTY, Names, history_model, m2m_snapshots, named, walk
from exports.datasets import Column
from exports.filters import Filters

# The trail is read a batch of history rows at a time, in whole records, with their many-to-many snapshots and the
# names they read, so that memory holds one batch, never the table: with every record's name and every history row's
# snapshots held to the end, peak memory grew with the trail (105.6 MiB at 3,917,159 rows, docs/benchmarks.md). Each
# batch fetches its own names, one query per model it names, whatever the batches before it fetched.
BATCH = 1000

C = Column
COLUMNS = (
    C("when", _("When (UTC)"), None, "datetime"),
    C("who", _("Who"), None),
    C("record_type", _("Record type"), None, "code"),
    C("record_id", _("Record id"), None, "int"),
    C("record_label", _("Record"), None),
    C("action", _("Action"), None, "code"),
    C("field", _("Field"), None, "code"),
    C("old_value", _("Old value"), None),
    C("new_value", _("New value"), None),
    C("reason", _("Reason"), None),
    C("chain_hash", _("Chain hash"), None, "code"),
)


def change_window(filters: Filters) -> dict:
    where = {}
    if filters.start:
        where["history_date__gte"] = timezone.make_aware(datetime.datetime.combine(filters.start, datetime.time.min))
    if filters.end:
        where["history_date__lt"] = timezone.make_aware(
            datetime.datetime.combine(filters.end + datetime.timedelta(days=1), datetime.time.min)
        )
    return where


def record_models(filters: Filters) -> dict[str, type[models.Model]]:
    """The record types an export of the trail reads, in the order it reads them: the one asked for, or all."""
    record_types = registry.record_types()
    keys = [filters.record_type] if filters.record_type else list(record_types)
    return {key: record_types[key] for key in keys}


def history_querysets(filters: Filters):
    for record_type, model in record_models(filters).items():
        pk = model._meta.pk.attname
        # Whole records, so each change is diffed against the record's row before it even if that fell outside.
        in_range = model.history.filter(**change_window(filters)).values(pk) if change_window(filters) else None
        rows = model.history.all()
        if in_range is not None:
            rows = rows.filter(**{f"{pk}__in": in_range})
        yield record_type, model, rows.select_related("history_user").order_by(pk, "history_date", "chain_seq")


def count(filters: Filters) -> int:
    return sum(1 for _row in rows(filters))


def rows(filters: Filters) -> Iterator[tuple]:
    window = change_window(filters)
    start, end = window.get("history_date__gte"), window.get("history_date__lt")
    for record_type, model, history in history_querysets(filters):
        pk = model._meta.pk.attname
        has_m2m = bool(history_model(model)._history_m2m_fields)
        for batch in whole_records(history.iterator(chunk_size=BATCH), pk, BATCH):
            m2m = m2m_snapshots(model, batch) if has_m2m else {}
            wanted = named(model, batch, m2m)
            wanted[model].update(getattr(row, pk) for row in batch)
            names = Names(wanted)
            for row, entry in walk(model, batch, m2m, names):
                if (start and row.history_date < start) or (end and row.history_date >= end):
                    continue
                record_id = getattr(row, pk)
                label = names(model, record_id)
                base = (entry.when, entry.user, record_type, record_id, label, str(entry.action))
                if not entry.changes:
                    yield (*base, "", EMPTY if entry.kind == "-" else "", "", entry.reason, entry.chain_hash)
                for change in entry.changes:
                    yield (*base, change.field, change.old, change.new, entry.reason, entry.chain_hash)


def whole_records(history: Iterable, pk: str, size: int) -> Iterator[list]:
    """History rows ordered by record, in lists of at least ``size`` rows (but the last) that never split a record:
    each list is walked on its own, every record's first row a creation."""
    batch: list = []
    for row in history:
        if len(batch) >= size and getattr(row, pk) != getattr(batch[-1], pk):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch
