"""Rewrite the summary of held qualifications from the training records, or check it against them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from training.holdings import disagreeing, rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the summary of held qualifications the dashboard counts what expires soon from "
        "(training/holdings.py), or with --check, list the person and requirement pairs whose summary disagrees "
        "with their records and fail if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            wrong = disagreeing()
            if wrong:
                shown = ", ".join(f"{person}/{requirement}" for person, requirement in wrong[:20])
                raise CommandError(
                    f"{len(wrong)} held qualifications (person/requirement) disagree with their records: {shown}"
                )
            self.stdout.write("Every held qualification in the summary agrees with its records.")
            return
        with transaction.atomic():
            written = rebuild()
        self.stdout.write(f"Rewrote {written} held qualifications in the summary.")
