"""What checking a sheet gives: the planned rows (new, update, unchanged), the errors, and the digest that ties a
confirmation to the preview it confirms."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from audit.versions import versions_of
from training.imports.columns import COLUMNS
from training.imports.lookups import chunks
from training.models import TrainingRecord

NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"


@dataclass
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        return self.render(self.column or "", self.message)

    def html(self) -> str:
        """For pages: the column's name set as code, as the sheet's header writes it in any language."""
        column = format_html("<code>{}</code>", self.column) if self.column else ""
        return mark_safe(self.render(column, conditional_escape(self.message), escape=True))  # noqa: S308

    def render(self, column: str, message: str, *, escape: bool = False) -> str:
        wrap = conditional_escape if escape else str
        if self.row and self.column:
            return wrap(_("Row %(row)s, column %(column)s: %(message)s")) % {
                "row": self.row,
                "column": column,
                "message": message,
            }
        if self.row:
            return wrap(_("Row %(row)s: %(message)s")) % {"row": self.row, "message": message}
        return message


@dataclass
class PlannedRow:
    number: int
    action: str
    values: dict[str, str]
    record: TrainingRecord
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old value, new value


@dataclass
class Plan:
    rows: list[PlannedRow]
    errors: list[RowError]
    versions: dict[str, int]  # for each record the plan updates (pk as text): its version when checked

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def digest(self) -> str:
        sha = hashlib.sha256()
        for row in self.rows:
            record = row.record
            line = [
                row.number,
                row.action,
                record.pk,
                self.versions.get(str(record.pk)),
                [row.values.get(column, "") for column in COLUMNS],
                record.person_id,
                record.requirement_id,
                record.version_id,
                record.completed_on.isoformat(),
                record.result,
                record.trainer_id,
                record.evaluator_id,
                record.evidence,
            ]
            sha.update(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        for error in self.errors:
            sha.update(f"error:{error.row}:{error.column}\n".encode())
        return sha.hexdigest()


def record_versions(pks: Iterable[int]) -> dict[str, str]:
    """Each record's version (``audit.versions``, the same the edit forms carry), looked up in batches."""
    versions = {}
    for batch in chunks(sorted(set(pks))):
        versions.update({str(pk): version for pk, version in versions_of(TrainingRecord, batch).items()})
    return versions
