"""An import as a reviewed, atomic change: store the upload, preview it, then confirm (all rows or none) or cancel.

The preview and the confirmation refer to a stored upload by the id the server issued, checked against the user;
nothing from the form names a file or a format. The confirmation re-reads the stored bytes, re-checks their
SHA-256, their format and every row, and writes only if the rows are exactly those previewed (same digest) and
no record the preview showed as an update has changed since.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from training.imports.checking import plan_import
from training.imports.lookups import chunks
from training.imports.plan import NEW, UNCHANGED, UPDATE, Plan, record_versions
from training.imports.reading import Sheet, Unreadable, read_sheet
from training.models import ImportUpload, TrainingImport, TrainingRecord


class ImportRefused(Exception):
    """Nothing was imported; the message says why. ``discard``: the upload cannot be trusted any more."""

    def __init__(self, message: str, *, discard: bool = False):
        super().__init__(message)
        self.discard = discard


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def upload_store(*, user, file_name: str, content: bytes, sheet: Sheet) -> ImportUpload:
    """Keep an upload for its preview; the same file uploaded again by the same user is the same upload."""
    digest = sha256_of(content)
    existing = ImportUpload.objects.filter(user=user, sha256=digest).first()
    if existing is not None:
        return existing
    return ImportUpload.objects.create(
        user=user,
        file_name=file_name[:255],
        sha256=digest,
        file_format=sheet.file_format,
        encoding=sheet.encoding,
        content=content,
    )


def upload_preview(upload: ImportUpload) -> tuple[Sheet, Plan]:
    """Read and check the stored upload now, and remember what this preview showed for the confirmation."""
    sheet = read_sheet(bytes(upload.content))
    plan = plan_import(sheet)
    remember_preview(upload, plan)
    return sheet, plan


def remember_preview(upload: ImportUpload, plan: Plan) -> None:
    upload.previewed_digest, upload.previewed_versions = plan.digest, plan.versions
    upload.save(update_fields=["previewed_digest", "previewed_versions"])


def upload_cancel(*, upload: ImportUpload) -> None:
    upload.delete()


def purge_expired_uploads(*, now: datetime.datetime | None = None) -> int:
    """Delete uploads older than TRAINING_IMPORT_UPLOAD_HOURS: their content is not kept past a day."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.TRAINING_IMPORT_UPLOAD_HOURS)
    deleted, _by_model = ImportUpload.objects.filter(uploaded_at__lt=cutoff).delete()
    return deleted


def history_reason(reason: str, imported: TrainingImport) -> str:
    """The reason each created or updated record's history carries: the user's words, then the file it came from."""
    return f"{reason} (import #{imported.pk}: {imported.file_name}, SHA-256 {imported.sha256})"


def row_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (" …" if len(numbers) > 20 else "")


@transaction.atomic
def import_confirm(*, upload_id: int, user, digest: str, reason: str) -> TrainingImport:
    """Import the previewed rows of the user's upload in one transaction, or raise ImportRefused having written none."""
    upload = ImportUpload.objects.select_for_update().filter(pk=upload_id, user=user).first()
    if upload is None:
        raise ImportRefused(_("This upload is no longer waiting: it was imported, cancelled or expired."), discard=True)
    content = bytes(upload.content)
    if sha256_of(content) != upload.sha256:
        raise ImportRefused(
            _("The stored file no longer matches the file you uploaded (its SHA-256 differs): upload it again."),
            discard=True,
        )
    if not upload.previewed_digest or digest != upload.previewed_digest:
        raise ImportRefused(
            _("The preview was shown again since this page was opened: review the preview below and confirm it.")
        )
    try:
        sheet = read_sheet(content)
    except Unreadable as error:
        raise ImportRefused(str(error), discard=True) from None
    if (sheet.file_format, sheet.encoding) != (upload.file_format, upload.encoding):
        raise ImportRefused(
            _("The stored file no longer reads as it did at upload (format or encoding): upload it again."),
            discard=True,
        )
    plan = plan_import(sheet)
    if plan.errors:
        raise ImportRefused(
            ngettext(
                "The file now has %(count)s rejected row or problem: nothing was imported.",
                "The file now has %(count)s rejected rows or problems: nothing was imported.",
                len(plan.errors),
            )
            % {"count": len(plan.errors)}
        )
    updates = [row for row in plan.rows if row.action == UPDATE]
    for batch in chunks([row.record.pk for row in updates]):
        # Held until commit: no colleague's edit can slip in between this check and the write.
        list(TrainingRecord.objects.select_for_update().filter(pk__in=batch).values_list("pk", flat=True))
    current = record_versions(row.record.pk for row in updates)
    changed = [
        row.number
        for row in updates
        if current.get(str(row.record.pk)) != upload.previewed_versions.get(str(row.record.pk))
    ]
    if changed:
        raise ImportRefused(
            _(
                "Rows %(rows)s would update records that someone changed since your preview: nothing was imported. "
                "Review the preview again."
            )
            % {"rows": row_list(changed)}
        )
    if plan.digest != upload.previewed_digest:
        raise ImportRefused(
            _("The records or the file changed since your preview: nothing was imported. Review the preview again.")
        )
    imported = TrainingImport(
        user=user,
        file_name=upload.file_name,
        sha256=upload.sha256,
        file_format=upload.file_format,
        encoding=upload.encoding,
        rows_created=plan.count(NEW),
        rows_updated=plan.count(UPDATE),
        rows_unchanged=plan.count(UNCHANGED),
        reason=reason,
    )
    imported._change_reason = reason
    imported.save()
    text = history_reason(reason, imported)
    created = [row.record for row in plan.rows if row.action == NEW]
    for record in created:
        record._change_reason, record._history_user = text, user
    TrainingRecord.objects.bulk_create(created, batch_size=1000)
    for row in updates:
        row.record._change_reason, row.record._history_user = text, user
    TrainingRecord.objects.bulk_update_with_history(
        [row.record for row in updates], ["version", "result", "trainer", "evaluator", "evidence"], batch_size=1000
    )
    upload.delete()
    return imported
