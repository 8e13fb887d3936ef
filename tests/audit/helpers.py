from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from audit.chain import GENESIS, link_hash
from audit.verify import chained_models


@contextmanager
def protection_off(*tables: str):
    """Lift the append-only triggers on tables, as someone with schema rights could, to simulate tampering."""
    saved: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must fire before PostgreSQL lets a table with pending events be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        else:
            for table in tables:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
                for name, sql in cursor.fetchall():
                    saved.append(sql)
                    cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in tables:
                    cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for sql in saved:
                    cursor.execute(sql)


def rehash(model) -> None:
    """What a forger with schema rights does after altering rows: recompute every hash and the chain head."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with protection_off(table, "audit_chainhead"), connection.cursor() as cursor:
        previous, length = GENESIS, 0
        for row in model._default_manager.order_by("chain_seq"):
            previous, length = link_hash(previous, row), row.chain_seq
            cursor.execute(f'UPDATE "{table}" SET chain_hash = %s WHERE "{pk}" = %s', [previous, row.pk])
        cursor.execute(
            "UPDATE audit_chainhead SET length = %s, last_hash = %s WHERE chain = %s", [length, previous, table]
        )


def history_protection(*, enabled: bool) -> None:
    """Switch the append-only triggers of every history table and of the chain heads on or off (PostgreSQL)."""
    tables = [model._meta.db_table for model in chained_models()] + ["audit_chainhead"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ALTER TABLE "{table}" {"ENABLE" if enabled else "DISABLE"} TRIGGER USER')
