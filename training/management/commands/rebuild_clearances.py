"""Rewrite every person's clearance summary from the training records, or check it against them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from training.clearance import disagreeing, rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the clearance summary the dashboard counts qualified people from (training/clearance.py), "
        "or with --check, list the people whose summary disagrees with their records and fail if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            wrong = disagreeing()
            if wrong:
                shown = ", ".join(map(str, wrong[:20]))
                raise CommandError(f"{len(wrong)} people's clearance summary disagrees with their records: {shown}")
            self.stdout.write("Every person's clearance summary agrees with their records.")
            return
        with transaction.atomic():
            written = rebuild()
        self.stdout.write(f"Rewrote the clearance summary of {written} people.")
