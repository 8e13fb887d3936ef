"""Rewrite the summary of held qualifications from the training records, or check it against them."""

from __future__ import annotations

from core.summary_command import SummaryCommand
from training.holdings import disagreeing, rebuild


def pair(row) -> str:
    person, requirement = row
    return f"{person}/{requirement}"


class Command(SummaryCommand):
    help = (
        "Rewrite the summary of held qualifications the dashboard counts what expires soon from "
        "(training/holdings.py), or with --check, list the person and requirement pairs whose summary disagrees "
        "with their records and fail if any does."
    )
    rebuild, disagreeing, describe = rebuild, disagreeing, pair
    disagrees = "{count} held qualifications (person/requirement) disagree with their records: {shown}"
    agrees = "Every held qualification in the summary agrees with its records."
    rewrote = "Rewrote {count} held qualifications in the summary."
