"""The names of the records the trail's rows name, said by the database as ``audit.trail.Names`` says them in Python:
``str()`` of the record (``audit.names.name_expression``), or of a deleted record's last history row with
"(deleted)" after it, or its id where it left no history (``audit.trail.deleted_label``)."""

from __future__ import annotations

import functools

from django.db import connection, models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audit.names import name_expression
from audit.trail import history_model

# The names' SQL of each model in each language, compiled once per process: compiling a name's expression took longer
# than the COPY of a small trail (about 40 ms an export, a permission's name alone a quarter of it). A name reads its
# record's fields, the installed models and the language (audit/names.py), none of which changes while a process runs.
_LIVE: dict[tuple[type[models.Model], str | None], str] = {}
_LAST: dict[tuple[type[models.Model], str | None], str | None] = {}


def _sql(queryset: models.QuerySet) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def literal(value) -> str:
    """A constant as SQL, quoted by the driver."""
    if isinstance(value, str | int):  # bool too
        return _quoted(value, type(value))
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [value]).decode()


# Labels, keys and field names, quoted about a thousand times an export (every choice of every tracked field): the
# same constant is always quoted alike (the database is UTF-8, with standard strings). Keyed by type too: True == 1.
@functools.lru_cache(maxsize=4096)
def _quoted(value: str | int, _kind: type) -> str:
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [value]).decode()


def nameable(model: type[models.Model]) -> bool:
    return name_expression(model) is not None


class Names:
    """SQL for the names of records of each model, built once per export in the language active then (the source
    language: exports write names as stored)."""

    def __init__(self):
        self._language = get_language()
        # audit.trail.deleted_label's two forms, around the name or the id, quoted once.
        self._deleted = [literal(part) for part in _("%(name)s (deleted)").split("%(name)s")]
        self._by_id = [literal(part) for part in _("#%(id)s (deleted)").split("%(id)s")]

    def live(self, model: type[models.Model]) -> str:
        """(pk, name) of every record of ``model``, as ``Names._records`` reads them."""
        key = (model, self._language)
        if key not in _LIVE:
            rows = model._default_manager.order_by().annotate(trail_name=name_expression(model))
            _LIVE[key] = _sql(rows.values_list("pk", "trail_name"))
        return _LIVE[key]

    def _last_rows(self, model: type[models.Model]) -> str | None:
        """(record id, history_date, chain_seq, name) of every history row of ``model``; None without history."""
        key = (model, self._language)
        if key not in _LAST:
            if hasattr(model._meta, "simple_history_manager_attribute"):
                history = history_model(model)._default_manager.order_by().annotate(trail_name=name_expression(model))
                pk = model._meta.pk.attname
                _LAST[key] = _sql(history.values_list(pk, "history_date", "chain_seq", "trail_name"))
            else:
                _LAST[key] = None
        return _LAST[key]

    def deleted(self, model: type[models.Model], value: str) -> str:
        """The name of the deleted record of ``model`` whose id is the SQL ``value``."""
        before, after = self._by_id
        by_id = f"{before} || {value} || {after}"
        rows = self._last_rows(model)
        if rows is None:
            return by_id
        before, after = self._deleted
        last = (
            f"(SELECT {before} || d.name || {after} FROM ({rows}) AS d(pk, hdate, seq, name) WHERE d.pk = {value} "
            "ORDER BY d.hdate DESC, d.seq DESC LIMIT 1)"
        )
        return f"COALESCE({last}, {by_id})"

    def of(self, model: type[models.Model], value: str) -> str:
        """The name of the record of ``model`` whose id is the SQL ``value`` (not NULL), deleted or not."""
        live = f"(SELECT n.name FROM ({self.live(model)}) AS n(pk, name) WHERE n.pk = {value})"
        return f"COALESCE({live}, {self.deleted(model, value)})"
