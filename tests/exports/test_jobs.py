"""Exports as background jobs: asked for, run by a worker, watched, downloaded by their requester, then purged."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from exports import jobs
from exports.filters import Filters
from exports.models import ExportJob, ExportRecord
from exports.services import Progress, export_file
from tests.conftest import login_as
from tests.factories import ExchangeFactory, PersonFactory, UserFactory

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def job_settings(settings):
    """Jobs run as they are queued (tests/conftest.py gives them a folder of the test's own)."""
    settings.TASKS = IMMEDIATE
    return settings


@pytest.fixture
def exchanges(alliance):
    """Three exchanges, one person each."""
    return [
        ExchangeFactory(
            person=PersonFactory(employer=alliance.agc_bio),
            partnership=alliance.partnership,
            host_company=alliance.medinet,
            host_site=alliance.shinagawa,
        )
        for _ in range(3)
    ]


def ask(client, captured, dataset="evidence", fmt="zip", **filters):
    """POST the job request, running what is queued on commit (the immediate backend runs the job then)."""
    with captured(execute=True):
        return client.post(reverse("exports:jobs"), {"dataset": dataset, "format": fmt, **filters})


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored_files(settings) -> list:
    return sorted(p for p in settings.EXPORT_JOBS_DIR.rglob("*") if p.is_file())


def test_evidence_pack_job_answers_303_to_its_page_and_its_file_matches_sha256_and_manifest(
    auditor_client, exchanges, django_capture_on_commit_callbacks
):
    response = ask(auditor_client, django_capture_on_commit_callbacks, start="2020-01-01")
    job = ExportJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert job.state == ExportJob.State.DONE
    assert job.rows_expected > 0
    assert job.rows_done == job.rows_expected

    page = auditor_client.get(response["Location"])
    assert "Your file is ready" in page.text
    assert job.sha256 in page.text

    download = auditor_client.get(reverse("exports:job_download", args=[job.pk]))
    assert download.status_code == 200
    data = body(download)
    assert hashlib.sha256(data).hexdigest() == job.sha256 == download["X-Content-SHA256"]
    assert len(data) == job.size
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest == job.manifest
    assert manifest["filters"]["start"] == "2020-01-01"
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    assert sum(entry["rows"] for entry in manifest["files"]) == job.rows_expected


def test_a_jobs_creation_and_each_download_are_on_the_audit_trail(
    auditor_client, exchanges, django_capture_on_commit_callbacks
):
    ask(auditor_client, django_capture_on_commit_callbacks, dataset="exchanges", fmt="csv")
    job = ExportJob.objects.get()
    created = ExportRecord.objects.get(source=ExportRecord.Source.JOB)
    assert created == job.record
    assert (created.user.username, created.dataset, created.sha256) == ("auditor", "exchanges", job.sha256)
    for _ in range(2):
        body(auditor_client.get(reverse("exports:job_download", args=[job.pk])))
    downloads = ExportRecord.objects.filter(source=ExportRecord.Source.DOWNLOAD)
    assert downloads.count() == 2
    assert {d.sha256 for d in downloads} == {job.sha256}
    assert all(d.history.count() == 1 for d in downloads)  # each one a row of the hash-chained trail


def test_progress_is_reported_every_n_rows_and_reaches_the_rows_written(exchanges):
    reports = []
    result = export_file(
        name="exchanges", fmt="json", filters=Filters(), user=None, progress=Progress(reports.append, every=2)
    )
    result.close()
    assert result.rows == 3
    assert reports == [2, 3]


def test_job_status_json_gives_state_progress_and_the_download_link_once_done(
    auditor_client, exchanges, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=False):  # no worker yet: the job stays queued
        auditor_client.post(reverse("exports:jobs"), {"dataset": "exchanges", "format": "xlsx"})
    job = ExportJob.objects.get()
    status = auditor_client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert (status["state"], status["rows_done"], status["download"], status["finished"]) == (
        "queued",
        0,
        None,
        False,
    )

    jobs.job_run(job.pk)
    with django_assert_max_num_queries(6):
        status = auditor_client.get(reverse("exports:job_status", args=[job.pk])).json()
    assert status["state"] == "done"
    assert status["rows_done"] == status["rows_expected"] == 3
    assert status["download"] == reverse("exports:job_download", args=[job.pk])


def test_a_running_jobs_progress_is_read_from_the_workers_last_report(auditor_client, exchanges):
    job = ExportJob.objects.create(
        requester=UserFactory(username="auditor2", role="Auditor"),
        dataset="exchanges",
        format="csv",
        state=ExportJob.State.RUNNING,
        rows_expected=3000,
    )
    jobs._reporter(job)(1200)
    assert jobs.rows_done(job) == 1200
    job.requester = auditor_client.get(reverse("exports:index")).wsgi_request.user
    job.save()
    page = auditor_client.get(job.get_absolute_url())
    assert "1,200 of 3,000 rows" in page.text
    assert '<meta http-equiv="refresh"' in page.text  # inside <noscript>: the page follows the job without JS


def test_another_user_cannot_see_or_download_a_job_but_an_administrator_can(
    client, exchanges, django_capture_on_commit_callbacks
):
    ask(login_as(client, "auditor"), django_capture_on_commit_callbacks, dataset="people", fmt="csv")
    job = ExportJob.objects.get()
    other = UserFactory(username="other-auditor", role="Auditor")
    client.force_login(other)
    for name in ("exports:job", "exports:job_status", "exports:job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "No export jobs yet." in client.get(reverse("exports:jobs")).text
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.get(reverse("exports:job_download", args=[job.pk]))
    assert hashlib.sha256(body(response)).hexdigest() == job.sha256
    assert ExportRecord.objects.filter(source="download").get().user.username == "root"


def test_more_jobs_than_the_limit_get_429_with_a_message_and_no_job(
    auditor_client, exchanges, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOBS_PER_USER = 1
    with django_capture_on_commit_callbacks(execute=False):
        first = auditor_client.post(reverse("exports:jobs"), {"dataset": "evidence", "format": "zip"})
        second = auditor_client.post(reverse("exports:jobs"), {"dataset": "evidence", "format": "zip"})
    assert first.status_code == 303
    assert second.status_code == 429
    assert "You already have 1 export job queued or running" in second.text
    assert ExportJob.objects.count() == 1


def test_a_finished_job_frees_its_place_under_the_limit(
    auditor_client, exchanges, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_JOBS_PER_USER = 1
    assert ask(auditor_client, django_capture_on_commit_callbacks).status_code == 303
    assert ask(auditor_client, django_capture_on_commit_callbacks).status_code == 303
    assert ExportJob.objects.filter(state="done").count() == 2


def test_a_failing_job_says_why_and_removes_its_partial_file(
    auditor_client, exchanges, settings, monkeypatch, django_capture_on_commit_callbacks
):
    storage = jobs.storage()
    real_save = type(storage)._save

    def save_then_fail(self, name, content):
        real_save(self, name, ContentFile(b"half a file"))
        raise OSError("No space left on device")

    monkeypatch.setattr(type(storage), "_save", save_then_fail)
    ask(auditor_client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.FAILED
    assert job.error == "No space left on device"
    assert stored_files(settings) == []
    page = auditor_client.get(job.get_absolute_url())
    assert "The job failed: No space left on device" in page.text
    assert auditor_client.get(reverse("exports:job_download", args=[job.pk])).status_code == 404
    assert auditor_client.get(reverse("exports:job_status", args=[job.pk])).json()["error"] == job.error


def test_purge_expires_files_kept_past_their_time_and_fails_lost_jobs(
    auditor_client, exchanges, settings, django_capture_on_commit_callbacks
):
    ask(auditor_client, django_capture_on_commit_callbacks, dataset="sites", fmt="csv")
    kept, old = ask(auditor_client, django_capture_on_commit_callbacks), ExportJob.objects.get(dataset="sites")
    assert kept.status_code == 303
    old.finished_at = timezone.now() - datetime.timedelta(hours=settings.EXPORT_JOB_KEEP_HOURS, minutes=1)
    old.save()
    lost = ExportJob.objects.create(
        requester=old.requester,
        dataset="people",
        format="csv",
        state="running",
        created_at=timezone.now() - datetime.timedelta(hours=settings.EXPORT_JOB_STALE_HOURS, minutes=1),
    )
    out = io.StringIO()
    call_command("purge_export_jobs", stdout=out)
    assert "Expired 1 export file(s)" in out.getvalue()
    old.refresh_from_db()
    lost.refresh_from_db()
    assert (old.state, old.file_name) == (ExportJob.State.EXPIRED, "")
    assert lost.state == ExportJob.State.FAILED
    assert [p.name for p in stored_files(settings)] == [ExportJob.objects.get(dataset="evidence").file_label]
    assert auditor_client.get(reverse("exports:job_download", args=[old.pk])).status_code == 404
    assert "has been deleted" in auditor_client.get(old.get_absolute_url()).text


def test_the_database_backend_queues_the_job_and_a_worker_runs_it(
    auditor_client, exchanges, job_settings, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker closes a connection found inside a transaction, as it never is in a worker process; here it is
    # this test's own (rolled back at the end), which the in-process worker must keep using.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    job_settings.TASKS = DATABASE
    ask(auditor_client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.QUEUED
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    assert job.rows_done == job.rows_expected
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_bad_requests_get_400_and_make_no_job(auditor_client, exchanges):
    jobs_url = reverse("exports:jobs")
    assert auditor_client.post(jobs_url, {"dataset": "nothing", "format": "csv"}).status_code == 400
    assert auditor_client.post(jobs_url, {"dataset": "evidence", "format": "csv"}).status_code == 400
    bad = auditor_client.post(jobs_url, {"dataset": "people", "format": "csv", "start": "not a date"})
    assert bad.status_code == 400
    assert "Bad filter" in bad.text
    assert not ExportJob.objects.exists()


def test_export_page_offers_the_evidence_pack_and_large_exports_as_jobs(auditor_client, exchanges, settings):
    settings.EXPORT_DIRECT_MAX_ROWS = 2
    page = auditor_client.get(reverse("exports:index"), {"dataset": "exchanges", "start": "2020-01-01"})
    assert page.text.count(f'action="{reverse("exports:jobs")}"') == 4  # three formats and the evidence pack
    assert 'name="start" value="2020-01-01"' in page.text
    assert reverse("exports:download", args=["exchanges", "csv"]) not in page.text
    settings.EXPORT_DIRECT_MAX_ROWS = 3
    page = auditor_client.get(reverse("exports:index"), {"dataset": "exchanges"})
    assert reverse("exports:download", args=["exchanges", "csv"]) in page.text


def test_job_page_loads_its_script_from_a_file_never_inline(
    auditor_client, exchanges, django_capture_on_commit_callbacks
):
    ask(auditor_client, django_capture_on_commit_callbacks)
    page = auditor_client.get(ExportJob.objects.get().get_absolute_url())
    assert 'src="/static/js/export-job.js"' in page.text
    assert "<script>" not in page.text
    assert "script-src 'self'" in page["Content-Security-Policy"]


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {REDIS_URL} for the RQ set-up")
def test_on_rq_the_job_goes_to_redis_and_an_rq_worker_runs_it(
    auditor_client, exchanges, job_settings, django_capture_on_commit_callbacks
):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    job_settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    job_settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    queue = django_rq.get_queue("default")
    queue.empty()
    ask(auditor_client, django_capture_on_commit_callbacks, dataset="people", fmt="csv")
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.QUEUED
    assert queue.count == 1

    # As `manage.py rqworker --job-class django_tasks_rq.Job` runs it, but in this process (no fork), so the worker
    # sees this test's database.
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE
    assert queue.count == 0
    download = auditor_client.get(reverse("exports:job_download", args=[job.pk]))
    assert hashlib.sha256(body(download)).hexdigest() == job.sha256


def test_job_list_and_page_run_a_bounded_number_of_queries_however_many_jobs(
    auditor_client, django_assert_max_num_queries
):
    user = auditor_client.get(reverse("exports:index")).wsgi_request.user
    many = [ExportJob.objects.create(requester=user, dataset="people", format="csv") for _ in range(30)]
    with django_assert_max_num_queries(8):
        listed = auditor_client.get(reverse("exports:jobs"))
    assert listed.text.count('href="/exports/jobs/') == 30
    with django_assert_max_num_queries(8):
        assert auditor_client.get(many[0].get_absolute_url()).status_code == 200
