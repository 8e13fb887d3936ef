from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from audit.protection import sqlite_statements
from audit.verify import chained_models


@contextmanager
def protection_off(table: str):
    """Lift the append-only triggers on one table, as someone with schema rights could, to simulate tampering."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must fire before PostgreSQL lets a table with pending events be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        else:
            cursor.execute(f'DROP TRIGGER "{table}_no_update"')
            cursor.execute(f'DROP TRIGGER "{table}_no_delete"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for statement in sqlite_statements(table):
                    cursor.execute(statement)


def history_protection(*, enabled: bool) -> None:
    """Switch the append-only triggers of every history table and of the chain heads on or off (PostgreSQL)."""
    tables = [model._meta.db_table for model in chained_models()] + ["audit_chainhead"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ALTER TABLE "{table}" {"ENABLE" if enabled else "DISABLE"} TRIGGER USER')
