"""What a signature is taken over: the version of the record it signs, and the SHA-256 of its content then.

Every save of an audited record seals one history row into its table's hash chain, and that row is the record's
version (``audit.versions``). The signed content is read from that sealed row, not from the live record: the
record's own fields (history bookkeeping left out), in the chain's canonical form (``audit.chain.canonical``), so
the hash can be recomputed from the trail at any time later, on SQLite or PostgreSQL alike. Fields that record
the outcome of the signatures themselves (a decision's status and approval time, ``accounts.signing.NOT_SIGNED``)
are not content: approving a decision does not make its approvals stale. A signature covers its record while the
record's current content hashes the same; any change of a signed field after it ends that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import CharField, F, Max, Subquery, Value
from django.db.models.functions import Cast, Concat, Substr

from audit.chain import canonical, canonical_value
from audit.versions import Version


@dataclass(frozen=True)
class Signed:
    """A record's version and the SHA-256 of its content at that version."""

    version: str
    sha256: str


def signed_fields(model: type[models.Model]) -> list[str]:
    from accounts.signing import NOT_SIGNED

    left_out = NOT_SIGNED.get(model._meta.label_lower, set())
    return [field.attname for field in model._meta.concrete_fields if field.name not in left_out]


def of_row(row: models.Model) -> Signed:
    """The version a history row is, and the SHA-256 of its record's signed content."""
    record_fields = {field.attname: field for field in row._meta.concrete_fields}
    data = {name: canonical_value(record_fields[name], getattr(row, name)) for name in signed_fields(row.instance_type)}
    return Signed(str(Version.of(row.chain_seq, row.chain_hash)), hashlib.sha256(canonical(data).encode()).hexdigest())


def current(model: type[models.Model], pks: Iterable) -> dict:
    """Record pk → Signed for the latest history row of each record of ``model`` named, in one query.

    A record without any history row (loaded raw) is missing from the result: it has no version to sign.
    """
    pk_attname = model._meta.pk.attname
    pks = {model._meta.pk.to_python(pk) for pk in pks}
    history = model.history.filter(**{f"{pk_attname}__in": pks})
    latest = history.values(pk_attname).annotate(last=Max("chain_seq")).values("last")
    return {getattr(row, pk_attname): of_row(row) for row in history.filter(chain_seq__in=latest)}


def current_of(record: models.Model) -> Signed | None:
    return current(type(record), [record.pk]).get(record.pk)


def version_expression(model: type[models.Model], record_ref) -> Subquery:
    """SQL for the version string of the record ``record_ref`` points at (``OuterRef``), as ``Version`` spells it."""
    rows = (
        model.history.filter(**{model._meta.pk.attname: record_ref})
        .order_by("-chain_seq")
        .annotate(
            signed_version=Concat(
                Cast("chain_seq", CharField()), Value("-"), Substr(F("chain_hash"), 1, 16), output_field=CharField()
            )
        )
        .values("signed_version")[:1]
    )
    return Subquery(rows, output_field=CharField())


def _sql_member(field: models.Field, column: str) -> str:
    """One key and value of ``canonical`` as PostgreSQL text, NULL where canonical leaves the field out (empty)."""
    key = f"'{json.dumps(field.attname)}:'"
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {column} THEN {key} || 'true' END"
    if isinstance(field, models.DateTimeField):
        text = f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        return f"{key} || to_json({text})::text"
    if isinstance(field, models.DateField):
        return f"{key} || to_json(to_char({column}, 'YYYY-MM-DD'))::text"
    if isinstance(field, models.CharField | models.TextField):
        # to_json escapes a text as json.dumps(ensure_ascii=False) does: \" \\ \b \f \n \r \t, other controls as \u00xx.
        return f"{key} || to_json(NULLIF({column}, ''))::text"
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return f"{key} || {column}::text"
    raise TypeError(f"no SQL form of the signed content for {type(field).__name__} {field.attname}")


def current_sha256_sql(model: type[models.Model], record_id: str) -> str:
    """PostgreSQL: the SHA-256 of the signed content of the record ``record_id`` (an SQL expression) at its latest
    history row, as ``current`` computes it; NULL for a record without history. The canonical JSON is built in SQL:
    keys in ``sort_keys`` order, empty values left out, each value as ``canonical_value`` writes it."""
    history = model.history.model
    fields = {field.attname: field for field in history._meta.concrete_fields}
    quote = connection.ops.quote_name
    members = ", ".join(
        _sql_member(fields[name], f"h.{quote(fields[name].column)}") for name in sorted(signed_fields(model))
    )
    pk = quote(fields[model._meta.pk.attname].column)
    return (
        f"(SELECT encode(sha256(convert_to('{{' || concat_ws(',', {members}) || '}}', 'UTF8')), 'hex') "  # noqa: S608
        f"FROM {quote(history._meta.db_table)} h WHERE h.{pk} = {record_id} ORDER BY h.chain_seq DESC LIMIT 1)"
    )
