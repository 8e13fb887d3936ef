"""Rewrite every person's clearance summary from the training records, or check it against them."""

from __future__ import annotations

from core.summary_command import SummaryCommand
from training.clearance import disagreeing, rebuild
from training.models import ClearanceCount


def row(item) -> str:
    """A person's id, or a count: its site, function and first day not cleared."""
    if isinstance(item, int):
        return f"person {item}"
    site, function, until = item
    if until == ClearanceCount.NOT_CLEARED:
        return f"the count of site {site}, {function}, not cleared"
    return (
        f"the count of site {site}, {function}, cleared until {'no end' if until == ClearanceCount.NO_END else until}"
    )


class Command(SummaryCommand):
    help = (
        "Rewrite the clearance summary the dashboard counts qualified people from (training/clearance.py), "
        "or with --check, list the people whose summary disagrees with their records, and the counts that are not "
        "the sum of the people's rows, and fail if any does."
    )
    rebuild, disagreeing, describe = rebuild, disagreeing, row
    separator = "; "  # a count is said with commas
    disagrees = "{count} rows of the clearance summary disagree with the records: {shown}"
    agrees = "Every person's clearance summary agrees with their records."
    rewrote = "Rewrote the clearance summary of {count} people."
