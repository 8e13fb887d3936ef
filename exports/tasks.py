"""The exports' background tasks (Django's tasks API: run by `manage.py db_worker`, or `rqworker` on RQ)."""

from __future__ import annotations

from django_tasks import task

from exports import jobs


@task()
def run_export_job(job_id: int) -> None:
    jobs.job_run(job_id)
