"""What a signature is taken over: the version of the record it signs, and that version's content hash.

Every save of an audited record seals one history row into its table's hash chain, and that row is the record's
version (``audit.versions``). The signature hashes that row's canonical content (``audit.chain.content_of``), the
same bytes the chain hashed: every field of the record as the database gives it back, with who saved it, when and
why. Hashing the sealed history row rather than the live record means the signed content can be recomputed from the
trail at any time later, even after the record has moved on, and that a save of the record, even one that changes
no field, makes a new version the signature no longer covers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import CharField, F, Max, Subquery, Value
from django.db.models.functions import Cast, Concat, Substr

from audit.chain import content_of
from audit.versions import Version


@dataclass(frozen=True)
class Signed:
    """A record's version and the SHA-256 of its content at that version."""

    version: str
    sha256: str


def of_row(row: models.Model) -> Signed:
    return Signed(str(Version.of(row.chain_seq, row.chain_hash)), hashlib.sha256(content_of(row).encode()).hexdigest())


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
            version=Concat(
                Cast("chain_seq", CharField()), Value("-"), Substr(F("chain_hash"), 1, 16), output_field=CharField()
            )
        )
        .values("version")[:1]
    )
    return Subquery(rows, output_field=CharField())
