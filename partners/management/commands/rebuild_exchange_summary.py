"""Rewrite the exchange summary from the exchanges, or check it against them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from partners.summary import disagreeing, rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the exchange summary the dashboard counts exchanges from (partners/summary.py), "
        "or with --check, list the months whose summary disagrees with the exchanges and fail if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            wrong = disagreeing()
            if wrong:
                shown = "; ".join(
                    f"partnership {p}, parties {home}→{host}, {function}, {month:%Y-%m}"
                    for p, home, host, function, month in wrong[:20]
                )
                raise CommandError(f"{len(wrong)} months of the exchange summary disagree with the exchanges: {shown}")
            self.stdout.write("The exchange summary agrees with the exchanges.")
            return
        written = rebuild()
        self.stdout.write(f"Rewrote the exchange summary: {written} rows.")
