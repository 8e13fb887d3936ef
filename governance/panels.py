"""The governance panels of the dashboard: the risk heat map, overdue actions and risks past review.

Each reads a fixed number of queries whatever the size of the register; the lists show the worst first and say
how many more there are.
"""

from __future__ import annotations

from governance.heatmap import heat_map
from governance.models import Action, Risk
from milestones.panels import Board, Panel

# How many rows each list shows before it says how many more there are.
ROWS_SHOWN = 25


def _scoped(queryset, board: Board):
    """The governance records of the partnership the dashboard is filtered to (all of them without one)."""
    partnership = board.filters.partnership
    return queryset.filter(partnership=partnership) if partnership else queryset


class RiskHeatMap(Panel):
    template_name = "governance/_risk_heatmap.html"
    reads = ("governance.Risk",)
    refers_to = ("partners.Partnership",)

    def get_context(self, board: Board) -> dict:
        return {"heatmap": heat_map(_scoped(Risk.objects.filter(status=Risk.Status.OPEN), board))}


class Overdue(Panel):
    template_name = "governance/_overdue.html"
    # Overdue actions and risks past review, with their owners and the decision or meeting an action came from.
    reads = ("governance.Action", "governance.Risk")
    refers_to = ("partners.Person", "partners.Partnership", "governance.Decision", "governance.Meeting")

    def get_context(self, board: Board) -> dict:
        today = board.today
        actions = _scoped(Action.objects.overdue(today), board)
        shown = list(actions.select_related("owner", "decision", "meeting").order_by("due_on", "pk")[:ROWS_SHOWN])
        for action in shown:
            action.days_overdue = (today - action.due_on).days
        risks = _scoped(Risk.objects.past_review(today), board)
        past = list(risks.select_related("owner").order_by("review_on", "pk")[:ROWS_SHOWN])
        for risk in past:
            risk.days_past_review = (today - risk.review_on).days
        return {
            "overdue_actions": shown,
            "overdue_total": actions.count(),
            "past_review": past,
            "past_review_total": risks.count(),
        }
