from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from audit.anchors import heads
from audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Write each audit chain's head (table, link, hash, time) as JSON, to keep outside the database as an anchor "
        "for `verify_audit --anchor FILE`. Refuses to anchor a trail that does not verify."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", metavar="FILE", help="Where to write the checkpoint (default: standard output)."
        )

    def handle(self, *args, output=None, **options):
        # Heads first, then the check: a row appended in between is after the anchor and changes nothing.
        anchored = heads()
        broken = [report for report in verify_all() if not report.ok]
        if broken:
            raise CommandError(f"Not anchoring a broken audit trail: {broken[0]}")
        checkpoint = {
            "kind": "audit checkpoint",
            "taken_at": timezone.now().isoformat(timespec="seconds"),
            "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
            "heads": anchored,
        }
        text = json.dumps(checkpoint, ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"Anchored {len(anchored)} chains in {output}.")
        else:
            self.stdout.write(text, ending="")
