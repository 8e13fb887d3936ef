"""Producing an export and recording it on the audit trail."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from audit.anchors import heads
from audit.verify import verify_all
from exports import signature_rows
from exports.filters import Filters
from exports.limits import Budget, make_workdir, remove_workdir
from exports.models import ExportRecord
from exports.sources import NAMES, SIGNATURES, Source, source
from exports.writers import CHUNK, write_csv, write_json, write_xlsx

# Exports stay in memory up to this size, then spill to a temporary file: memory stays flat at any size.
SPOOL_BYTES = 1024 * 1024


class ExportFile:
    """A finished export: its file (read like one, by FileResponse), rows, SHA-256 and record.

    Closing it removes its temporary folder and runs what was asked to run at the end (freeing the user's
    export slot); FileResponse closes it when the response is closed, after sending or when the client went away.
    """

    def __init__(
        self,
        file,
        rows: int,
        sha256: str,
        record: ExportRecord,
        workdir: Path | None = None,
        manifest: dict | None = None,
    ):
        self.file = file
        self.rows = rows
        self.sha256 = sha256
        self.record = record
        self.workdir = workdir
        self.manifest = manifest or {}
        self.closers: list[Callable[[], None]] = []

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()

    def close(self) -> None:
        try:
            self.file.close()
            remove_workdir(self.workdir)
        finally:
            closers, self.closers = self.closers, []
            for closer in closers:
                closer()

    def __enter__(self) -> ExportFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Progress:
    """Counts the rows an export writes and reports the total every ``every`` rows; ``Progress()`` reports nowhere.

    PostgreSQL's COPY writes a table's CSV without the rows passing through Python: its count is reported when
    the file is complete (``settle``).
    """

    def __init__(self, report: Callable[[int], None] | None = None, every: int = 1000):
        self.report = report
        self.every = max(1, every)
        self.done = 0

    def counted(self, src: Source) -> Source:
        if self.report is None:
            return src
        rows = src.rows

        def iterate():
            for row in rows():
                yield row
                self.done += 1
                if self.done % self.every == 0:
                    self.report(self.done)

        return replace(src, rows=iterate)

    def settle(self, done: int) -> None:
        self.done = done
        if self.report is not None:
            self.report(done)


def spooled(workdir: Path | None = None):
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b", dir=workdir)


def digest(file) -> str:
    file.seek(0)
    sha = hashlib.sha256()
    for chunk in iter(lambda: file.read(CHUNK), b""):
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


def record_export(*, user, dataset: str, fmt: str, filters: dict, rows: int, sha256: str = "", source_kind="web"):
    record = ExportRecord(
        user=user if user is not None and user.is_authenticated else None,
        dataset=dataset,
        format=fmt,
        filters=filters,
        row_count=rows,
        sha256=sha256,
        source=source_kind,
    )
    record._change_reason = f"Export of {dataset} as {fmt}"
    record.save()
    return record


@contextlib.contextmanager
def producing(budget: Budget) -> Iterator[tuple[Path, tempfile.SpooledTemporaryFile]]:
    """A folder and a spooled file for one export, written in one transaction within the budget.

    If anything stops it (an error, the budget, the worker shutting down), the folder goes, with whatever
    XlsxWriter or the spooled file had put in it.
    """
    workdir = make_workdir()
    out = spooled(workdir)
    try:
        with transaction.atomic(), budget.running():
            yield workdir, out
    except BaseException:
        out.close()
        remove_workdir(workdir)
        raise


def exported_by(user) -> str:
    return user.get_username() if user is not None and user.is_authenticated else "command line"


def export_file(
    *,
    name: str,
    fmt: str,
    filters: Filters,
    user,
    source_kind: str = "web",
    budget: Budget | None = None,
    progress: Progress | None = None,
) -> ExportFile:
    """A complete CSV, XLSX or JSON file (spooled), its SHA-256, and the export's record on the audit trail.

    With a budget, stops with ExportTooSlow when it runs out: nothing recorded, no temporary file left.
    """
    budget = budget or Budget(None)
    progress = progress or Progress()
    with producing(budget) as (workdir, out):
        src = progress.counted(budget.bounded(source(name, filters)))
        if fmt == "json":
            meta = {"dataset": name, "exported_at": timezone.now().isoformat(timespec="seconds")}
            rows = write_json(src, out, {**meta, "filters": src.applied})
        elif fmt == "xlsx":
            rows = write_xlsx(src, out, tmpdir=workdir)
        else:
            rows = write_csv(src, out)
        progress.settle(rows)
        sha = digest(out)
        record = record_export(
            user=user, dataset=name, fmt=fmt, filters=src.applied, rows=rows, sha256=sha, source_kind=source_kind
        )
    manifest = {
        "dataset": name,
        "format": fmt,
        "exported_at": record.exported_at.isoformat(timespec="seconds"),
        "exported_by": exported_by(user),
        "filters": src.applied,
        "rows": rows,
        "sha256": sha,
    }
    return ExportFile(out, rows, sha, record, workdir, manifest)


def expected_rows(name: str, filters: Filters) -> int:
    """Rows an export will write (for the evidence pack, every dataset's): one COUNT per dataset."""
    names = NAMES if name == EVIDENCE else [name]
    return sum(source(each, filters).count() for each in names)


EVIDENCE = "evidence"


def evidence_pack(
    *,
    filters: Filters,
    user,
    source_kind: str = "web",
    budget: Budget | None = None,
    progress: Progress | None = None,
) -> ExportFile:
    """Every dataset as CSV plus manifest.json (row counts, SHA-256 of each file, filters, who, when, chain check)."""
    budget = budget or Budget(None)
    progress = progress or Progress()
    with producing(budget) as (workdir, out):
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            files = []
            for name in NAMES:
                before = progress.done
                files.append(_pack_dataset(archive, name, filters, budget, workdir, progress))
                progress.settle(before + files[-1]["rows"])
            budget.limit_queries()
            # The heads first: they anchor what the files were read from (``verify_audit --anchor manifest.json``).
            anchored = heads()
            chains = verify_all()
            budget.check()
            manifest = {
                "exported_at": timezone.now().isoformat(timespec="seconds"),
                "exported_by": exported_by(user),
                "filters": filters.as_dict(),
                "files": files,
                "signatures": {
                    "exported": next(f["rows"] for f in files if f["file"] == f"{SIGNATURES}.csv"),
                    # Signed, then changed: each still names what was signed, but no longer what the record says.
                    "not_covering_their_record": signature_rows.not_covering(filters),
                },
                "audit_chain": {
                    "intact": all(chain.ok for chain in chains),
                    "chains": [
                        {"chain": c.chain, "rows": c.rows, "intact": c.ok, "problem": c.problem} for c in chains
                    ],
                    "heads": anchored,
                },
            }
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        sha = digest(out)
        total = sum(f["rows"] for f in files)
        record = record_export(
            user=user,
            dataset=EVIDENCE,
            fmt="zip",
            filters=filters.as_dict(),
            rows=total,
            sha256=sha,
            source_kind=source_kind,
        )
    return ExportFile(out, total, sha, record, workdir, manifest)


def _pack_dataset(
    archive: zipfile.ZipFile, name: str, filters: Filters, budget: Budget, workdir: Path, progress: Progress
) -> dict:
    budget.limit_queries()
    src = progress.counted(budget.bounded(source(name, filters)))
    with spooled(workdir) as part:
        rows = write_csv(src, part)
        sha = digest(part)
        with archive.open(f"{name}.csv", "w") as member:
            for chunk in iter(lambda: part.read(CHUNK), b""):
                member.write(chunk)
    return {"file": f"{name}.csv", "rows": rows, "sha256": sha, "filters_applied": src.applied}
