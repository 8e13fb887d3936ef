"""What only Python can say, said once per record: the names of the records the trail's rows name, and the values
SQL cannot write as ``show()`` does, loaded into the export's temporary tables with ``COPY FROM``."""

from __future__ import annotations

import csv
import io
import itertools
import operator
import tempfile
from collections.abc import Iterator

from django.db import connection, models
from django.db.models.expressions import RawSQL

from audit.trail import Names, deleted_label, show
from exports.audit_sql.plans import CHUNK_ROWS, NAME_ROWS, SPOOL_BYTES, Plan, Tables, in_window
from exports.filters import Filters


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
        rows = f"{p.table} WHERE {p.record_id} IN ({within})" if (within := in_window(p, filters)) else p.table
        parts.append(f"SELECT {kinds[p.model]} AS kind, {p.record_id} AS pk FROM {rows}")
        parts += [f"SELECT {kinds[c.related]}, {c.column} FROM {rows}" for c in p.columns if c.related is not None]
        for s in p.snapshots:
            where = f" WHERE {s.history_column} IN (SELECT {p.history_id} FROM {rows})" if within else ""
            parts.append(f"SELECT {kinds[s.target]}, {s.target_column} FROM {s.table}{where}")
    return f"SELECT DISTINCT r.kind, r.pk FROM ({' UNION ALL '.join(parts)}) r WHERE r.pk IS NOT NULL"


def load_names(found: list[Plan], filters: Filters, tables: Tables) -> None:
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
    """audit.trail.deleted_name of each deleted record, their last history rows read NAME_ROWS records at a time."""
    for kind, group in itertools.groupby(deleted, key=operator.itemgetter(0)):
        model, pks = models_by_kind[kind], [pk for _kind, pk in group]
        for start in range(0, len(pks), NAME_ROWS):
            chunk, last = pks[start : start + NAME_ROWS], {}
            if hasattr(model._meta, "simple_history_manager_attribute"):
                key = model._meta.pk.attname
                rows = model.history.filter(**{f"{key}__in": chunk}).order_by(key, "-history_date", "-chain_seq")
                last = {getattr(row, key): row for row in rows.distinct(key)}
            for pk in chunk:
                yield kind, pk, deleted_label(pk, last.get(pk))


def load_values(found: list[Plan], tables: Tables) -> None:
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
