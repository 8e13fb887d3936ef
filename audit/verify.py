"""Walking every hash chain: what ``verify_audit`` and the evidence manifest report.

A chain is intact when every link hashes its predecessor and its own content, the chain head agrees with the
last link, the table's append-only triggers stand and fire, and, given an anchor, the chain still holds the
anchored link with the anchored hash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections, models, router

from audit import protection
from audit.anchors import Anchor, anchor_problem
from audit.chain import GENESIS, chain_name, verify_rows
from audit.models import ChainHead
from audit.registry import chained_models


@dataclass
class ChainReport:
    chain: str
    rows: int
    ok: bool
    problem: str = ""
    anchored_at: int | None = None  # the anchored link this chain was checked against

    def __str__(self) -> str:
        if not self.ok:
            return f"{self.chain}: {self.rows} rows, BROKEN — {self.problem}"
        anchored = f" (still holds anchored link {self.anchored_at})" if self.anchored_at else ""
        return f"{self.chain}: {self.rows} rows, intact{anchored}"


def link_problems(model: type[models.Model]) -> tuple[int, list[str]]:
    rows = model._default_manager.order_by("chain_seq").iterator(chunk_size=2000)
    count, bad, problem = verify_rows(rows)
    if bad is not None:
        return count, [f"first bad row: {model._meta.pk.attname}={bad.pk}, link {bad.chain_seq}: {problem}"]
    head = ChainHead.objects.filter(chain=chain_name(model)).first()
    length, last_hash = (head.length, head.last_hash) if head else (0, GENESIS)
    if length != count:
        return count, [f"the chain head records {length} links but {count} were found"]
    last = model._default_manager.order_by("-chain_seq").values_list("chain_hash", flat=True).first() or GENESIS
    if last != last_hash:
        return count, ["the last link does not match the chain head"]
    return count, []


def verify_chain(model: type[models.Model], anchors: Sequence[Anchor] = ()) -> ChainReport:
    count, problems = link_problems(model)
    connection = connections[router.db_for_read(model)]
    table = model._meta.db_table
    problems += protection.protection_problems(connection, table)
    problems += [problem for anchor in anchors if (problem := anchor_problem(model, anchor))]
    newest = max((anchor.seq for anchor in anchors), default=0)
    return ChainReport(chain_name(model), count, not problems, "; ".join(problems), newest if not problems else None)


def chain_head_report() -> ChainReport | None:
    """The chain heads' own table: its triggers keep a head from being reset to hide a rollback."""
    connection = connections[router.db_for_read(ChainHead)]
    table = ChainHead._meta.db_table
    problems = protection.protection_problems(connection, table, chain_head=True)
    return ChainReport(table, ChainHead.objects.count(), False, "; ".join(problems)) if problems else None


def verify_all(anchors: list[Anchor] | None = None) -> list[ChainReport]:
    """One report per chain; with anchors, each anchored chain is also checked against its anchor."""
    # Every anchor counts, not only the newest of a chain: a newer one may have been taken after a rewrite.
    by_chain: dict[str, list[Anchor]] = defaultdict(list)
    for anchor in anchors or []:
        by_chain[anchor.chain].append(anchor)
    models_ = chained_models()
    reports = [verify_chain(model, by_chain.get(chain_name(model), [])) for model in models_]
    known = {chain_name(model) for model in models_}
    reports += [
        ChainReport(name, 0, False, "anchored, but no such history table exists any more")
        for name in sorted(by_chain.keys() - known)
    ]
    if head_report := chain_head_report():
        reports.append(head_report)
    return reports
