"""Delete spreadsheet uploads that were neither confirmed nor cancelled in time. For cron, e.g. hourly."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from training.imports.services import purge_expired_uploads


class Command(BaseCommand):
    help = "Delete import uploads older than TRAINING_IMPORT_UPLOAD_HOURS (24 by default)."

    def handle(self, *args, **options):
        deleted = purge_expired_uploads()
        self.stdout.write(f"Deleted {deleted} upload(s) older than {settings.TRAINING_IMPORT_UPLOAD_HOURS} hours.")
