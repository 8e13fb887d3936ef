"""Bounds on an export made in a web request, until exports run as background jobs.

- **Slots**: a user holds at most EXPORT_SLOTS_PER_USER exports at once, counted in the database so every worker
  process sees the same count. A slot is freed when its response is closed (sent, failed or abandoned by the
  client), and a slot older than EXPORT_SLOT_STALE_SECONDS, left by a killed worker, by the next export.
- **Time budget**: an export stops with a message once it has run EXPORT_TIME_BUDGET_SECONDS, checked between
  rows and, on PostgreSQL, by a statement timeout on its queries, so the worker is never killed for it.
- **Temporary files**: each export spills into a folder of its own, removed when the export ends however it ends;
  a folder left by a killed worker is removed by a later export.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from exports.models import ExportSlot
from exports.sources import Source

# PostgreSQL's code for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"
# Rows written between two looks at the clock.
CHECK_EVERY = 200


class ExportsBusy(Exception):
    """The user already holds every export slot."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class ExportTooSlow(Exception):
    """The export ran out of its time budget; nothing was recorded or sent."""


def acquire_slot(user) -> ExportSlot:
    """One of the user's export slots, or ExportsBusy saying when one should be free."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.EXPORT_SLOT_STALE_SECONDS)
    ExportSlot.objects.filter(started_at__lt=stale).delete()
    for number in range(1, settings.EXPORT_SLOTS_PER_USER + 1):
        try:
            with transaction.atomic():
                return ExportSlot.objects.create(user=user, number=number, started_at=now)
        except IntegrityError:
            continue  # held by another export of this user, in this process or another
    oldest = ExportSlot.objects.filter(user=user).values_list("started_at", flat=True).first()
    held_for = (now - oldest).total_seconds() if oldest else 0
    raise ExportsBusy(retry_after=max(1, math.ceil(settings.EXPORT_TIME_BUDGET_SECONDS - held_for)))


def release_slot(slot: ExportSlot) -> None:
    ExportSlot.objects.filter(pk=slot.pk).delete()


class Budget:
    """A deadline for one export; ``Budget(None)`` (the command line) never runs out."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds

    @classmethod
    def for_web(cls) -> Budget:
        return cls(settings.EXPORT_TIME_BUDGET_SECONDS)

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise ExportTooSlow

    def limit_queries(self) -> None:
        """On PostgreSQL, cancel any query of this transaction still running when the budget runs out."""
        self.check()
        if self.deadline is None or connection.vendor != "postgresql":
            return
        remaining = max(1, int((self.deadline - time.monotonic()) * 1000))
        with connection.cursor() as cursor:
            # set_config(..., true) is SET LOCAL: it ends with the export's transaction.
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{remaining}ms"])

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Inside an atomic block: queries limited to the budget, and a cancelled query reported as ExportTooSlow."""
        self.limit_queries()
        try:
            yield
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) == QUERY_CANCELED:
                raise ExportTooSlow from error
            raise

    def bounded(self, src: Source) -> Source:
        """The same dataset, stopping with ExportTooSlow once the budget is spent: its rows, where Python writes them,
        checked every CHECK_EVERY rows; its SELECTs, where PostgreSQL COPYs them (the audit trail has one per record
        type), each started under the time then left."""
        if self.deadline is None:
            return src
        rows, copy_selects = src.rows, src.copy_selects

        def iterate():
            for index, row in enumerate(rows()):
                if index % CHECK_EVERY == 0:
                    self.check()
                yield row

        def each(selects):
            for select in selects:
                self.limit_queries()
                yield select

        @contextlib.contextmanager
        def limited_selects():
            with copy_selects() as selects:
                yield each(selects)

        return replace(src, rows=iterate, copy_selects=limited_selects if copy_selects is not None else None)


def make_workdir() -> Path:
    """A new folder for one export's temporary files (named for this process, so a sweep can tell it is alive)."""
    root = Path(settings.EXPORT_TEMP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    sweep(root)
    return Path(tempfile.mkdtemp(prefix=f"export-{os.getpid()}-", dir=root))


def remove_workdir(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(root: Path) -> None:
    """Remove folders that a killed worker left behind: older than the stale age, and their process gone."""
    cutoff = time.time() - settings.EXPORT_SLOT_STALE_SECONDS
    for folder in root.glob("export-*"):
        try:
            old = folder.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue
        if old and not _alive(folder.name.split("-")[1]):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True  # exists, under another user
    return True
