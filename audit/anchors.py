"""Anchors: each chain's head written down outside the database, so a rewrite inside it cannot go unseen.

Someone who can switch the triggers off can rewrite a chain and recompute every later hash; the chain then
verifies on its own. An anchor taken earlier (``audit_checkpoint``, or the heads in an evidence pack's
manifest) still names the row that was at the head and its hash: if the chain no longer holds that row with
that hash, it was rewritten, rolled back or truncated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import models

from audit.chain import GENESIS, chain_name
from audit.registry import chained_models


@dataclass(frozen=True)
class Anchor:
    chain: str
    seq: int
    hash: str
    at: str | None = None  # when the anchored row was written

    def as_dict(self) -> dict:
        return {"chain": self.chain, "seq": self.seq, "hash": self.hash, "at": self.at}


def head_of(model: type[models.Model]) -> Anchor:
    # A many-to-many snapshot row has no date of its own: it was written with the history row it belongs to.
    names = {field.name for field in model._meta.get_fields()}
    written = getattr(model, "chain_written_at", None) or (
        "history_date" if "history_date" in names else "history__history_date"
    )
    last = model._default_manager.order_by("-chain_seq").values("chain_seq", "chain_hash", written).first()
    if last is None:
        return Anchor(chain_name(model), 0, GENESIS)
    return Anchor(chain_name(model), last["chain_seq"], last["chain_hash"], last[written].isoformat())


def heads() -> list[dict]:
    """Every chain's head, as a checkpoint file and an evidence manifest write them."""
    return [head_of(model).as_dict() for model in chained_models()]


class AnchorFileError(ValueError):
    pass


def load(path: str | Path) -> list[Anchor]:
    """The heads in a checkpoint file or in an evidence pack's manifest.json."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        heads = data["heads"] if "heads" in data else data["audit_chain"]["heads"]
        return [Anchor(h["chain"], int(h["seq"]), str(h["hash"]), h.get("at")) for h in heads]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AnchorFileError(
            f"{path} is not a checkpoint or an evidence manifest with chain heads ({error})"
        ) from None


def anchor_problem(model: type[models.Model], anchor: Anchor) -> str:
    """Why ``model``'s chain no longer matches ``anchor``, or "" when it still holds the anchored row."""
    if anchor.seq == 0:
        return ""
    found = model._default_manager.filter(chain_seq=anchor.seq).values_list("chain_hash", flat=True).first()
    when = f" (anchored at {anchor.at})" if anchor.at else ""
    if found is None:
        return f"link {anchor.seq}{when} is gone: the chain was rolled back or truncated"
    if found != anchor.hash:
        return f"link {anchor.seq}{when} no longer has the anchored hash: the chain was rewritten"
    return ""
