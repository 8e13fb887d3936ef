"""The audit trail computed by PostgreSQL, for COPY: the same rows, order and words as ``audit_rows.rows``.

One SELECT per record type over its history table. Window functions give each history row its record's row before
it (``LAG … OVER (PARTITION BY record ORDER BY history_date, chain_seq)``, the order ``audit.trail.walk`` diffs in),
for every tracked field and for each many-to-many snapshot (the row's target ids as a sorted array). A lateral
``VALUES`` list turns one history row into one row per changed field, or into the one row of an entry without
changes, in the order ``audit.trail.diff`` lists them. Values read as ``audit.trail.show`` writes them: choices by
their label in the source language, Yes/No, ISO dates, timestamps as Python's ``isoformat()``.

What only Python can say is said once per record, not per history row: a record's name is ``str()`` of the record
(or, deleted, ``audit.trail.deleted_name``), loaded into a temporary table with ``COPY FROM`` and looked up by id.
A value that SQL cannot write exactly as Python does (JSON, which Python prints as a ``dict``) is written by
``show()`` per history row of the few tables that hold one (the export records) into a second temporary table.

Used only on PostgreSQL; the Python path stays for SQLite, and for the XLSX and JSON formats.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import operator
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import translation

from audit import registry
from audit.trail import ACTIONS, EMPTY, EVENTS, SYSTEM, Names, deleted_label, event_fields, show, tracked_fields
from exports import audit_rows
from exports.audit_rows import change_window
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
# Records named per fetch: a record comes with every record it points at (``Names._records``), a wide row.
NAME_ROWS = 500
# Names and values wait on disk past this size while they are computed: memory stays flat whatever the trail's size.
SPOOL_BYTES = 1024 * 1024


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def literal(value) -> str:
    """A constant as SQL, quoted by the driver."""
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [value]).decode()


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
    kinds: dict[type[models.Model], int] = field(default_factory=dict)

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
    history = model.history.model
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


def _models(filters: Filters) -> dict[str, type[models.Model]]:
    record_types = registry.record_types()
    keys = [filters.record_type] if filters.record_type else list(record_types)
    return {key: record_types[key] for key in keys}


def plans(filters: Filters) -> list[Plan]:
    """The record types the export reads, in the Python path's order."""
    return [plan(key, model) for key, model in _models(filters).items()]


def available(filters: Filters) -> bool:
    """Whether PostgreSQL can write this trail: records keyed by integers, as the names table keys them."""
    return connection.vendor == "postgresql" and all(
        integer_key(model) and all(integer_key(f.related_model) for f in model.history.model._history_m2m_fields)
        for model in _models(filters).values()
    )


# -- the SELECT ------------------------------------------------------------------------------------------------------


@dataclass
class Tables:
    """The temporary tables of one export: the records its rows may name, their names by (kind, id), and values
    only Python writes."""

    refs: str
    names: str
    values: str


def _name_of(tables: Tables, kind: int, value: str) -> str:
    return f"(SELECT n.name FROM {tables.names} n WHERE n.kind = {kind} AND n.pk = {value})"


def _empty(c: Column, value: str) -> str:
    return f"{value} IS NULL" + (f" OR {value} = ''" if c.text else "")


def _shown(p: Plan, tables: Tables, i: int, c: Column, side: str) -> str:
    """show() of field ``i``'s value on the row (``side`` "n") or on the row before it ("o")."""
    value = f"r.{side}{i}"
    if c.related is not None:
        return f"CASE WHEN {value} IS NULL THEN {literal(EMPTY)} ELSE {_name_of(tables, p.kinds[c.related], value)} END"
    if c.display is None:
        # Written by show() beside the row (before it: none for a creation, which show() writes as empty).
        return f"COALESCE(r.t{side}{i}, {literal(EMPTY)})"
    return f"CASE WHEN {_empty(c, value)} THEN {literal(EMPTY)} ELSE {c.display(value)} END"


def _shown_set(p: Plan, tables: Tables, s: Snapshot, ids: str) -> str:
    # Sorted as Python sorts text, by code point: the C collation sorts UTF-8 by bytes, which is the same order.
    names = (
        f"(SELECT string_agg(n.name, ', ' ORDER BY n.name COLLATE \"C\") FROM {tables.names} n "
        f"WHERE n.kind = {p.kinds[s.target]} AND n.pk = ANY({ids}))"
    )
    return f"CASE WHEN cardinality({ids}) > 0 THEN {names} ELSE {literal(EMPTY)} END"


