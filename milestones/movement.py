"""How a milestone's dates moved, read from its history rows.

Two kinds of move, told apart here and nowhere else:
- a **re-baseline**: the baseline date itself moved, which only a cited, approved decision allows
  (``Milestone.clean``); what the milestone is measured against changed;
- a **slip** (or gain): the forecast or actual date moved against the baseline in force; it needs only a reason.
One save can be both (a decision moves the baseline and the forecast with it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Max, Q, QuerySet, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext

from milestones.models import Milestone
from partners.names import local_name

if TYPE_CHECKING:
    from governance.models import Decision

# (baseline, forecast, actual) as one history row holds them.
Dates = tuple[datetime.date, datetime.date | None, datetime.date | None]

# The re-baselines the dashboard lists, newest first; the count says how many more there are.
REBASELINES_SHOWN = 50

CHRONOLOGICAL = ("history_date", "chain_seq")


def is_rebaseline(before: Dates | None, after: Dates) -> bool:
    """The baseline itself moved (the first baseline, set on creation, is not a re-baseline)."""
    return before is not None and before[0] != after[0]


def is_forecast_move(before: Dates | None, after: Dates) -> bool:
    """The forecast or actual date moved (a milestone created with a forecast off its baseline counts)."""
    if before is None:
        return after[1:] != (None, None)
    return before[1:] != after[1:]


@dataclass
class Move:
    when: datetime.datetime
    who: str
    baseline: datetime.date
    forecast: datetime.date | None
    actual: datetime.date | None
    slip_days: int
    reason: str
    rebaseline: bool = False


@dataclass
class BaselineChange:
    """One baseline the milestone has had: the first one (``previous`` None) or a re-baseline."""

    when: datetime.datetime
    who: str
    baseline: datetime.date
    previous: datetime.date | None
    decision: Decision | None
    reason: str
    milestone_id: int | None = None
    title: str = ""

    @property
    def days(self) -> int | None:
        """How far the baseline moved (positive: later)."""
        return None if self.previous is None else (self.baseline - self.previous).days


def _who(username: str | None) -> str:
    return username or gettext("system")


def forecast_movement(milestone: Milestone) -> list[Move]:
    """Each time the milestone's dates changed, from its history: how the forecast moved over time."""
    moves: list[Move] = []
    last: Dates | None = None
    rows = milestone.history.order_by(*CHRONOLOGICAL).values_list(
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
                    when,
                    _who(who),
                    baseline,
                    forecast,
                    actual,
                    (expected - baseline).days,
                    reason or "",
                    rebaseline=is_rebaseline(last, dates),
                )
            )
            last = dates
    return moves


def baseline_history(milestone: Milestone) -> list[BaselineChange]:
    """The baselines the milestone has had, oldest first, each with the decision that set it (one query)."""
    changes: list[BaselineChange] = []
    rows = milestone.history.select_related("history_user", "baseline_decision").order_by(*CHRONOLOGICAL)
    previous: datetime.date | None = None
    for row in rows:
        if changes and row.baseline_date == previous:
            continue
        changes.append(
            BaselineChange(
                when=row.history_date,
                who=_who(row.history_user.get_username() if row.history_user else None),
                baseline=row.baseline_date,
                previous=previous,
                decision=row.baseline_decision if changes else None,
                reason=row.history_change_reason or "",
                milestone_id=row.id,
                title=local_name(row.title, row.title_ja),
            )
        )
        previous = row.baseline_date
    return changes


def rebaseline_rows(milestones: QuerySet[Milestone]) -> QuerySet:
    """History rows where the baseline of one of ``milestones`` moved, newest first.

    The previous baseline comes from the row before in the same milestone's history (a window function), so
    the database finds the moves whatever the length of the histories.
    """
    history = Milestone.history.filter(id__in=milestones.values("pk"))
    return (
        history.annotate(
            previous_baseline=Window(
                Lag("baseline_date"), partition_by=[F("id")], order_by=[F(name).asc() for name in CHRONOLOGICAL]
            )
        )
        .filter(Q(previous_baseline__lt=F("baseline_date")) | Q(previous_baseline__gt=F("baseline_date")))
        .order_by(*(f"-{name}" for name in CHRONOLOGICAL))
    )


