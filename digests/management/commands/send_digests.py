"""Send each user who wants one their daily digest (run from cron, hourly or daily; see docs/digests.md)."""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from digests.services import Result, send_all

SENT = {Result.SENT, Result.DRY_RUN}


class Command(BaseCommand):
    help = "Email each user who wants one their digest for today in their own time zone (at most once a day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print each digest that would go out; send and record nothing."
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="The day (YYYY-MM-DD) to send for, in every user's time zone, instead of each one's today.",
        )
        parser.add_argument("--user", action="append", default=[], help="Only this username (repeatable).")

    def handle(self, *args, dry_run: bool, date: datetime.date | None, user: list[str], **options):
        counts: Counter = Counter()
        for outcome in send_all(now=timezone.now(), day=date, dry_run=dry_run, usernames=user):
            counts[outcome.result] += 1
            who = f"{outcome.user.get_username()} <{outcome.user.email}>"
            if outcome.result == Result.FAILED:
                self.stderr.write(f"{outcome.result.label:<11}{who}: {outcome.error}")
            elif outcome.result in SENT:
                self.stdout.write(f"{outcome.result.label:<11}{who} ({outcome.day}): {outcome.summary}")
                if dry_run:
                    self.stdout.write(preview(outcome.message))
        sent = sum(counts[result] for result in SENT)
        skipped = ", ".join(
            f"{n} {result.label}" for result, n in sorted(counts.items()) if result not in SENT | {Result.FAILED}
        )
        total = sum(counts.values()) - sent - counts[Result.FAILED]
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{verb} {sent}; skipped {total}" + (f" ({skipped})" if skipped else ""))
        if counts[Result.FAILED]:
            raise CommandError(f"{counts[Result.FAILED]} digest(s) failed; the next run tries them again.")


def preview(message) -> str:
    rule = "-" * 72
    return f"{rule}\nTo: {', '.join(message.to)}\nSubject: {message.subject}\n\n{message.body}{rule}"
