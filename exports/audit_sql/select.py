"""One record type's SELECT of the audit trail: each history row against its record's row before it, one row per
changed field, values read as ``audit.trail.show`` writes them."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from audit.trail import ACTIONS, EMPTY, EVENTS, SYSTEM
from exports.audit_rows import COLUMNS
from exports.audit_sql.plans import Column, Plan, Reads, Snapshot, bounds, in_window, literal, quote
from exports.filters import Filters
from exports.sql_cells import sql_cell

KINDS = {column.key: column.kind for column in COLUMNS}
# The columns each SELECT gives as final CSV cells (Source.copy_cells): those of the history row, and the record type.
CELLS = frozenset({"when", "who", "record_type", "record_label", "action", "reason", "chain_hash"})


def _empty(c: Column, value: str) -> str:
    return f"{value} IS NULL" + (f" OR {value} = ''" if c.text else "")


def _shown(reads: Reads, i: int, c: Column, side: str) -> str:
    """show() of field ``i``'s value on the row (``side`` "n") or on the row before it ("o")."""
    value = f"r.{side}{i}"
    if c.related is not None:
        # The live record's name joined beside the row (_inner); a deleted record's looked up only for those.
        name = f"COALESCE(r.{side}name{i}, {reads.names.deleted(c.related, value)})"
        return f"CASE WHEN {value} IS NULL THEN {literal(EMPTY)} ELSE {name} END"
    if c.display is None:
        # Written by show() beside the row (before it: none for a creation, which show() writes as empty).
        return f"COALESCE(r.t{side}{i}, {literal(EMPTY)})"
    return f"CASE WHEN {_empty(c, value)} THEN {literal(EMPTY)} ELSE {c.display(value)} END"


def _shown_set(reads: Reads, s: Snapshot, ids: str) -> str:
    # Sorted as Python sorts text, by code point: the C collation sorts UTF-8 by bytes, which is the same order.
    names = (
        f"(SELECT string_agg(x.name, ', ' ORDER BY x.name COLLATE \"C\") "
        f"FROM (SELECT {reads.names.of(s.target, 'i.pk')} AS name FROM unnest({ids}) AS i(pk)) x)"
    )
    return f"CASE WHEN cardinality({ids}) > 0 THEN {names} ELSE {literal(EMPTY)} END"


def _inner(p: Plan, filters: Filters, reads: Reads | None) -> str:
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
        if reads is not None and c.related is not None:
            # Each related table joined once for the whole SELECT, not looked up once per value: the name of the
            # record the row points at, and (a name being the record's, whenever it is read) the row before's.
            joins.append(f"LEFT JOIN ({reads.names.live(c.related)}) AS rn{i}(pk, name) ON rn{i}.pk = {value}")
            select += [f"rn{i}.name AS nname{i}", f"LAG(rn{i}.name) OVER w AS oname{i}"]
    for k, e in enumerate(p.events):
        select.append(f"{h}.{e.column} AS e{k}")
    for j, s in enumerate(p.snapshots):
        joins.append(
            f"LEFT JOIN (SELECT {s.history_column} AS hid, array_agg(DISTINCT {s.target_column} "
            f"ORDER BY {s.target_column}) AS ids FROM {s.table} GROUP BY 1) m{j} ON m{j}.hid = {h}.{p.history_id}"
        )
        select += [f"m{j}.ids AS nm{j}", f"LAG(m{j}.ids) OVER w AS om{j}"]
    if reads is not None:
        user = get_user_model()
        select += [
            f"{h}.history_change_reason AS reason",
            f"{h}.chain_hash AS chash",
            f"u.{quote(user._meta.get_field(user.USERNAME_FIELD).column)} AS who",
            # The record's own name: a deleted record's from its last history row, read only for those.
            f"COALESCE(label.name, {reads.names.deleted(p.model, f'{h}.{p.record_id}')}) AS label",
        ]
        joins += [
            f"LEFT JOIN {quote(user._meta.db_table)} u ON u.{quote(user._meta.pk.column)} = {h}.history_user_id",
            f"LEFT JOIN ({reads.names.live(p.model)}) AS label(pk, name) ON label.pk = {h}.{p.record_id}",
        ]
        for i, _c in p.in_python:
            joins.append(
                f"LEFT JOIN {reads.values} v{i} ON v{i}.kind = {p.number} AND v{i}.field = {i} "
                f"AND v{i}.hid = {h}.{p.history_id}"
            )
            select += [f"v{i}.text AS tn{i}", f"LAG(v{i}.text) OVER w AS to{i}"]
    # Whole records, so each change is diffed against the record's row before it even if that fell outside.
    where = f"WHERE {h}.{p.record_id} IN ({within})" if (within := in_window(p, filters)) else ""
    return (
        f"SELECT {', '.join(select)} FROM {p.table} {h} {' '.join(joins)} {where} "
        f"WINDOW w AS (PARTITION BY {h}.{p.record_id} ORDER BY {h}.history_date, {h}.chain_seq)"
    )


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


