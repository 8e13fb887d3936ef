"""Putting a model on the audit trail: one line, ``history = audit_history()``, plus AuditedQuerySet."""

from __future__ import annotations

from django.db import connections, models, transaction
from django.dispatch import Signal
from simple_history.models import HistoricalRecords
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

from audit.models import ChainedHistory

# Sent after an audited bulk write (rows created, or updated with history) with ``sender`` the model, ``objs`` the rows
# and, for an update, ``fields`` the columns written: bulk writes send no post_save, and whoever caches or summarises
# what those rows say (the dashboard, the clearance summary) must still hear of them.
bulk_written = Signal()


class AuditedWriteError(RuntimeError):
    """A write that would change audited rows without leaving a trail."""


def chained_options(*, m2m_fields=(), bases=(ChainedHistory,), **options) -> dict:
    """HistoricalRecords options that seal every history row, the record's and its many-to-many snapshots'.

    For a model the project does not define (Django's User and Group), pass these to simple-history's
    ``register()``; ``bases`` may add fields, but must derive from ChainedHistory.
    """
    return {
        "bases": list(bases),
        "m2m_bases": [ChainedHistory],
        "m2m_fields": m2m_fields,
        # Reasons are sentences, not labels: no length cap.
        "history_change_reason_field": models.TextField(null=True),
        **options,
    }


def audit_history(*, m2m_fields: tuple[str, ...] = ()) -> HistoricalRecords:
    return HistoricalRecords(**chained_options(m2m_fields=m2m_fields))


class AuditedQuerySet(models.QuerySet):
    """Bulk writes on audited models either leave history or are refused."""

    def bulk_create(self, objs, *args, **kwargs):
        # The rows, their history and the summaries kept from them commit together or not at all, even in
        # autocommit: a failure after the insert must not leave rows the trail has never seen.
        with transaction.atomic(using=self.db):
            objs = super().bulk_create(objs, *args, **kwargs)
            if objs and objs[0].pk is None:
                raise AuditedWriteError("bulk_create did not return primary keys, so no history could be written.")
            get_history_manager_for_model(self.model).bulk_history_create(
                objs,
                batch_size=kwargs.get("batch_size"),
                default_change_reason=get_change_reason_from_object(objs[0]) if objs else "",
            )
            bulk_written.send(sender=self.model, objs=objs)
        return objs

    def update(self, **kwargs):
        raise AuditedWriteError(
            f"{self.model.__name__}: QuerySet.update() would change rows without history; save each object."
        )

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditedWriteError(
            f"{self.model.__name__}: bulk_update() would change rows without history; save each object, or use "
            "bulk_update_with_history()."
        )

    def delete(self):
        # Django's deletion collector removes an object's cascade through each object, not through this
        # method, so obj.delete() still writes a history row (with its reason) for every row it removes.
        raise AuditedWriteError(
            f"{self.model.__name__}: QuerySet.delete() would remove rows without a reason; delete each object."
        )

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_update_with_history(self, objs, fields, *, batch_size: int | None = None) -> None:
        """Update many rows and write one history row ("~") for each, with its ``_change_reason`` and
        ``_history_user``: thousands of changes in one prepared statement instead of one save each.

        Django's own bulk_update() builds a CASE expression per row and field, which takes minutes at 20,000 rows.
        """
        objs = list(objs)
        if not objs:
            return
        connection = connections[self.db]
        quote = connection.ops.quote_name
        columns = [self.model._meta.get_field(name) for name in fields]
        pk = self.model._meta.pk
        # Only the model's own table and column names, quoted, are formatted in; every value is a parameter.
        table, key = quote(self.model._meta.db_table), quote(pk.column)
        assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
        params = [
            [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns]
            + [pk.get_db_prep_value(obj.pk, connection)]
            for obj in objs
        ]
        with transaction.atomic(using=self.db):
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
            get_history_manager_for_model(self.model).bulk_history_create(
                objs, batch_size=batch_size, update=True, default_change_reason=get_change_reason_from_object(objs[0])
            )
            bulk_written.send(sender=self.model, objs=objs, fields=list(fields))


MISSING_CREATION_REASON = "On record before its history began"


def record_missing_creations(sender=None, using: str = "default", **kwargs) -> None:
    """After every migrate: a creation row for each audited record that exists without any history.

    Data migrations write through historical models, which write no history (the capabilities of
    ``partners/migrations/0002``); without this, such a record's trail would begin with its first change.
    Accounts and roles are left to their own catch-up (``accounts.history.record_access_state``), which also
    records what role migrations change.
    """
    from audit.registry import audited_models

    tables = set(connections[using].introspection.table_names())
    for model in audited_models():
        history = model.history.model
        if model._meta.app_label == "auth" or history._meta.db_table not in tables:
            continue
        pk = model._meta.pk.attname
        without = model._default_manager.using(using).exclude(
            **{f"{pk}__in": history._default_manager.using(using).values(pk)}
        )
        if objs := list(without.order_by(pk)):
            get_history_manager_for_model(model).bulk_history_create(
                objs, default_change_reason=MISSING_CREATION_REASON
            )
