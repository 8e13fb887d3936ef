"""The audited models, read from the models themselves: every record whose history is a hash chain.

Everything that lists audited records derives from here: the audit-trail export's record types, the roles'
read permissions (``accounts/roles.py``), the trail's labels. A model joins the trail by getting chained
history (``audit.history.audit_history``); nothing else needs to be told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.text import capfirst

from audit.models import ChainedHistory


@dataclass(frozen=True)
class Audited:
    model: type[models.Model]

    @property
    def key(self) -> str:
        """The record type in exports and their filters: the class name in snake case (``training_record``)."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.model._meta.object_name).lower()

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name)

    @property
    def links(self) -> list[type[models.Model]]:
        """The link models of its many-to-many fields that are models of their own (a partnership's parties)."""
        history = self.model.history.model
        return sorted(
            (
                field.remote_field.through
                for field in history._history_m2m_fields
                if not field.remote_field.through._meta.auto_created
            ),
            key=lambda m: m._meta.label,
        )


def chained_models() -> list[type[models.Model]]:
    """Every hash-chained table: history tables, their link tables, and the signatures."""
    return sorted((m for m in apps.get_models() if issubclass(m, ChainedHistory)), key=lambda m: m._meta.db_table)


def audited() -> list[Audited]:
    """The records on the trail: each chained history table's own record, less many-to-many link tables."""
    # A chain that is not a record's history (the signatures) has no instance_type: it is not on the trail.
    tracked = {m.instance_type for m in chained_models() if hasattr(m, "instance_type")}
    return [
        Audited(m)
        for m in sorted(tracked, key=lambda m: m._meta.label)
        if hasattr(m._meta, "simple_history_manager_attribute")
    ]


def audited_models() -> list[type[models.Model]]:
    return [entry.model for entry in audited()]


def record_types() -> dict[str, type[models.Model]]:
    """Record-type key → model, for the audit-trail export."""
    return {entry.key: entry.model for entry in audited()}
