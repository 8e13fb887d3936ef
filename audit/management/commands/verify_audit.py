from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.anchors import AnchorFileError, load
from audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Walk every audit-trail hash chain and check each history table's append-only triggers. With --anchor, also "
        "check that every chain still holds the head recorded in a checkpoint file or an evidence pack's manifest. "
        "Exits 0 when all is intact, 1 naming each broken chain otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE",
            help="A file written by audit_checkpoint, or manifest.json from an evidence pack (may be repeated).",
        )

    def handle(self, *args, anchor, **options):
        try:
            anchors = [head for path in anchor for head in load(path)]
        except AnchorFileError as error:
            raise CommandError(str(error)) from None
        reports = verify_all(anchors)
        for report in reports:
            self.stdout.write(str(report))
        broken = [report for report in reports if not report.ok]
        total = sum(report.rows for report in reports)
        if broken:
            names = ", ".join(report.chain for report in broken)
            raise CommandError(f"Audit trail BROKEN in {len(broken)} of {len(reports)} chains ({names}): {broken[0]}")
        anchored = f", {len(anchors)} anchored heads still in place" if anchors else ""
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {len(reports)} chains, {total} rows{anchored}."))
