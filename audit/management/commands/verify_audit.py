from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_all


class Command(BaseCommand):
    help = "Walk every audit-trail hash chain. Exits 0 when all are intact, 1 naming the first bad row otherwise."

    def handle(self, *args, **options):
        reports = verify_all()
        for report in reports:
            self.stdout.write(str(report))
        broken = [report for report in reports if not report.ok]
        total = sum(report.rows for report in reports)
        if broken:
            raise CommandError(f"Audit trail BROKEN in {len(broken)} of {len(reports)} chains: {broken[0]}")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {len(reports)} chains, {total} rows."))