def select(p: Plan, filters: Filters, reads: Reads | None) -> str:
    """The SELECT of one record type's rows (x0 … x10, the export's columns), ordered; without ``reads``, only
    what counting them needs."""
    flags = _changed(p)
    # Each history row's changed entries in diff()'s order, tested once per row; the entry after the last stands
    # for "no change" (a deletion, or a save that changed nothing) when none did.
    nothing = len(flags)
    picked = ", ".join(f"CASE WHEN {flag} THEN {n} END" for n, flag in enumerate(flags))
    changed = f"COALESCE(NULLIF(array_remove(ARRAY[{picked}]::integer[], NULL), '{{}}'), ARRAY[{nothing}])"
    where = f"WHERE {window.format(date='r.hdate')}" if (window := bounds(filters)) else ""
    entries = "CROSS JOIN LATERAL unnest(r.changed) AS c(ord)"
    if reads is None:
        return (
            f"SELECT 1 FROM (SELECT r.*, {changed} AS changed FROM ({_inner(p, filters, reads)}) r {where}) r {entries}"
        )
    # The cells of the history row, the same on each of its entries: written once per history row (CELLS). Its
    # ORDER BY (the order the window reads the rows in already, so no sort) keeps this SELECT from being folded into
    # the per-entry rows above it, which would write them once per entry, and tells them that order.
    action = " ".join(f"WHEN {literal(kind)} THEN {literal(str(label))}" for kind, label in ACTIONS.items())
    shared = {
        "when": "r.hdate",
        "who": f"COALESCE(r.who, {literal(str(SYSTEM))})",
        "record_label": "r.label",
        "action": f"CASE r.htype {action} END",
        "reason": "r.reason",
        "chain_hash": "r.chash",
    }
    cells = ", ".join(f"{sql_cell(KINDS[key], value)} AS cell_{key}" for key, value in shared.items())
    inner = _inner(p, filters, reads)
    rows = f"(SELECT r.*, {changed} AS changed, {cells} FROM ({inner}) r {where} ORDER BY r.rid, r.hdate, r.seq) r"
    # (field, old, new) of each entry; only the entry's own values are written (CASE evaluates one branch).
    changes = [(c.name, _shown(reads, i, c, "o"), _shown(reads, i, c, "n")) for i, c in enumerate(p.columns)]
    event = f"CASE WHEN r.htype = '+' THEN {literal(str(EVENTS[True]))} ELSE {literal(str(EVENTS[False]))} END"
    changes += [(e.name, literal(EMPTY), event) for e in p.events]
    changes += [
        (s.name, _shown_set(reads, s, f"r.om{j}"), _shown_set(reads, s, f"r.nm{j}")) for j, s in enumerate(p.snapshots)
    ]
    changes.append(("", f"CASE WHEN r.htype = '-' THEN {literal(EMPTY)} ELSE '' END", "''"))
    field = f"(ARRAY[{', '.join(literal(name) for name, _old, _new in changes)}]::text[])[c.ord + 1]"
    old = " ".join(f"WHEN {n} THEN {value}" for n, (_name, value, _new) in enumerate(changes))
    new = " ".join(f"WHEN {n} THEN {value}" for n, (_name, _old, value) in enumerate(changes))
    columns = {
        **{key: f"r.cell_{key}" for key in shared},
        "record_type": literal(p.key),  # a registry key: its own final cell
        "record_id": "r.rid",
        "field": field,
        "old_value": f"CASE c.ord {old} END",
        "new_value": f"CASE c.ord {new} END",
    }
    outputs = ", ".join(f"{columns[column.key]} AS x{i}" for i, column in enumerate(COLUMNS))
    return f"SELECT {outputs} FROM {rows} {entries} ORDER BY r.rid, r.hdate, r.seq, c.ord"
