from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext

from milestones.models import Milestone


@dataclass
class Move:
    when: datetime.datetime
    who: str
    baseline: datetime.date
    forecast: datetime.date | None
    actual: datetime.date | None
    slip_days: int
    reason: str


def forecast_movement(milestone: Milestone) -> list[Move]:
    """Each time the milestone's dates changed, from its history: how the forecast moved over time."""
    moves, last = [], None
    rows = milestone.history.order_by("history_date", "chain_seq").values_list(
        "history_date",
        "history_user__username",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "history_change_reason",
    )
    for when, who, baseline, forecast, actual, reason in rows:
        dates = (baseline, forecast, actual)
        if dates != last:
            expected = actual or forecast or baseline
            moves.append(
                Move(
                    when, who or gettext("system"), baseline, forecast, actual, (expected - baseline).days, reason or ""
                )
            )
            last = dates
    return moves