def _inner(p: Plan, filters: Filters, tables: Tables | None) -> str:
    """Every history row of the records in the window, with its record's row before it, field by field."""
    h = "h"
    select = [
        f"{h}.{p.history_id} AS hid",
        f"{h}.{p.record_id} AS rid",
        f"{h}.history_date AS hdate",
        f"{h}.chain_seq AS seq",
        f"{h}.history_type AS htype",
        f"LAG({h}.{p.history_id}) OVER w AS prev",
    ]
    joins = []
    for i, c in enumerate(p.columns):
        value = f"NULLIF({h}.{c.column}, 'null'::jsonb)" if c.json else f"{h}.{c.column}"
        select += [f"{value} AS n{i}", f"LAG({value}) OVER w AS o{i}"]
    for k, e in enumerate(p.events):
        select.append(f"{h}.{e.column} AS e{k}")
    for j, s in enumerate(p.snapshots):
        joins.append(
            f"LEFT JOIN (SELECT {s.history_column} AS hid, array_agg(DISTINCT {s.target_column} "
            f"ORDER BY {s.target_column}) AS ids FROM {s.table} GROUP BY 1) m{j} ON m{j}.hid = {h}.{p.history_id}"
        )
        select += [f"m{j}.ids AS nm{j}", f"LAG(m{j}.ids) OVER w AS om{j}"]
    if tables is not None:
        user = get_user_model()
        select += [
            f"{h}.history_change_reason AS reason",
            f"{h}.chain_hash AS chash",
            f"u.{quote(user._meta.get_field(user.USERNAME_FIELD).column)} AS who",
            "label.name AS label",
        ]
        joins += [
            f"LEFT JOIN {quote(user._meta.db_table)} u ON u.{quote(user._meta.pk.column)} = {h}.history_user_id",
            f"LEFT JOIN {tables.names} label ON label.kind = {p.kinds[p.model]} AND label.pk = {h}.{p.record_id}",
        ]
        for i, _c in p.in_python:
            joins.append(
                f"LEFT JOIN {tables.values} v{i} ON v{i}.kind = {p.kinds[p.model]} AND v{i}.field = {i} "
                f"AND v{i}.hid = {h}.{p.history_id}"
            )
            select += [f"v{i}.text AS tn{i}", f"LAG(v{i}.text) OVER w AS to{i}"]
    # Whole records, so each change is diffed against the record's row before it even if that fell outside.
    where = f"WHERE {h}.{p.record_id} IN ({within})" if (within := _in_window(p, filters)) else ""
    return (
        f"SELECT {', '.join(select)} FROM {p.table} {h} {' '.join(joins)} {where} "
        f"WINDOW w AS (PARTITION BY {h}.{p.record_id} ORDER BY {h}.history_date, {h}.chain_seq)"
    )


def _in_window(p: Plan, filters: Filters) -> str:
    """The ids of the records with a change in the window; empty without a window."""
    window = _bounds(filters)
    return f"SELECT {p.record_id} FROM {p.table} WHERE {window.format(date='history_date')}" if window else ""


def _bounds(filters: Filters) -> str:
    window = change_window(filters)
    conditions = []
    if start := window.get("history_date__gte"):
        conditions.append(f"{{date}} >= {literal(start)}")
    if end := window.get("history_date__lt"):
        conditions.append(f"{{date}} < {literal(end)}")
    return " AND ".join(conditions)


def _changed(p: Plan) -> list[str]:
    """Whether each field, event and many-to-many set changed on the row: audit.trail.diff's tests."""
    flags = []
    for i, c in enumerate(p.columns):
        unset = f"r.n{i} IS NULL" + (f" OR r.n{i} = ''" if c.text else "")
        if c.json:
            unset += f" OR r.n{i} = '\"\"'::jsonb"
        flags.append(
            f"r.htype <> '-' AND CASE WHEN r.prev IS NULL THEN NOT ({unset}) ELSE r.o{i} IS DISTINCT FROM r.n{i} END"
        )
    flags += [f"r.htype <> '-' AND r.e{k} IS TRUE" for k in range(len(p.events))]
    # An empty set has no snapshot rows, so it is NULL, never an empty array: NULL against NULL is no change.
    flags += [f"r.htype <> '-' AND r.om{j} IS DISTINCT FROM r.nm{j}" for j in range(len(p.snapshots))]
    return flags


