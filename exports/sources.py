"""Every exportable dataset as one shape: columns, a row iterator and a row count."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from exports import audit_rows, governance_rows, signature_rows, training_rows
from exports.datasets import DATASETS, Column
from exports.filters import Filters

AUDIT_TRAIL = "audit-trail"
QUALIFICATIONS = "qualification-status"
TABLES = {
    **DATASETS,
    training_rows.TRAINING_RECORDS.name: training_rows.TRAINING_RECORDS,
    **governance_rows.DATASETS,
}
SIGNATURES = signature_rows.NAME
FORMATS = ("csv", "xlsx", "json")
AUDIT_FILTERS = frozenset({"start", "end", "record_type"})


@dataclass(frozen=True)
class Computed:
    """A dataset whose rows are computed rather than read from one table: its columns, the filters it honours, its
    rows and count for a set of filters, and the permission that reads it outside the exports (the API).

    ``sql``, where given, is the same dataset as one PostgreSQL SELECT and its parameters, its columns the
    dataset's in order and its rows in the same order, with values as ``rows`` gives them (dates as dates, labels in
    the source language): on PostgreSQL the CSV is then written by ``COPY`` and counted by a COUNT of that SELECT.
    """

    label: str
    columns: tuple[Column, ...]
    filter_keys: frozenset[str]
    rows: Callable[[Filters], Iterator[tuple]]
    count: Callable[[Filters], int]
    read_permission: str
    sql: Callable[[Filters], tuple[str, Sequence]] | None = None


SQL = tuple[str, Sequence]


@contextmanager
def export_cursor():
    """A PostgreSQL cursor for an export's SELECT, in a transaction with the settings the exports read under."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Dates as date.isoformat() writes them, whatever the session's DateStyle.
        cursor.execute("SET LOCAL datestyle = 'ISO, YMD'")
        # The planner prices the per-row subqueries high enough to JIT-compile the plan, which takes seconds and
        # saves less than that on a query that reads each row once (docs/benchmarks.md: signatures 2.4 s → 0.7 s).
        cursor.execute("SET LOCAL jit = off")
        yield cursor


def sql_count(select: SQL) -> int:
    """The rows of a SELECT, counted by the database."""
    sql, params = select
    with export_cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608 - our own SELECT
        return cursor.fetchone()[0]


COMPUTED = {
    QUALIFICATIONS: Computed(
        _("Qualification status"),
        training_rows.STATUS_COLUMNS,
        training_rows.STATUS_FILTERS,
        training_rows.status_rows,
        training_rows.status_count,
        "training.view_trainingrecord",
        training_rows.status_sql,
    ),
    # Signatures span every kind of signed record: those who may export the records read them.
    SIGNATURES: Computed(
        _("Signatures"),
        signature_rows.COLUMNS,
        signature_rows.FILTERS,
        signature_rows.rows,
        signature_rows.count,
        "exports.export_records",
        signature_rows.sql,
    ),
    AUDIT_TRAIL: Computed(
        _("Audit trail"), audit_rows.COLUMNS, AUDIT_FILTERS, audit_rows.rows, audit_rows.count, "audit.view_audit_trail"
    ),
}
NAMES = [*TABLES, *COMPUTED]
LABELS = {
    **{name: dataset.label for name, dataset in TABLES.items()},
    **{name: computed.label for name, computed in COMPUTED.items()},
}


@dataclass
class Source:
    name: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[tuple]]
    count: Callable[[], int]
    applied: dict[str, str]
    queryset: QuerySet | None = None  # set for table datasets, which PostgreSQL can COPY
    header_language: str = ""
    sql: Callable[[], SQL] | None = None  # set for computed datasets that PostgreSQL can COPY

    def select(self) -> SQL | None:
        """The dataset's rows as one SELECT and its parameters, for COPY: the queryset's, else the computed one's."""
        if self.queryset is not None:
            return self.queryset.query.sql_with_params()
        return self.sql() if self.sql is not None else None

    @property
    def headers(self) -> list[str]:
        """The column headers in the language asked for (the page's own by default)."""
        with translation.override(self.header_language or translation.get_language()):
            return [str(column.header) for column in self.columns]


def stored_values(rows: Callable[[], Iterator[tuple]]) -> Callable[[], Iterator[tuple]]:
    """Rows as stored, never translated: labels computed on the way (names, actions) stay in the source language."""

    def iterate() -> Iterator[tuple]:
        with translation.override(None):
            yield from rows()

    return iterate


def source(name: str, filters: Filters) -> Source:
    if name in COMPUTED:
        computed = COMPUTED[name]
        # The SQL form is PostgreSQL's; elsewhere the rows are computed in Python.
        sql = computed.sql if connection.vendor == "postgresql" else None
        return Source(
            name,
            computed.columns,
            stored_values(lambda: computed.rows(filters)),
            (lambda: sql_count(sql(filters))) if sql else (lambda: computed.count(filters)),
            {k: v for k, v in filters.as_dict().items() if k in computed.filter_keys},
            header_language=filters.headers,
            sql=(lambda: sql(filters)) if sql else None,
        )
    dataset = TABLES[name]
    queryset = dataset.queryset(filters)
    return Source(
        name,
        dataset.columns_for(filters),
        lambda: queryset.iterator(chunk_size=2000),
        queryset.count,
        dataset.applied(filters),
        queryset,
        header_language=filters.headers,
    )
