"""Rewrite the exchange summary from the exchanges, or check it against them."""

from __future__ import annotations

from core.summary_command import SummaryCommand
from partners.summary import disagreeing, rebuild


def month(row) -> str:
    partnership, home, host, function, first_day = row
    return f"partnership {partnership}, parties {home}→{host}, {function}, {first_day:%Y-%m}"


class Command(SummaryCommand):
    help = (
        "Rewrite the exchange summary the dashboard counts exchanges from (partners/summary.py), "
        "or with --check, list the months whose summary disagrees with the exchanges and fail if any does."
    )
    rebuild, disagreeing, describe = rebuild, disagreeing, month
    separator = "; "  # a month is said with commas
    disagrees = "{count} months of the exchange summary disagree with the exchanges: {shown}"
    agrees = "The exchange summary agrees with the exchanges."
    rewrote = "Rewrote the exchange summary: {count} rows."
