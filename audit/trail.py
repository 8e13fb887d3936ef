"""Readable audit trail: history rows turned into "who changed which field from what to what, and why".

A record's trail takes a fixed number of queries whatever its length: one for the history rows, one per
many-to-many field, one per related model named in the changes. The audit-trail export walks every
history table with the same diff.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
EVENTS = {True: _("set"), False: _("changed")}  # on a creation, or on a later change
EMPTY = "—"
SYSTEM = _("system")  # who made a change no user made (a migration, a command)


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    user: str
    action: str
    kind: str  # "+", "~" or "-", as simple-history records it
    reason: str
    seq: int
    chain_hash: str
    changes: list[FieldChange] = field(default_factory=list)


# Ids in one query, at most: no query holds more values than SQLite takes.
IDS_PER_QUERY = 500


def in_pieces(ids: list) -> Iterator[list]:
    """``ids``, a query's worth at a time."""
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start : start + IDS_PER_QUERY]


# Related records whose name reads another record: fetched with it, so naming many costs one query.
class Names:
    """Readable names of related records: those of ``preload``, fetched at once (a record not found is named as
    deleted when asked for), and every record of any other related model, fetched the first time one is asked for."""

    def __init__(self, preload: dict[type[models.Model], set] | None = None):
        self._names: dict[type[models.Model], dict] = {}
        for related, ids in (preload or {}).items():
            names = self._names[related] = {}
            for piece in in_pieces([pk for pk in set(ids) if pk is not None]):
                names.update((obj.pk, str(obj)) for obj in self._records(related).filter(pk__in=piece).iterator())

    def __call__(self, related: type[models.Model], pk) -> str:
        if related not in self._names:
            # Only the names are kept: iterated, not cached, the records and those they point at are let go in
            # chunks (held all at once, 200,000 exchanges with their people and sites took over a gigabyte).
            self._names[related] = {obj.pk: str(obj) for obj in self._records(related).iterator(chunk_size=2000)}
        names = self._names[related]
        if pk not in names:
            names[pk] = deleted_name(related, pk)
        return names[pk]

    @staticmethod
    def _records(related: type[models.Model]) -> models.QuerySet:
        # A record's name may read the records it points at (an exchange's person and host, a permission's content
        # type): they come in the same query, so naming a thousand records costs one query, not a thousand.
        return related._default_manager.select_related()


def deleted_name(related: type[models.Model], pk) -> str:
    """A deleted record by the name its last history row gives it, or by its id where it had no history."""
    last = None
    if hasattr(related._meta, "simple_history_manager_attribute"):
        last = related.history.filter(**{related._meta.pk.attname: pk}).order_by("-history_date", "-chain_seq").first()
    return deleted_label(pk, last)


def deleted_label(pk, last) -> str:
    """A deleted record's name, given its last history row (None if it had none)."""
    if last is not None:
        return str(_("%(name)s (deleted)") % {"name": last.instance})
    return str(_("#%(id)s (deleted)") % {"id": pk})


def audited_model(app_label: str, model_name: str) -> type[models.Model]:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if not hasattr(model, "history") or not hasattr(model._meta, "simple_history_manager_attribute"):
        raise Http404
    return model


@functools.cache
def history_model(model: type[models.Model]) -> type[models.Model]:
    """The history model of an audited ``model``: read once, as each read of ``model.history`` builds a new manager
    class (a fiftieth of a second for the trail's export, which reads each model's several times)."""
    return model.history.model


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The record's fields, and any state its history rows keep beside them (whether a password is usable)."""
    history = history_model(model)
    extra = [history._meta.get_field(name) for name in getattr(history, "trail_state_fields", ())]
    return [f for f in history.tracked_fields if f.name != model._meta.pk.name] + extra


def event_fields(model: type[models.Model]) -> list[models.Field]:
    """Flags of one history row (a password was set): shown when set, never with a value."""
    history = history_model(model)
    return [history._meta.get_field(name) for name in getattr(history, "trail_event_fields", ())]