def select(p: Plan, filters: Filters, tables: Tables | None) -> str:
    """The SELECT of one record type's rows (x0 … x10, the export's columns), ordered; without ``tables``, only
    what counting them needs."""
    flags = _changed(p)
    flagged = ", ".join(f"({flag}) AS c{n}" for n, flag in enumerate(flags))
    nothing = f"NOT ({' OR '.join(f'r.c{n}' for n in range(len(flags)))})" if flags else "TRUE"
    rows = f"(SELECT r.*, {flagged} FROM ({_inner(p, filters, tables)}) r) r"
    where = "c.changed" + (f" AND {bounds.format(date='r.hdate')}" if (bounds := _bounds(filters)) else "")
    if tables is None:
        # Counting needs only which entries each history row gives.
        entries = ", ".join([*(f"(r.c{n})" for n in range(len(flags))), f"({nothing})"])
        return f"SELECT 1 FROM {rows} CROSS JOIN LATERAL (VALUES {entries}) AS c(changed) WHERE {where}"
    # (field, old, new) of each change in diff()'s order; a value is written only where its field changed.
    changes = [(c.name, _shown(p, tables, i, c, "o"), _shown(p, tables, i, c, "n")) for i, c in enumerate(p.columns)]
    event = f"CASE WHEN r.htype = '+' THEN {literal(str(EVENTS[True]))} ELSE {literal(str(EVENTS[False]))} END"
    changes += [(e.name, literal(EMPTY), event) for e in p.events]
    changes += [
        (s.name, _shown_set(p, tables, s, f"r.om{j}"), _shown_set(p, tables, s, f"r.nm{j}"))
        for j, s in enumerate(p.snapshots)
    ]
    entries = [
        f"({n}, {literal(name)}, r.c{n}, CASE WHEN r.c{n} THEN {old} END, CASE WHEN r.c{n} THEN {new} END)"
        for n, (name, old, new) in enumerate(changes)
    ]
    no_change = f"CASE WHEN r.htype = '-' THEN {literal(EMPTY)} ELSE '' END"
    entries.append(f"({len(changes)}, '', {nothing}, {no_change}, '')")
    action = " ".join(f"WHEN {literal(kind)} THEN {literal(str(label))}" for kind, label in ACTIONS.items())
    columns = [
        "r.hdate",
        f"COALESCE(r.who, {literal(str(SYSTEM))})",
        literal(p.key),
        "r.rid",
        "r.label",
        f"CASE r.htype {action} END",
        "c.field",
        "c.old",
        "c.new",
        "COALESCE(r.reason, '')",
        "r.chash",
    ]
    outputs = ", ".join(f"{expression} AS x{i}" for i, expression in enumerate(columns))
    return (
        f"SELECT {outputs} FROM {rows} "
        f"CROSS JOIN LATERAL (VALUES {', '.join(entries)}) AS c(ord, field, changed, old, new) "
        f"WHERE {where} ORDER BY r.rid, r.hdate, r.seq, c.ord"
    )


# -- names and values only Python writes -----------------------------------------------------------------------------


