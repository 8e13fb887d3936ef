"""Readable audit trail: history rows turned into "who changed which field from what to what, and why".

A fixed number of queries per trail whatever its length: one for the history rows, one per
many-to-many field, one per related model named in the changes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
EMPTY = "—"


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


def audited_model(app_label: str, model_name: str) -> type[models.Model]:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if not hasattr(model, "history") or not hasattr(model._meta, "simple_history_manager_attribute"):
        raise Http404
    return model


def trail_for(model: type[models.Model], pk) -> list[Entry]:
    history_model = model.history.model
    rows = list(
        model.history.filter(**{model._meta.pk.attname: pk})
        .select_related("history_user")
        .order_by("history_date", "chain_seq")
    )
    m2m = _m2m_snapshots(model, history_model, rows)
    fields = [f for f in history_model.tracked_fields if f.name != model._meta.pk.name]
    names = _related_names(rows, fields, m2m)

    entries, previous = [], None
    for row in rows:
        entry = Entry(
            when=row.history_date,
            user=row.history_user.get_username() if row.history_user else _("system"),
            action=ACTIONS[row.history_type],
            kind=row.history_type,
            reason=row.history_change_reason or "",
            seq=row.chain_seq,
            chain_hash=row.chain_hash,
        )
        if row.history_type != "-":
            for f in fields:
                old = getattr(previous, f.attname) if previous else None
                new = getattr(row, f.attname)
                if old != new and not (previous is None and new in (None, "")):
                    entry.changes.append(
                        FieldChange(f.name, str(f.verbose_name), _show(f, old, names), _show(f, new, names))
                    )
            for name, (label, target, by_row) in m2m.items():
                old_ids = by_row.get(previous.pk, set()) if previous else set()
                new_ids = by_row.get(row.pk, set())
                if old_ids != new_ids:
                    entry.changes.append(
                        FieldChange(name, label, _show_set(target, old_ids, names), _show_set(target, new_ids, names))
                    )
        entries.append(entry)
        previous = row
    return entries


def _m2m_snapshots(model, history_model, rows) -> dict[str, tuple[str, type[models.Model], dict[int, set]]]:
    """field name → (label, target model, {history row pk: set of target ids})."""
    result = {}
    for m2m_field in history_model._history_m2m_fields:
        snapshot_model = getattr(history_model, m2m_field.name).model
        target_attname = model._meta.get_field(m2m_field.name).m2m_reverse_field_name() + "_id"
        by_row: dict[int, set] = defaultdict(set)
        for history_id, target_id in snapshot_model.objects.filter(history__in=[r.pk for r in rows]).values_list(
            "history_id", target_attname
        ):
            by_row[history_id].add(target_id)
        result[m2m_field.name] = (str(m2m_field.verbose_name), m2m_field.related_model, by_row)
    return result


def _related_names(rows, fields, m2m) -> dict[tuple[type[models.Model], object], str]:
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for f in fields:
        if f.is_relation:
            wanted[f.related_model].update(getattr(row, f.attname) for row in rows)
    for _label, target, by_row in m2m.values():
        for ids in by_row.values():
            wanted[target].update(ids)
    names = {}
    for related, ids in wanted.items():
        ids.discard(None)
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)
    return names


def _show(f: models.Field, value, names) -> str:
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        return names.get((f.related_model, value), _("#%(id)s (deleted)") % {"id": value})
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _show_set(target, ids, names) -> str:
    if not ids:
        return EMPTY
    return ", ".join(sorted(names.get((target, pk), f"#{pk}") for pk in ids))
