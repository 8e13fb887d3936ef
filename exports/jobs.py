"""Exports as background jobs: asked for in a request, produced by a worker, kept for a while, then purged.

The worker runs the same code the direct download runs (``export_file`` / ``evidence_pack``); only where the
file goes differs: to the "export_jobs" storage, under the job's number, with its SHA-256 and manifest.
Progress goes to a small file beside it rather than to the database: the export reads inside one transaction,
which other processes could not see into (and on SQLite, a second connection could not write through).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from exports.filters import FilterForm
from exports.models import ExportJob, ExportRecord
from exports.services import EVIDENCE, ExportFile, Progress, evidence_pack, expected_rows, export_file, record_export
from exports.sources import FORMATS, NAMES

logger = logging.getLogger(__name__)

# Stored in English and shown in the reader's language (the job page translates it).
WORKER_LOST = gettext_noop("The worker stopped before the job finished.")


class TooManyJobs(Exception):
    """The user already has EXPORT_JOBS_PER_USER jobs queued or running."""


def storage():
    return storages["export_jobs"]


def valid_request(dataset: str, fmt: str) -> bool:
    return (dataset == EVIDENCE and fmt == "zip") or (dataset in NAMES and fmt in FORMATS)


@transaction.atomic
def job_create(*, requester: AbstractBaseUser, dataset: str, fmt: str, filters: dict[str, str]) -> ExportJob:
    """Queue a job for the requester, or TooManyJobs. The worker starts it once this transaction commits."""
    from exports.tasks import run_export_job

    # Locking the requester's row makes two requests at once count one after the other (SQLite already does,
    # taking its write lock when the transaction begins).
    get_user_model().objects.select_for_update().filter(pk=requester.pk).exists()
    if ExportJob.objects.filter(requester=requester).active().count() >= settings.EXPORT_JOBS_PER_USER:
        raise TooManyJobs
    # The header language the requester reads now, as the worker has no request to take it from.
    filters = {**filters, "headers": filters.get("headers") or translation.get_language() or settings.LANGUAGE_CODE}
    job = ExportJob(requester=requester, dataset=dataset, format=fmt, filters=filters)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job


def progress_path(job: ExportJob) -> Path:
    return Path(settings.EXPORT_JOBS_DIR) / "progress" / str(job.pk)


def rows_done(job: ExportJob) -> int:
    """The rows written so far: the worker's last report while running, the database's count otherwise."""
    if job.state != ExportJob.State.RUNNING:
        return job.rows_done
    try:
        return max(job.rows_done, int(progress_path(job).read_text()))
    except (FileNotFoundError, ValueError):
        return job.rows_done


def _reporter(job: ExportJob):
    path = progress_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)

    def report(done: int) -> None:
        # Written aside and renamed, so a reader never sees half a number.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{job.pk}-")
        with os.fdopen(fd, "w") as out:
            out.write(str(done))
        os.replace(temporary, path)

    return report


def job_run(job_id: int) -> None:
    """Produce the job's file. Runs once: a job that is no longer queued (run already, or purged) is left alone."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id, state=ExportJob.State.QUEUED).first()
        if job is None:
            return
        job.state = ExportJob.State.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
    try:
        form = FilterForm(job.filters)
        if not form.is_valid():  # a site or partnership deleted since the request
            raise ValueError(form.error_text())
        filters = form.filters()
        job.rows_expected = expected_rows(job.dataset, filters)
        job.save(update_fields=["rows_expected"])
        progress = Progress(_reporter(job), every=settings.EXPORT_JOB_PROGRESS_EVERY)
        with translation.override(filters.headers):
            result = _produce(job, filters, progress)
        with result:
            name = f"{job.pk}/{job.file_label}"
            stored = storage().save(name, File(result, name=job.file_label))
        job.file_name = stored
        job.size = storage().size(stored)
        job.sha256 = result.sha256
        job.manifest = result.manifest
        job.record = result.record
        job.rows_done = result.rows
        job.state = ExportJob.State.DONE
        job.finished_at = timezone.now()
        job.save()
    except Exception as error:
        logger.exception("Export job %s failed", job.pk)
        job_fail(job, str(error) or type(error).__name__)
    finally:
        progress_path(job).unlink(missing_ok=True)


def _produce(job: ExportJob, filters, progress: Progress) -> ExportFile:
    if job.dataset == EVIDENCE:
        return evidence_pack(filters=filters, user=job.requester, source_kind="job", progress=progress)
    return export_file(
        name=job.dataset, fmt=job.format, filters=filters, user=job.requester, source_kind="job", progress=progress
    )


def job_fail(job: ExportJob, message: str) -> None:
    """Mark the job failed with the reason, and remove whatever part of its file was stored."""
    remove_files(job)
    job.file_name = ""
    job.state = ExportJob.State.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save()


def remove_files(job: ExportJob) -> None:
    """Every file stored under the job's folder (a partly written one too), and the folder where it is one."""
    folder = str(job.pk)
    try:
        _, names = storage().listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        storage().delete(f"{folder}/{name}")
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage().path(folder))


def job_download(job: ExportJob, user) -> File:
    """The stored file, opened, and the download's record on the audit trail."""
    handle = storage().open(job.file_name, "rb")
    record_export(
        user=user,
        dataset=job.dataset,
        fmt=job.format,
        filters=job.record.filters if job.record else job.filters,
        rows=job.rows_done,
        sha256=job.sha256,
        source_kind=ExportRecord.Source.DOWNLOAD,
    )
    return handle


def purge() -> tuple[int, int]:
    """Expire finished files kept past EXPORT_JOB_KEEP_HOURS, and fail jobs whose worker was lost.

    Returns (expired, failed).
    """
    expired = 0
    for job in ExportJob.objects.past_keeping():
        remove_files(job)
        job.file_name = ""
        job.state = ExportJob.State.EXPIRED
        job.save(update_fields=["file_name", "state"])
        expired += 1
    failed = 0
    for job in ExportJob.objects.stale():
        job_fail(job, WORKER_LOST)
        failed += 1
    return expired, failed