def recent_rebaselines(milestones: QuerySet[Milestone], limit: int = REBASELINES_SHOWN) -> list[BaselineChange]:
    """The latest ``limit`` re-baselines of ``milestones``, each with its decision (one query)."""
    rows = rebaseline_rows(milestones).select_related("history_user", "baseline_decision")[:limit]
    return [
        BaselineChange(
            when=row.history_date,
            who=_who(row.history_user.get_username() if row.history_user else None),
            baseline=row.baseline_date,
            previous=row.previous_baseline,
            decision=row.baseline_decision,
            reason=row.history_change_reason or "",
            milestone_id=row.id,
            title=local_name(row.title, row.title_ja),
        )
        for row in rows
    ]


@dataclass
class DateMove:
    """One save that moved a milestone's dates, for a list of what changed in a period (e.g. a digest)."""

    milestone_id: int
    title: str
    when: datetime.datetime
    who: str
    before: Dates
    after: Dates
    reason: str
    rebaseline: bool
    forecast_moved: bool
    decision_number: str = ""

    @staticmethod
    def expected(dates: Dates) -> datetime.date:
        baseline, forecast, actual = dates
        return actual or forecast or baseline

    @property
    def expected_before(self) -> datetime.date:
        return self.expected(self.before)

    @property
    def expected_after(self) -> datetime.date:
        return self.expected(self.after)

    @property
    def expected_moved(self) -> bool:
        """The date the milestone is expected (or was reached) changed: marking it done on its forecast did not."""
        return self.expected(self.before) != self.expected(self.after)

    @property
    def slip_days(self) -> int:
        """Days behind the baseline in force after the move (negative: ahead)."""
        return (self.expected(self.after) - self.after[0]).days


def moves_between(since: datetime.datetime, until: datetime.datetime) -> list[DateMove]:
    """Every save in ``(since, until]`` that re-baselined a milestone or moved its forecast or actual date, oldest
    first, each compared with the row before it (which may be older than ``since``)."""
    history = Milestone.history.filter(history_date__lte=until)
    moved_ids = history.filter(history_date__gt=since).values("id")
    rows = (
        history.filter(id__in=moved_ids)
        .order_by("id", *CHRONOLOGICAL)
        .values_list(
            "id",
            "title",
            "title_ja",
            "history_date",
            "history_user__username",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "history_change_reason",
            "baseline_decision__number",
        )
    )
    moves: list[DateMove] = []
    previous: dict[int, Dates] = {}
    for pk, title, title_ja, when, who, baseline, forecast, actual, reason, number in rows:
        dates = (baseline, forecast, actual)
        before = previous.get(pk)
        previous[pk] = dates
        if when <= since or before is None:
            continue  # the row a later one is compared with; a creation is not a move
        rebaseline, forecast_moved = is_rebaseline(before, dates), is_forecast_move(before, dates)
        if rebaseline or forecast_moved:
            moves.append(
                DateMove(
                    pk,
                    local_name(title, title_ja),
                    when,
                    _who(who),
                    before,
                    dates,
                    reason or "",
                    rebaseline,
                    forecast_moved,
                    (number or "") if rebaseline else "",
                )
            )
    return sorted(moves, key=lambda move: (move.when, move.milestone_id))


def states_at(when: datetime.datetime) -> dict[int, Milestone]:
    """Each milestone as it stood at ``when`` (its latest history row by then; deleted ones left out), one query."""
    history = Milestone.history.filter(history_date__lte=when)
    latest = history.values("id").annotate(last=Max("chain_seq")).values("last")
    return {row.id: row.instance for row in history.filter(chain_seq__in=latest) if row.history_type != "-"}
