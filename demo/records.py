"""Writing one demo record: through its model's rules and services, and only when something changed.

Every seed module loads through these, so seed_demo stays safe to run again and the audit trail shows only real
changes, each with the demo's reason.
"""

from __future__ import annotations

from django.db import models

from governance.models import Decision
from governance.services import decision_save
from milestones.models import Milestone
from milestones.services import milestone_save
from partners.models import Exchange
from partners.services import exchange_set_parties

REASON = "Demo data loaded by seed_demo"


def upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Create or update one record through its rules, saving (and so writing history) only when something changed."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    changed = obj.pk is None
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.is_relation:  # compare ids: an unsaved object has no related object to read yet
            current, wanted = getattr(obj, field.attname), value.pk if value is not None else None
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj._change_reason = REASON
        if isinstance(obj, Milestone):
            return milestone_save(milestone=obj)
        if isinstance(obj, Decision):
            return decision_save(decision=obj)
        obj.full_clean()
        if isinstance(obj, Exchange):
            exchange_set_parties(exchange=obj)
        obj.save()
    return obj


def set_links(obj: models.Model, name: str, targets: list) -> None:
    manager = getattr(obj, name)
    if set(manager.all()) != set(targets):
        obj._change_reason = REASON
        manager.set(targets)
