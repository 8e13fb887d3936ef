"""What the audit trail's SELECTs read: one record type's history table, its tracked fields, how each value reads
in SQL, and the window of changes an export asks for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models
from django.utils import translation

from audit.trail import event_fields, history_model, show, tracked_fields
from exports.audit_rows import change_window, record_models
from exports.audit_sql.names import Names, literal, nameable
from exports.filters import Filters

INTEGER = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
TEXT = {"CharField", "TextField", "SlugField"}
CHUNK_ROWS = 2000
# Values written by Python wait on disk past this size while they are computed: memory stays flat whatever their number.
SPOOL_BYTES = 1024 * 1024


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def integer_key(model: type[models.Model]) -> bool:
    return model._meta.pk.get_internal_type() in INTEGER


@dataclass
class Column:
    """One tracked field of a history table: how it is compared, and how its value reads."""

    name: str
    column: str  # quoted, in the history table
    json: bool = False
    text: bool = False  # "" counts as empty
    related: type[models.Model] | None = None  # its value is a record shown by name
    display: Callable[[str], str] | None = None  # SQL for show() of a non-empty value; None: computed in Python
    model_field: models.Field | None = None


@dataclass
class Snapshot:
    """A many-to-many field: the target ids of each history row, from its snapshot table."""

    name: str
    table: str
    history_column: str
    target_column: str
    target: type[models.Model]


@dataclass
class Plan:
    """One record type's history table, read for the trail."""

    key: str
    model: type[models.Model]
    table: str
    history_id: str
    record_id: str
    columns: list[Column]
    events: list[Column]
    snapshots: list[Snapshot]
    number: int = 0  # its place in the export, which keys its values in the temporary table

    @property
    def in_python(self) -> list[tuple[int, Column]]:
        return [(i, c) for i, c in enumerate(self.columns) if c.display is None and c.related is None]


def _choices(f: models.Field) -> Callable[[str], str] | None:
    labels = dict(f.flatchoices)
    if f.get_internal_type() in TEXT and all(isinstance(k, str) for k in labels):
        cast = "{v}"
    elif f.get_internal_type() in INTEGER and all(isinstance(k, int) and not isinstance(k, bool) for k in labels):
        cast = "{v}::text"
    else:
        return None
    whens = " ".join(f"WHEN {literal(key)} THEN {literal(str(label))}" for key, label in labels.items())
    return lambda v: f"CASE {v} {whens} ELSE {cast.format(v=v)} END"


def _display(f: models.Field) -> Callable[[str], str] | None:
    """show() of a value that is not empty, as SQL; None where only Python writes it the same."""
    kind = f.get_internal_type()
    if f.choices:
        return _choices(f)
    if kind == "BooleanField":
        yes, no = literal(str(show(f, True, None))), literal(str(show(f, False, None)))
        return lambda v: f"CASE WHEN {v} THEN {yes} ELSE {no} END"
    if kind == "DateField":
        return lambda v: f"to_char({v}, 'YYYY-MM-DD')"
    if kind == "DateTimeField":
        # datetime.isoformat() of a UTC time: microseconds only when there are some.
        return lambda v: (
            f"""to_char({v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') """
            f"""|| CASE WHEN date_trunc('second', {v}) = {v} THEN '' ELSE to_char({v} AT TIME ZONE 'UTC', '.US') END """
            "|| '+00:00'"
        )
    if kind in INTEGER or kind == "UUIDField":
        return lambda v: f"{v}::text"
    if kind in TEXT:
        return lambda v: v
    return None


def plan(key: str, model: type[models.Model]) -> Plan:
    history = history_model(model)
    columns = []
    for f in tracked_fields(model):
        kind = f.get_internal_type()
        related = f.related_model if f.is_relation and integer_key(f.related_model) else None
        columns.append(
            Column(
                f.name,
                quote(f.column),
                json=kind == "JSONField",
                text=kind in TEXT,
                related=related,
                display=None if f.is_relation else _display(f),
                model_field=f,
            )
        )
    events = [Column(f.name, quote(f.column), model_field=f) for f in event_fields(model)]
    snapshots = []
    for m2m in history._history_m2m_fields:
        snapshot_model = getattr(history, m2m.name).model
        target = model._meta.get_field(m2m.name).m2m_reverse_field_name()
        snapshots.append(
            Snapshot(
                m2m.name,
                quote(snapshot_model._meta.db_table),
                quote(snapshot_model._meta.get_field("history").column),
                quote(snapshot_model._meta.get_field(target).column),
                m2m.related_model,
            )
        )
    return Plan(
        key,
        model,
        quote(history._meta.db_table),
        quote(history._meta.pk.column),
        quote(history._meta.get_field(model._meta.pk.name).column),
        columns,
        events,
        snapshots,
    )


def plans(filters: Filters) -> list[Plan]:
    """The record types the export reads, in the Python path's order."""
    found = [plan(key, model) for key, model in record_models(filters).items()]
    for number, p in enumerate(found):
        p.number = number
    return found


def available(filters: Filters) -> bool:
    """Whether PostgreSQL can write this trail: records keyed by integers, each record it names named by an SQL
    expression (audit/names.py)."""
    if connection.vendor != "postgresql":
        return False
    # Named in the source language, as the SELECTs name them (selects), whatever the reader's language.
    with translation.override(None):
        return all(_nameable(model) for model in record_models(filters).values())


def _nameable(model: type[models.Model]) -> bool:
    """Keyed by integers, with every record it names (itself, its relations, its sets) named by an expression."""
    targets = [f.related_model for f in history_model(model)._history_m2m_fields]
    related = [f.related_model for f in tracked_fields(model) if f.is_relation and integer_key(f.related_model)]
    if not (integer_key(model) and all(integer_key(t) for t in targets)):
        return False
    return all(nameable(m) for m in [model, *targets, *related])


@dataclass
class Reads:
    """What one export's SELECTs read besides the history tables: the records' names, and the temporary table of
    the values only Python writes (None where no record type holds one)."""

    names: Names
    values: str | None


def in_window(p: Plan, filters: Filters) -> str:
    """The ids of the records with a change in the window; empty without a window."""
    window = bounds(filters)
    return f"SELECT {p.record_id} FROM {p.table} WHERE {window.format(date='history_date')}" if window else ""


def bounds(filters: Filters) -> str:
    window = change_window(filters)
    conditions = []
    if start := window.get("history_date__gte"):
        conditions.append(f"{{date}} >= {literal(start)}")
    if end := window.get("history_date__lt"):
        conditions.append(f"{{date}} < {literal(end)}")
    return " AND ".join(conditions)
