"""The one shape of the commands that rewrite a summary kept on write, or check it against its records."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class SummaryCommand(BaseCommand):
    """``rebuild()`` rewrites the summary and returns how many rows it wrote; ``disagreeing()`` lists what disagrees
    with the records, each item said by ``describe``. The messages take ``{count}`` and ``{shown}``."""

    rebuild: Callable[[], int]
    disagreeing: Callable[[], list]
    describe: Callable[[object], str] = str
    separator = ", "
    disagrees: str
    agrees: str
    rewrote: str

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            wrong = type(self).disagreeing()
            if wrong:
                shown = self.separator.join(type(self).describe(item) for item in wrong[:20])
                raise CommandError(self.disagrees.format(count=len(wrong), shown=shown))
            self.stdout.write(self.agrees)
            return
        with transaction.atomic():
            written = type(self).rebuild()
        self.stdout.write(self.rewrote.format(count=written))