def _copy_in(table: str, rows: Iterator[tuple]) -> None:
    """COPY rows into a table, spooled first: a query may not run while COPY FROM is reading."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as spool:
        buffer = io.StringIO()
        # Every value quoted, so an empty name reads back as empty text, never as NULL.
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for count, row in enumerate(rows, start=1):
            writer.writerow(row)
            if count % CHUNK_ROWS == 0:
                spool.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        spool.write(buffer.getvalue().encode())
        spool.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", spool)


def _references(found: list[Plan], filters: Filters) -> str:
    """(kind, id) of every record the export's rows may name: the records in the window, and the records their
    history rows point at and list in their many-to-many sets."""
    kinds = found[0].kinds
    parts = []
    for p in found:
        rows = f"{p.table} WHERE {p.record_id} IN ({within})" if (within := _in_window(p, filters)) else p.table
        parts.append(f"SELECT {kinds[p.model]} AS kind, {p.record_id} AS pk FROM {rows}")
        parts += [f"SELECT {kinds[c.related]}, {c.column} FROM {rows}" for c in p.columns if c.related is not None]
        for s in p.snapshots:
            where = f" WHERE {s.history_column} IN (SELECT {p.history_id} FROM {rows})" if within else ""
            parts.append(f"SELECT {kinds[s.target]}, {s.target_column} FROM {s.table}{where}")
    return f"SELECT DISTINCT r.kind, r.pk FROM ({' UNION ALL '.join(parts)}) r WHERE r.pk IS NOT NULL"


def _load_names(found: list[Plan], filters: Filters, tables: Tables) -> None:
    """The name of every record the rows may name, as audit.trail.Names gives it: one pass over each named table,
    then the deleted records by their last history row."""
    kinds = found[0].kinds
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {tables.refs} {_references(found, filters)}")
        cursor.execute(f"ANALYZE {tables.refs}")

    def current() -> Iterator[tuple]:
        for model, kind in kinds.items():
            wanted = RawSQL(f"SELECT pk FROM {tables.refs} WHERE kind = %s", [kind])  # noqa: S611
            for record in Names._records(model).order_by().filter(pk__in=wanted).iterator(chunk_size=NAME_ROWS):
                yield kind, record.pk, str(record)

    _copy_in(tables.names, current())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.kind, r.pk FROM {tables.refs} r WHERE NOT EXISTS "
            f"(SELECT 1 FROM {tables.names} n WHERE n.kind = r.kind AND n.pk = r.pk) ORDER BY 1, 2"
        )
        deleted = cursor.fetchall()
    models_by_kind = {kind: model for model, kind in kinds.items()}
    _copy_in(tables.names, _deleted_names(models_by_kind, deleted))


def _deleted_names(models_by_kind: dict[int, type[models.Model]], deleted: list[tuple[int, int]]) -> Iterator[tuple]:
    """audit.trail.deleted_name of each deleted record, their last history rows read in one query per record type."""
    for kind, group in itertools.groupby(deleted, key=operator.itemgetter(0)):
        model, pks = models_by_kind[kind], [pk for _kind, pk in group]
        last = {}
        if hasattr(model._meta, "simple_history_manager_attribute"):
            key = model._meta.pk.attname
            rows = model.history.filter(**{f"{key}__in": pks}).order_by(key, "-history_date", "-chain_seq")
            last = {getattr(row, key): row for row in rows.distinct(key)}
        for pk in pks:
            yield kind, pk, deleted_label(pk, last.get(pk))


def _load_values(found: list[Plan], tables: Tables) -> None:
    """Values SQL cannot write as show() does (JSON), written by show() for each history row that holds one."""
    names = Names()

    def shown() -> Iterator[tuple]:
        for p in found:
            if not p.in_python:
                continue
            history = p.model.history.model
            fields = [c.model_field for _i, c in p.in_python]
            rows = history._default_manager.values_list(history._meta.pk.attname, *(f.attname for f in fields))
            for hid, *values in rows.iterator(chunk_size=CHUNK_ROWS):
                for (i, _c), f, value in zip(p.in_python, fields, values, strict=True):
                    yield p.kinds[p.model], i, hid, show(f, value, names)

    _copy_in(tables.values, shown())


@contextlib.contextmanager
def selects(filters: Filters) -> Iterator[list[tuple[str, None]]]:
    """The trail's SELECTs, one per record type in order, with the temporary tables they read while it is open."""
    # Labels, actions and values in the source language, as the Python path writes them (exports.sources), whatever
    # the reader's language: the SELECTs carry the labels of choices, Yes and No as constants.
    with translation.override(None), transaction.atomic():
        yield from _selects(filters)


def _selects(filters: Filters) -> Iterator[list[tuple[str, None]]]:
    found = plans(filters)
    kinds: dict[type[models.Model], int] = {}
    for p in found:
        p.kinds = kinds
        for model in [p.model, *(c.related for c in p.columns if c.related), *(s.target for s in p.snapshots)]:
            kinds.setdefault(model, len(kinds))
    suffix = uuid.uuid4().hex[:12]
    tables = Tables(*(f"audit_trail_{name}_{suffix}" for name in ("refs", "names", "values")))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {tables.refs} (kind integer, pk bigint) ON COMMIT DROP")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {tables.names} (kind integer, pk bigint, name text NOT NULL, "
            "PRIMARY KEY (kind, pk)) ON COMMIT DROP"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {tables.values} (kind integer, field integer, hid bigint, text text NOT NULL, "
            "PRIMARY KEY (kind, field, hid)) ON COMMIT DROP"
        )
    _load_names(found, filters, tables)
    _load_values(found, tables)
    with connection.cursor() as cursor:
        # Autovacuum never analyses a temporary table: without this the planner guesses its size.
        cursor.execute(f"ANALYZE {tables.names}, {tables.values}")
    yield [(select(p, filters, tables), None) for p in found]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {tables.refs}, {tables.names}, {tables.values}")


def copy_selects(filters: Filters) -> Callable[[], contextlib.AbstractContextManager[list[tuple[str, None]]]] | None:
    """How the CSV writer opens the trail's SELECTs (no parameters: their constants are quoted by the driver
    already) on PostgreSQL; None where the Python path writes it."""
    return (lambda: selects(filters)) if available(filters) else None


def count(filters: Filters) -> int:
    """Rows of the trail: on PostgreSQL a COUNT of the same SELECTs (no names needed), elsewhere the Python walk."""
    if not available(filters):
        return audit_rows.count(filters)
    total = 0
    with connection.cursor() as cursor:
        for p in plans(filters):
            cursor.execute(f"SELECT count(*) FROM ({select(p, filters, None)}) AS trail")
            total += cursor.fetchone()[0]
    return total
