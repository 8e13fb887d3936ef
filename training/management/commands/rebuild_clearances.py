"""Rewrite every person's clearance summary from the training records, or check it against them."""

from __future__ import annotations

from core.summary_command import SummaryCommand
from training.clearance import disagreeing, rebuild


class Command(SummaryCommand):
    help = (
        "Rewrite the clearance summary the dashboard counts qualified people from (training/clearance.py), "
        "or with --check, list the people whose summary disagrees with their records and fail if any does."
    )
    rebuild, disagreeing = rebuild, disagreeing
    disagrees = "{count} people's clearance summary disagrees with their records: {shown}"
    agrees = "Every person's clearance summary agrees with their records."
    rewrote = "Rewrote the clearance summary of {count} people."