def m2m_snapshots(model, rows: list | None = None) -> dict[str, tuple[str, type[models.Model], dict[int, set]]]:
    """Many-to-many field name → (label, target model, {history row pk: set of target ids}).

    For the given history rows, or for every history row of the model when ``rows`` is None.
    """
    history = history_model(model)
    result = {}
    for m2m_field in history._history_m2m_fields:
        snapshot_model = getattr(history, m2m_field.name).model
        target_attname = model._meta.get_field(m2m_field.name).m2m_reverse_field_name() + "_id"
        snapshots = snapshot_model.objects.all()
        if rows is None:
            pieces = [snapshots]
        else:
            pieces = [snapshots.filter(history__in=piece) for piece in in_pieces([r.pk for r in rows])]
        by_row: dict[int, set] = defaultdict(set)
        for piece in pieces:
            for history_id, target_id in piece.values_list("history_id", target_attname):
                by_row[history_id].add(target_id)
        result[m2m_field.name] = (str(m2m_field.verbose_name), m2m_field.related_model, by_row)
    return result


def diff(previous, row, fields, m2m, names: Names, events=()) -> list[FieldChange]:
    """What ``row`` changed against ``previous`` (None for a creation: every field that was set)."""
    if row.history_type == "-":
        return []
    changes = []
    for f in fields:
        old = getattr(previous, f.attname) if previous else None
        new = getattr(row, f.attname)
        if old != new and not (previous is None and new in (None, "")):
            changes.append(FieldChange(f.name, str(f.verbose_name), show(f, old, names), show(f, new, names)))
    for f in events:
        if getattr(row, f.attname):
            changes.append(FieldChange(f.name, str(f.verbose_name), EMPTY, str(EVENTS[row.history_type == "+"])))
    for name, (label, target, by_row) in m2m.items():
        old_ids = by_row.get(previous.pk, set()) if previous else set()
        new_ids = by_row.get(row.pk, set())
        if old_ids != new_ids:
            changes.append(FieldChange(name, label, show_set(target, old_ids, names), show_set(target, new_ids, names)))
    return changes


def entry(row, changes: list[FieldChange]) -> Entry:
    return Entry(
        when=row.history_date,
        user=row.history_user.get_username() if row.history_user else str(SYSTEM),
        action=ACTIONS[row.history_type],
        kind=row.history_type,
        reason=row.history_change_reason or "",
        seq=row.chain_seq,
        chain_hash=row.chain_hash,
        changes=changes,
    )


def walk(model, rows: Iterable, m2m, names: Names) -> Iterator[tuple[object, Entry]]:
    """Entries for history rows ordered by record, then time: each diffed against the record's previous row."""
    fields, events, previous, pk_name = tracked_fields(model), event_fields(model), None, model._meta.pk.attname
    for row in rows:
        if previous is not None and getattr(previous, pk_name) != getattr(row, pk_name):
            previous = None
        yield row, entry(row, diff(previous, row, fields, m2m, names, events))
        previous = row


def trail_for(model: type[models.Model], pk) -> list[Entry]:
    rows = list(
        model.history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("history_date", "chain_seq")
    )
    return [e for _row, e in entries(model, rows)]


def entries(model: type[models.Model], rows: list) -> list[tuple[object, Entry]]:
    """Each of one record's history rows (in order, ``history_user`` selected) with its entry, diffed against the
    row before it in ``rows``: the first one reads as a creation."""
    m2m = m2m_snapshots(model, rows)
    return list(walk(model, rows, m2m, Names(named(model, rows, m2m))))


def named(model: type[models.Model], rows: list, m2m) -> dict[type[models.Model], set]:
    """The records ``walk`` names for these history rows: those their tracked fields point at and their many-to-many
    targets (``m2m``, the rows' snapshots), by model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for f in tracked_fields(model):
        if f.is_relation:
            wanted[f.related_model].update(getattr(row, f.attname) for row in rows)
    for _label, target, by_row in m2m.values():
        for ids in by_row.values():
            wanted[target].update(ids)
    return wanted


def show(f: models.Field, value, names: Names) -> str:
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return names(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def show_set(target, ids, names: Names) -> str:
    if not ids:
        return EMPTY
    return ", ".join(sorted(names(target, pk) for pk in ids))
