"""RQ set-up: have rq-scheduler put the digests task on the queue on a cron schedule (docs/digests.md)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

# One scheduled job, under a fixed id, so running the command again replaces it rather than adding a second.
JOB_ID = "alliance-send-digests"
TASK = "digests.tasks.send_digests"


class Command(BaseCommand):
    help = "With TASKS_BACKEND=rq: schedule the digests task with rq-scheduler (run `manage.py rqscheduler` too)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--cron", default="5 * * * *", help="When, as cron reads it, in the app's TIME_ZONE (default: hourly)."
        )

    def handle(self, *args, cron: str, **options):
        if settings.TASKS_BACKEND != "rq":
            raise CommandError(
                "schedule_digests is for TASKS_BACKEND=rq; with the database backend, run send_digests from cron."
            )
        register(cron)
        first = next_run()
        self.stdout.write(
            f"send_digests scheduled at “{cron}” ({settings.TIME_ZONE}) on the default queue, as job {JOB_ID}; "
            f"next run {first:%Y-%m-%d %H:%M} {settings.TIME_ZONE}"
        )


def register(cron: str):
    import django_rq

    scheduler = django_rq.get_scheduler("default")
    if JOB_ID in scheduler:
        scheduler.cancel(JOB_ID)
    # The task by its import path: the worker (--job-class django_tasks_rq.Job) runs only Django tasks, and reads
    # the backend's name from the job's meta, as the RQ backend writes it.
    # rq-scheduler reads the cron string in the process's local time, which Django sets to TIME_ZONE in every process
    # (this command's and `rqscheduler`'s alike), whatever the machine's own zone.
    return scheduler.cron(cron, func=TASK, id=JOB_ID, queue_name="default", meta={"backend_name": "default"})


def next_run() -> datetime.datetime:
    """When the scheduler will next put the digests task on the queue, in TIME_ZONE."""
    import django_rq

    times = {job.id: at for job, at in django_rq.get_scheduler("default").get_jobs(with_times=True)}
    # rq-scheduler gives its times as naive UTC.
    return timezone.localtime(times[JOB_ID].replace(tzinfo=datetime.UTC))
