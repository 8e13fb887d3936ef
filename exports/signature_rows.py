"""The signatures as export rows: who signed which record, meaning what, when, and whether it still covers it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Case, CharField, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.signing import RULES
from audit import registry
from exports.datasets import Column, people_scope
from exports.filters import Filters
from signatures.content import current_sha256_sql
from signatures.display import with_coverage
from signatures.models import Signature

NAME = "signatures"
FILTERS = frozenset({"start", "end", "partnership", "site", "company", "record_type"})
CHUNK = 2000

C = Column
COLUMNS = (
    C("id", _("Signature id"), None, "int"),
    C("signed_at", _("Signed at (UTC)"), None, "datetime"),
    C("signer_id", _("Signer id"), None, "int"),
    C("signer", _("Signer's username"), None),
    C("printed_name", _("Printed name"), None),
    C("meaning", _("Meaning"), None, "code"),
    C("record_type", _("Record type"), None, "code"),
    C("record_id", _("Record id"), None, "int"),
    C("record_version", _("Record version signed"), None, "code"),
    C("content_sha256", _("SHA-256 of the signed content"), None, "code"),
    C("covers_current_version", _("Covers the current version"), None, "bool"),
    C("chain_hash", _("Chain hash"), None, "code"),
)


def signed_models() -> list:
    """The record types the signing rules name (accounts/signing.py)."""
    return sorted({apps.get_model(rule.model) for rule in RULES}, key=lambda m: m._meta.label)


def in_scope(model, filters: Filters):
    """The records of ``model`` within the partnership, site and company filters, as the other datasets read them."""
    rows = model._default_manager.all()
    if hasattr(rows, "filtered"):
        return rows.filtered(partnership=filters.partnership, site=filters.site, company=filters.company)
    if model._meta.label_lower == "training.trainingrecord":
        return rows.filter(people_scope(filters, prefix="person__"))
    return rows


def queryset(filters: Filters):
    rows = Signature.objects.select_related("signer", "content_type")
    if filters.start:
        rows = rows.filter(
            signed_at__gte=timezone.make_aware(datetime.datetime.combine(filters.start, datetime.time.min))
        )
    if filters.end:
        end = filters.end + datetime.timedelta(days=1)
        rows = rows.filter(signed_at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time.min)))
    models = signed_models()
    if filters.record_type:
        models = [m for m in models if registry.Audited(m).key == filters.record_type]
    scoped = filters.partnership or filters.site or filters.company
    where = Q()
    for model in models:
        here = Q(content_type=ContentType.objects.get_for_model(model))
        if scoped:
            here &= Q(object_id__in=in_scope(model, filters).values("pk"))
        where |= here
    return rows.filter(where) if models else rows.none()


def shown(filters: Filters) -> Iterator:
    """Each signature with its coverage, a chunk at a time: a few queries per chunk whatever the total."""
    chunk: list[Signature] = []

    def flush():
        by_model: dict = {}
        for signature in chunk:
            by_model.setdefault(signature.content_type_id, []).append(signature)
        covered = {}
        for signatures in by_model.values():
            model = signatures[0].content_type.model_class()
            covered.update({s.signature.pk: s.covers for s in with_coverage(model, signatures)})
        for signature in chunk:
            yield signature, covered[signature.pk]

    for signature in queryset(filters).order_by("chain_seq").iterator(chunk_size=CHUNK):
        chunk.append(signature)
        if len(chunk) == CHUNK:
            yield from flush()
            chunk = []
    yield from flush()


def rows(filters: Filters) -> Iterator[tuple]:
    for signature, covers in shown(filters):
        model = signature.content_type.model_class()
        yield (
            signature.pk,
            signature.signed_at,
            signature.signer_id,
            signature.signer.get_username(),
            signature.printed_name,
            signature.meaning,
            registry.Audited(model).key,
            signature.object_id,
            signature.record_version,
            signature.content_sha256,
            covers,
            signature.chain_hash,
        )


def count(filters: Filters) -> int:
    return queryset(filters).count()


def not_covering(filters: Filters) -> int:
    """How many of the signatures exported no longer cover their record (for the evidence manifest)."""
    if connection.vendor == "postgresql":
        from exports.sources import sql_count  # sources reads this module

        select, params = sql(filters)
        return sql_count((f"SELECT 1 FROM ({select}) AS shown WHERE NOT shown.covers", params))  # noqa: S608
    return sum(1 for _signature, covers in shown(filters) if not covers)


SQL_COLUMNS = (
    "id",
    "signed_at",
    "signer_id",
    "signer_name",
    "printed_name",
    "meaning",
    "record_type",
    "object_id",
    "record_version",
    "content_sha256",
    "covers",
    "chain_hash",
)

SQL_TYPES = {"int": "bigint", "datetime": "timestamptz", "bool": "boolean"}


def sql(filters: Filters) -> tuple[str, tuple]:
    """PostgreSQL's form of ``rows``: the same signatures (``queryset``, compiled) in chain order, the record type by
    content type, and whether each still covers its record by the SHA-256 of the record's current content, hashed
    in SQL as ``signatures.content.current`` hashes it in Python."""
    models = signed_models()
    types = {ContentType.objects.get_for_model(model).pk: model for model in models}
    table = Signature._meta.db_table
    record = f'"{table}"."object_id"'
    current = " ".join(f"WHEN {pk} THEN {current_sha256_sql(model, record)}" for pk, model in types.items())
    covers = f'COALESCE(CASE "{table}"."content_type_id" {current} END = "{table}"."content_sha256", false)'
    rows = (
        queryset(filters)
        .order_by("chain_seq")
        .annotate(
            signer_name=F(f"signer__{get_user_model().USERNAME_FIELD}"),
            record_type=Case(
                *(When(content_type_id=pk, then=Value(registry.Audited(model).key)) for pk, model in types.items()),
                output_field=CharField(),
            ),
            covers=RawSQL(covers, (), output_field=BooleanField()),  # noqa: S611 - our own SQL, no user input
        )
        .values(*SQL_COLUMNS, "chain_seq")
    )
    columns = ", ".join(SQL_COLUMNS)
    try:
        select, params = rows.query.sql_with_params()
    except EmptyResultSet:  # the record type asked for is not one that is signed
        # Named as the columns are, so that what reads the SELECT by name (not_covering) reads nothing, not an error.
        nothing = ", ".join(
            f"NULL::{SQL_TYPES.get(column.kind, 'text')} AS {name}"
            for column, name in zip(COLUMNS, SQL_COLUMNS, strict=True)
        )
        return f"SELECT {nothing} WHERE false", ()  # noqa: S608
    # values() puts model fields before annotations: the columns are put back in the dataset's order by name.
    return f"SELECT {columns} FROM ({select}) AS signatures ORDER BY chain_seq", params  # noqa: S608
