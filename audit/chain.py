"""The tamper-evident hash chain over every history table.

Each history table is one chain. A row's hash is SHA-256 over the previous row's hash and the row's own
content, so altering or removing any row breaks every hash after it. Rows join a chain only through
``seal()``, which holds the chain's head row locked while it numbers and hashes them: two concurrent
saves queue on that lock instead of both building on the same predecessor, and the unique
``chain_seq`` column refuses a fork even if that lock were bypassed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence

from django.db import models, transaction

GENESIS = "0" * 64


def canonical_value(field: models.Field, value) -> object:
    if value is None:
        return None
    if isinstance(value, str) and not isinstance(field, models.CharField | models.TextField):
        value = field.to_python(value)  # "2025-01-06" set on a DateField is stored, and read back, as a date
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)  # Decimal, UUID


# Left out of a row's content, so that adding a field with an empty default to an audited model (a migration
# fills old rows with it) leaves every earlier hash valid. An empty value still differs from a set one.
def is_empty(value) -> bool:
    return value is None or value is False or value == ""


def canonical(data: dict) -> str:
    kept = {key: value for key, value in data.items() if not is_empty(value)}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_of(row: models.Model) -> str:
    """The row as canonical JSON: same bytes on SQLite and PostgreSQL, before insert and after reading back."""
    return canonical(
        {
            field.attname: canonical_value(field, getattr(row, field.attname))
            for field in row._meta.concrete_fields
            # Not content: the hash itself, and the surrogate key the database assigns on insert.
            if field.attname != "chain_hash" and not field.primary_key
        }
    )


def link_hash(previous: str, row: models.Model) -> str:
    return hashlib.sha256(f"{previous}\n{content_of(row)}".encode()).hexdigest()


def chain_name(model: type[models.Model]) -> str:
    return model._meta.db_table


def seal(model: type[models.Model], rows: Sequence[models.Model], using: str) -> None:
    """Number and hash ``rows`` as the next links of ``model``'s chain. Call inside the inserting transaction."""
    from audit.models import ChainHead

    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("seal() must run inside the transaction that inserts the rows")
    name = chain_name(model)
    heads = ChainHead.objects.using(using)
    heads.get_or_create(chain=name)
    # Writing first takes the lock before reading: a row lock on PostgreSQL, the write lock on SQLite.
    heads.filter(chain=name).update(length=models.F("length"))
    head = heads.get(chain=name)
    previous, seq = head.last_hash, head.length
    for row in rows:
        seq += 1
        row.chain_seq = seq
        row.chain_hash = link_hash(previous, row)
        previous = row.chain_hash
    heads.filter(chain=name).update(length=seq, last_hash=previous)


def verify_rows(rows: Iterable[models.Model]) -> tuple[int, models.Model | None, str]:
    """Walk rows in chain order. Returns (rows checked, first bad row or None, what is wrong)."""
    previous, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        if row.chain_seq != expected_seq:
            return count, row, f"link {expected_seq} is missing (next row is link {row.chain_seq})"
        if row.chain_hash != link_hash(previous, row):
            return count, row, "its content or its predecessor was altered"
        previous, expected_seq, count = row.chain_hash, expected_seq + 1, count + 1
    return count, None, ""
