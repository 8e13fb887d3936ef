"""Producing an export and recording it on the audit trail."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from audit.anchors import heads
from audit.verify import verify_all
from exports import signature_rows
from exports.filters import Filters
from exports.limits import Budget, make_workdir, remove_workdir
from exports.models import ExportRecord
from exports.sources import NAMES, SIGNATURES, source
from exports.writers import CHUNK, write_csv, write_json, write_xlsx

# Exports stay in memory up to this size, then spill to a temporary file: memory stays flat at any size.
SPOOL_BYTES = 1024 * 1024


class ExportFile:
    """A finished export: its file (read like one, by FileResponse), rows, SHA-256 and record.

    Closing it removes its temporary folder and runs what was asked to run at the end (freeing the user's
    export slot); FileResponse closes it when the response is closed, after sending or when the client went away.
    """

    def __init__(self, file, rows: int, sha256: str, record: ExportRecord, workdir: Path | None = None):
        self.file = file
        self.rows = rows
        self.sha256 = sha256
        self.record = record
        self.workdir = workdir
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


def export_file(
    *, name: str, fmt: str, filters: Filters, user, source_kind: str = "web", budget: Budget | None = None
) -> ExportFile:
    """A complete CSV, XLSX or JSON file (spooled), its SHA-256, and the export's record on the audit trail.

    With a budget, stops with ExportTooSlow when it runs out: nothing recorded, no temporary file left.
    """
    budget = budget or Budget(None)
    with producing(budget) as (workdir, out):
        src = budget.bounded(source(name, filters))
        if fmt == "json":
            meta = {"dataset": name, "exported_at": timezone.now().isoformat(timespec="seconds")}
            rows = write_json(src, out, {**meta, "filters": src.applied})
        elif fmt == "xlsx":
            rows = write_xlsx(src, out, tmpdir=workdir)
        else:
            rows = write_csv(src, out)
        sha = digest(out)
        record = record_export(
            user=user, dataset=name, fmt=fmt, filters=src.applied, rows=rows, sha256=sha, source_kind=source_kind
        )
    return ExportFile(out, rows, sha, record, workdir)


def evidence_pack(*, filters: Filters, user, source_kind: str = "web", budget: Budget | None = None) -> ExportFile:
    """Every dataset as CSV plus manifest.json (row counts, SHA-256 of each file, filters, who, when, chain check)."""
    budget = budget or Budget(None)
    with producing(budget) as (workdir, out):
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            files = [_pack_dataset(archive, name, filters, budget, workdir) for name in NAMES]
            budget.limit_queries()
            # The heads first: they anchor what the files were read from (``verify_audit --anchor manifest.json``).
            anchored = heads()
            chains = verify_all()
            budget.check()
            manifest = {
                "exported_at": timezone.now().isoformat(timespec="seconds"),
                "exported_by": user.get_username() if user is not None and user.is_authenticated else "command line",
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
            dataset="evidence",
            fmt="zip",
            filters=filters.as_dict(),
            rows=total,
            sha256=sha,
            source_kind=source_kind,
        )
    return ExportFile(out, total, sha, record, workdir)


def _pack_dataset(archive: zipfile.ZipFile, name: str, filters: Filters, budget: Budget, workdir: Path) -> dict:
    budget.limit_queries()
    src = budget.bounded(source(name, filters))
    with spooled(workdir) as part:
        rows = write_csv(src, part)
        sha = digest(part)
        with archive.open(f"{name}.csv", "w") as member:
            for chunk in iter(lambda: part.read(CHUNK), b""):
                member.write(chunk)
    return {"file": f"{name}.csv", "rows": rows, "sha256": sha, "filters_applied": src.applied}
