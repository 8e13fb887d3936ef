"""History rows cannot be changed or removed: not through the ORM, the admin, or raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import ChainHead
from audit.protection import trigger_names
from audit.verify import chained_models
from partners.models import Company
from tests.factories import CompanyFactory

TABLE = "partners_historicalcompany"


@pytest.fixture
def history_row(db):
    company = CompanyFactory(name="MEDINET Co., Ltd.")
    return Company.history.get(id=company.pk)


def raw(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET name = 'Forged'",
        f"UPDATE {TABLE} SET history_change_reason = 'rewritten'",
        f"DELETE FROM {TABLE}",
    ],
)
def test_raw_sql_cannot_rewrite_or_remove_history(history_row, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        raw(sql)
    assert Company.history.get(pk=history_row.pk).name == "MEDINET Co., Ltd."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE statement")
def test_truncate_of_a_history_table_is_refused(history_row):
    # Fire the deferred foreign-key checks first, as a fresh session would have none pending.
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"TRUNCATE {TABLE}")
    assert Company.history.filter(pk=history_row.pk).exists()


def test_orm_cannot_update_or_delete_history(history_row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Company.history.filter(pk=history_row.pk).update(name="Forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Company.history.filter(pk=history_row.pk).delete()
    history_row.name = "Forged"
    with pytest.raises(PermissionError):
        history_row.save()
    assert Company.history.get(pk=history_row.pk).name == "MEDINET Co., Ltd."


def test_chain_head_can_only_grow(history_row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainHead.objects.filter(chain=TABLE).update(length=0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainHead.objects.filter(chain=TABLE).delete()
    assert ChainHead.objects.get(chain=TABLE).length == 1


def test_every_history_table_has_its_append_only_triggers(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cursor.fetchall()}
    for model in chained_models():
        missing = trigger_names(model._meta.db_table, connection.vendor) - installed
        assert not missing, f"{model._meta.db_table} lacks {missing}: add it to a ProtectHistory migration"
