"""Every exportable dataset as one shape: columns, a row iterator and a row count."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from exports import audit_rows, audit_sql, governance_rows, signature_rows, training_rows
from exports.audit_sql.select import CELLS as AUDIT_CELLS
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


SQL = tuple[str, Sequence | dict | None]  # a SELECT and its parameters
# Opens the SELECTs whose rows, one after the other, are a dataset's CSV rows on PostgreSQL: each gives the dataset's
# columns in order (renamed by position); they may read temporary tables that live as long as the context.
Selects = Callable[[], AbstractContextManager[list[SQL]]]


@dataclass(frozen=True)
class Computed:
    """A dataset whose rows are computed rather than read from one table: its columns, the filters it honours, its
    rows and count for a set of filters, and the permission that reads it outside the exports (the API).

    ``copy_selects``, where given, is the same dataset as PostgreSQL SELECTs for a set of filters (or None where the
    Python rows must write it): rows in the same order, with values as ``rows`` gives them (dates as dates, labels in
    the source language). On PostgreSQL the CSV is then written by ``COPY``.
    """

    label: str
    columns: tuple[Column, ...]
    filter_keys: frozenset[str]
    rows: Callable[[Filters], Iterator[tuple]]
    count: Callable[[Filters], int]
    read_permission: str
    copy_selects: Callable[[Filters], Selects | None] | None = None
    # Keys of the columns the SELECTs give as final CSV cells (exports.sql_cells), where they can write them more
    # cheaply than COPY's outer SELECT, which formats each output row's cells.
    copy_cells: frozenset[str] = frozenset()


def one_select(sql: Callable[[Filters], SQL]) -> Callable[[Filters], Selects]:
    """A dataset that PostgreSQL writes from one SELECT of its own."""
    return lambda filters: lambda: nullcontext([sql(filters)])


# Dates as date.isoformat() writes them, whatever the session's DateStyle. No JIT: the planner prices the per-row
# subqueries high enough to JIT-compile the plan, which takes seconds and saves less than that on a query that reads
# each row once (docs/benchmarks.md: signatures 2.4 s → 0.7 s). Both local to the transaction, set in one statement.
EXPORT_SETTINGS = "SELECT set_config('datestyle', 'ISO, YMD', true), set_config('jit', 'off', true)"


@contextmanager
def export_cursor():
    """A PostgreSQL cursor for an export's SELECTs, in a transaction with the settings the exports read under.

    One per dataset, whatever its number of SELECTs (the audit trail has one per record type): each round trip
    around a COPY is a fixed cost that a small export feels. No savepoint of its own: a failed SELECT fails the
    export, whose transaction (exports.services.producing) is rolled back whole.
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(EXPORT_SETTINGS)
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
        one_select(training_rows.status_sql),
    ),
    # Signatures span every kind of signed record: those who may export the records read them.
    SIGNATURES: Computed(
        _("Signatures"),
        signature_rows.COLUMNS,
        signature_rows.FILTERS,
        signature_rows.rows,
        signature_rows.count,
        "exports.export_records",
        one_select(signature_rows.sql),
    ),
    AUDIT_TRAIL: Computed(
        _("Audit trail"),
        audit_rows.COLUMNS,
        AUDIT_FILTERS,
        audit_rows.rows,
        audit_sql.count,
        "audit.view_audit_trail",
        audit_sql.copy_selects,
        AUDIT_CELLS,
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
    queryset: QuerySet | None = None  # set for table datasets
    header_language: str = ""
    copy_selects: Selects | None = None  # set where PostgreSQL writes the CSV by COPY
    copy_cells: frozenset[str] = frozenset()  # Computed.copy_cells

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
        copy = computed.copy_selects if connection.vendor == "postgresql" else None
        return Source(
            name,
            computed.columns,
            stored_values(lambda: computed.rows(filters)),
            lambda: computed.count(filters),
            {k: v for k, v in filters.as_dict().items() if k in computed.filter_keys},
            header_language=filters.headers,
            copy_selects=copy(filters) if copy else None,
            copy_cells=computed.copy_cells,
        )
    dataset = TABLES[name]
    queryset = dataset.queryset(filters)
    postgresql = connection.vendor == "postgresql"
    return Source(
        name,
        dataset.columns_for(filters),
        lambda: queryset.iterator(chunk_size=2000),
        queryset.count,
        dataset.applied(filters),
        queryset,
        header_language=filters.headers,
        copy_selects=(lambda: nullcontext([dataset.copy_queryset(filters).query.sql_with_params()]))
        if postgresql
        else None,
        copy_cells=dataset.copy_cells(filters) if postgresql else frozenset(),
    )
