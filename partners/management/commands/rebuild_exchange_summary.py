"""Rewrite the exchange summary from the exchanges, or check it against them."""

from __future__ import annotations

from core.summary_command import SummaryCommand
from partners.models import ExchangeDay
from partners.summary import disagreeing, rebuild


def row(key) -> str:
    if key[0] is ExchangeDay:
        _model, partnership, home, host, day = key
        return f"partnership {partnership}, parties {home}→{host}, {day:%Y-%m-%d}"
    _model, partnership, home, host, function, first_day = key
    return f"partnership {partnership}, parties {home}→{host}, {function}, {first_day:%Y-%m}"


class Command(SummaryCommand):
    help = (
        "Rewrite the exchange summary the dashboard counts exchanges from (partners/summary.py), "
        "or with --check, list the months and days whose summary disagrees with the exchanges and fail if any does."
    )
    rebuild, disagreeing, describe = rebuild, disagreeing, row
    separator = "; "  # a row is said with commas
    disagrees = "{count} months or days of the exchange summary disagree with the exchanges: {shown}"
    agrees = "The exchange summary agrees with the exchanges."
    rewrote = "Rewrote the exchange summary: {count} rows."
