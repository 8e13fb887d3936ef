"""Delete finished export files kept past their time, and fail jobs whose worker was lost. For cron, e.g. hourly."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from exports.jobs import purge


class Command(BaseCommand):
    help = (
        "Delete export-job files older than EXPORT_JOB_KEEP_HOURS (24 by default), and mark failed the jobs still "
        "queued or running after EXPORT_JOB_STALE_HOURS (6)."
    )

    def handle(self, *args, **options):
        expired, failed = purge()
        self.stdout.write(
            f"Expired {expired} export file(s) older than {settings.EXPORT_JOB_KEEP_HOURS} hours; "
            f"marked {failed} lost job(s) failed."
        )
