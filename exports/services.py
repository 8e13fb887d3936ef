"""Producing an export and recording it on the audit trail."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.anchors import head_of
from audit.verify import chained_models, verify_all
from exports.filters import Filters
from exports.models import ExportRecord
from exports.sources import NAMES, source
from exports.writers import CHUNK, write_csv, write_xlsx

# Exports stay in memory up to this size, then spill to a temporary file: memory stays flat at any size.
SPOOL_BYTES = 1024 * 1024


@dataclass
class ExportFile:
    file: object
    rows: int
    sha256: str
    record: ExportRecord


def spooled():
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")


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


@transaction.atomic
def export_file(*, name: str, fmt: str, filters: Filters, user, source_kind: str = "web") -> ExportFile:
    """A complete CSV or XLSX file (spooled), its SHA-256, and the export's record on the audit trail."""
    src = source(name, filters)
    out = spooled()
    rows = write_csv(src, out) if fmt == "csv" else write_xlsx(src, out)
    sha = digest(out)
    record = record_export(
        user=user, dataset=name, fmt=fmt, filters=src.applied, rows=rows, sha256=sha, source_kind=source_kind
    )
    return ExportFile(out, rows, sha, record)


@transaction.atomic
def evidence_pack(*, filters: Filters, user, source_kind: str = "web") -> ExportFile:
    """Every dataset as CSV plus manifest.json (row counts, SHA-256 of each file, filters, who, when, chain check)."""
    out = spooled()
    files = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in NAMES:
            src = source(name, filters)
            part = spooled()
            rows = write_csv(src, part)
            sha = digest(part)
            with archive.open(f"{name}.csv", "w") as member:
                for chunk in iter(lambda p=part: p.read(CHUNK), b""):
                    member.write(chunk)
            files.append({"file": f"{name}.csv", "rows": rows, "sha256": sha, "filters_applied": src.applied})
        # The heads first: they anchor what the files were read from (``verify_audit --anchor manifest.json``).
        heads = [head_of(model).as_dict() for model in chained_models()]
        chains = verify_all()
        manifest = {
            "exported_at": timezone.now().isoformat(timespec="seconds"),
            "exported_by": user.get_username() if user is not None and user.is_authenticated else "command line",
            "filters": filters.as_dict(),
            "files": files,
            "audit_chain": {
                "intact": all(chain.ok for chain in chains),
                "chains": [{"chain": c.chain, "rows": c.rows, "intact": c.ok, "problem": c.problem} for c in chains],
                "heads": heads,
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
    return ExportFile(out, total, sha, record)
