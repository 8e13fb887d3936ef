"""Every exportable dataset as one shape: columns, a row iterator and a row count."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
NAMES = [*TABLES, QUALIFICATIONS, SIGNATURES, AUDIT_TRAIL]
LABELS = {
    **{name: dataset.label for name, dataset in TABLES.items()},
    QUALIFICATIONS: _("Qualification status"),
    SIGNATURES: _("Signatures"),
    AUDIT_TRAIL: _("Audit trail"),
}
FORMATS = ("csv", "xlsx", "json")
AUDIT_FILTERS = frozenset({"start", "end", "record_type"})


@dataclass
class Source:
    name: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[tuple]]
    count: Callable[[], int]
    applied: dict[str, str]
    queryset: QuerySet | None = None  # set for table datasets, which PostgreSQL can COPY
    header_language: str = ""

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
    if name == AUDIT_TRAIL:
        applied = {k: v for k, v in filters.as_dict().items() if k in AUDIT_FILTERS}
        return Source(
            name,
            audit_rows.COLUMNS,
            stored_values(lambda: audit_rows.rows(filters)),
            lambda: audit_rows.count(filters),
            applied,
            header_language=filters.headers,
        )
    if name == QUALIFICATIONS:
        applied = {k: v for k, v in filters.as_dict().items() if k in training_rows.STATUS_FILTERS}
        return Source(
            name,
            training_rows.STATUS_COLUMNS,
            stored_values(lambda: training_rows.status_rows(filters)),
            lambda: training_rows.status_count(filters),
            applied,
            header_language=filters.headers,
        )
    if name == SIGNATURES:
        return Source(
            name,
            signature_rows.COLUMNS,
            stored_values(lambda: signature_rows.rows(filters)),
            lambda: signature_rows.count(filters),
            {k: v for k, v in filters.as_dict().items() if k in signature_rows.FILTERS},
            header_language=filters.headers,
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
