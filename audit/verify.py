"""Walking every hash chain: what ``verify_audit`` and the evidence manifest report."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from audit.chain import GENESIS, chain_name, verify_rows
from audit.models import ChainedHistory, ChainHead


@dataclass
class ChainReport:
    chain: str
    rows: int
    ok: bool
    problem: str = ""

    def __str__(self) -> str:
        return f"{self.chain}: {self.rows} rows, " + ("intact" if self.ok else f"BROKEN — {self.problem}")


def chained_models() -> list[type[models.Model]]:
    return sorted((m for m in apps.get_models() if issubclass(m, ChainedHistory)), key=lambda m: m._meta.db_table)


def audited_models() -> list[type[models.Model]]:
    """The records on the trail: each chained history table's own record, less many-to-many link tables."""
    tracked = {m.instance_type for m in chained_models()}
    return sorted(
        (m for m in tracked if hasattr(m._meta, "simple_history_manager_attribute")), key=lambda m: m._meta.label
    )


def verify_chain(model: type[models.Model]) -> ChainReport:
    name = chain_name(model)
    rows = model._default_manager.order_by("chain_seq").iterator(chunk_size=2000)
    count, bad, problem = verify_rows(rows)
    if bad is not None:
        return ChainReport(
            name, count, False, f"first bad row: {model._meta.pk.attname}={bad.pk}, link {bad.chain_seq}: {problem}"
        )
    head = ChainHead.objects.filter(chain=name).first()
    length, last_hash = (head.length, head.last_hash) if head else (0, GENESIS)
    if length != count:
        return ChainReport(name, count, False, f"the chain head records {length} links but {count} were found")
    last = model._default_manager.order_by("-chain_seq").values_list("chain_hash", flat=True).first() or GENESIS
    if last != last_hash:
        return ChainReport(name, count, False, "the last link does not match the chain head")
    return ChainReport(name, count, True)


def verify_all() -> list[ChainReport]:
    return [verify_chain(model) for model in chained_models()]
