"""The tamper-evident hash chain over every history table.

Each history table is one chain. A row's hash is SHA-256 over the previous row's hash and the row's own
content, so altering or removing any row breaks every hash after it. Rows join a chain only through
``seal()``, which holds the chain's head row locked while it numbers and hashes them: two concurrent
saves queue on that lock instead of both building on the same predecessor, and the unique
``chain_seq`` column refuses a fork even if that lock were bypassed.

The content hashed is the *canonical form* of a row (``content_of``): every concrete column, the row's own
primary key and chain position included, as JSON with sorted keys and fixed separators, each value reduced
to the form it reads back as from either database. A hash taken before insert therefore equals the hash
recomputed from what SQLite or PostgreSQL gives back: JSON key order, decimal scale, datetime precision and
time zone, a date set as a string, all come out the same.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from collections.abc import Iterable, Sequence

from django.db import connections, models, transaction

GENESIS = "0" * 64
# Fixed precision, always UTC: "2025-10-05T00:41:45.023790Z" whatever the database or the session's zone.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_json(value):
    """A JSON value as PostgreSQL's jsonb gives it back.

    jsonb keeps a number as the decimal digits it was written with (Python writes a float's shortest repr), and
    gives a whole number back without exponent or fraction, so a whole-number float reads back as the integer
    those digits spell: 3.294564252663099e+16 as 32945642526630990, not as the float's binary value.
    """
    if isinstance(value, dict):
        return {str(key): canonical_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_json(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(decimal.Decimal(repr(value)))
    return value


def canonical_value(field: models.Field, value) -> object:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return canonical_json(value)
    # What the database would give back for a value set in Python: "2025-01-06" on a DateField is a date,
    # "7" on a foreign key is 7, 7 on a CharField is "7".
    value = field.to_python(value)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.astimezone(datetime.UTC).strftime(DATETIME_FORMAT)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        return format(value.quantize(decimal.Decimal(1).scaleb(-places)) if places is not None else value, "f")
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)  # UUID, duration


# Left out of a row's content, so that adding a field with an empty default to an audited model (a migration
# fills old rows with it) leaves every earlier hash valid. An empty value still differs from a set one.
def is_empty(value) -> bool:
    return value is None or value is False or value == ""


def canonical(data: dict) -> str:
    kept = {key: value for key, value in data.items() if not is_empty(value)}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_of(row: models.Model) -> str:
    """The row as canonical JSON: same bytes on SQLite and PostgreSQL, before insert and after reading back.

    The primary key is content too: swapping two rows' keys changes both hashes.
    """
    return canonical(
        {
            field.attname: canonical_value(field, getattr(row, field.attname))
            for field in row._meta.concrete_fields
            if field.attname != "chain_hash"
        }
    )


def link_hash(previous: str, row: models.Model) -> str:
    return hashlib.sha256(f"{previous}\n{content_of(row)}".encode()).hexdigest()


def chain_name(model: type[models.Model]) -> str:
    return model._meta.db_table


def reserve_keys(model: type[models.Model], count: int, using: str) -> list[int]:
    """The primary keys the next ``count`` rows of ``model`` will take, so they can be hashed before insert.

    Called with the chain head locked: every insert into a history table goes through ``seal()``, so no
    other writer takes a key between this and the insert.
    """
    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(key for (key,) in cursor.fetchall())
        if connection.vendor == "sqlite":
            # AUTOINCREMENT keys never reuse a deleted row's key: start after the highest ever given.
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0))',
                [table],
            )
            (last,) = cursor.fetchone()
            return list(range(last + 1, last + 1 + count))
    raise NotImplementedError(f"No hash chain for {connection.vendor}.")


def seal(model: type[models.Model], rows: Sequence[models.Model], using: str) -> None:
    """Key, number and hash ``rows`` as the next links of ``model``'s chain. Call inside the inserting transaction."""
    from audit.models import ChainHead

    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("seal() must run inside the transaction that inserts the rows")
    name = chain_name(model)
    heads = ChainHead.objects.using(using)
    heads.get_or_create(chain=name)
    # Writing first takes the lock before reading: a row lock on PostgreSQL, the write lock on SQLite.
    heads.filter(chain=name).update(length=models.F("length"))
    head = heads.get(chain=name)
    unkeyed = [row for row in rows if row.pk is None]
    for row, key in zip(unkeyed, reserve_keys(model, len(unkeyed), using) if unkeyed else [], strict=True):
        row.pk = key
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
