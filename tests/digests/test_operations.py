"""Digests in operation: two runs at once, the demo data, the RQ schedule and the production settings."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts import roles
from digests.models import DigestSent
from digests.services import Result, digest_send
from tests.concurrency import postgresql_only, side_by_side
from tests.digests.conftest import reader, today_in_tokyo
from tests.factories import ActionFactory

ROOT = Path(__file__).resolve().parents[2]


@postgresql_only
def test_two_runs_at_once_send_one_digest(committed_db, alliance, monkeypatch):
    ActionFactory(
        partnership=alliance.partnership, owner=alliance.agc_person, due_on=today_in_tokyo().replace(year=2020)
    )
    manager = reader("manager", roles.MANAGER)
    # The first send holds its row (uncommitted) until the second run has reached its own insert.
    second_started = threading.Event()
    send = mail.EmailMultiAlternatives.send

    def slow_send(self, *args, **kwargs):
        second_started.wait(timeout=5)
        time.sleep(0.5)
        return send(self, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", slow_send)

    def send_now():
        return digest_send(user=manager, now=timezone.now()).result

    def send_second():
        second_started.set()
        return send_now()

    results = side_by_side(send_now, send_second, stagger=0.5)
    assert sorted(results) == sorted([Result.SENT, Result.ALREADY])
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(user=manager).count() == 1


def test_on_the_demo_data_the_manager_reads_a_digest_and_a_user_with_nothing_due_gets_none(db):
    call_command("seed_demo", "--password", "a-long-demo-password-7", stdout=io.StringIO())
    mail.outbox = []
    out = io.StringIO()
    # A day on which no demo exchange starts or ends within two weeks, so staff have nothing due.
    call_command("send_digests", "--date", "2026-11-27", stdout=out)
    lines = {line.split()[1]: line for line in out.getvalue().splitlines() if line.startswith("sent ")}
    assert "manager" in lines and "overdue action" in lines["manager"]
    assert "staff" not in lines and "admin" not in lines
    to_manager = next(message for message in mail.outbox if message.to == ["manager@demo.example"])
    assert "== Overdue actions ==" in to_manager.body
    assert "== Forecasts moved since your last digest ==" in to_manager.body
    assert "Yokohama inspection readiness" in to_manager.body


def redis_url() -> str | None:
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        return url if redis.Redis.from_url(url, socket_connect_timeout=0.5).ping() else None
    except redis.RedisError:
        return None


JOB_ID = "alliance-send-digests"


def scheduled(scheduler) -> list[tuple[object, datetime.datetime]]:
    """The digests' job as rq-scheduler holds it, with when it next runs, in Tokyo time (rq-scheduler: naive UTC)."""
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    return [
        (job, at.replace(tzinfo=datetime.UTC).astimezone(tokyo))
        for job, at in scheduler.get_jobs(with_times=True)
        if job.id == JOB_ID
    ]


@pytest.mark.skipif(redis_url() is None, reason="no Redis for the RQ set-up")
def test_on_rq_the_schedule_is_read_in_tokyo_time_whatever_the_machines_zone_and_runs_the_digests_task(
    alliance, settings
):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    settings.RQ_QUEUES = {"default": {"URL": redis_url()}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.TASKS_BACKEND = "rq"
    ActionFactory(
        partnership=alliance.partnership, owner=alliance.agc_person, due_on=today_in_tokyo().replace(year=2020)
    )
    reader("manager", roles.MANAGER)
    queue = django_rq.get_queue("default")
    queue.empty()
    scheduler = django_rq.get_scheduler("default")
    call_command("schedule_digests", stdout=io.StringIO())
    # Registered again, as an operator runs it, on a machine whose own zone is New York's.
    done = settings_run(
        "schedule_digests", "--cron", "0 6 * * *", TASKS_BACKEND="rq", REDIS_URL=redis_url(), TZ="America/New_York"
    )
    try:
        assert done.returncode == 0, done.stderr
        [(job, first)] = scheduled(scheduler)  # replaced, not added
        assert job.meta["cron_string"] == "0 6 * * *"
        assert (first.hour, first.minute) == (6, 0)
        assert datetime.timedelta(0) < first - timezone.now() <= datetime.timedelta(days=1)
        assert done.stdout.strip().endswith(f"next run {first:%Y-%m-%d} 06:00 Asia/Tokyo")
        # Nothing else: in particular not crontab's notice of a change the pinned version does not make.
        assert done.stderr == ""

        # What rqscheduler does when the time comes: the job goes to the queue, and back on the schedule for the
        # next 06:00 in Tokyo.
        scheduler.enqueue_job(job)
        [(_job, again)] = scheduled(scheduler)
        assert again == first
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    finally:
        scheduler.cancel(JOB_ID)
    assert [message.to for message in mail.outbox] == [["manager@example.com"]]


def settings_run(*code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "cdmo.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "a-production-key-for-this-test-only-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "alliance.example.com",
}


def test_production_sends_through_smtp_from_the_environment_and_passes_the_deploy_check():
    printed = settings_run(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS,"
        " s.DEFAULT_FROM_EMAIL, s.SITE_URL)",
        **PRODUCTION,
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="tracker@example.com",
    )
    assert printed.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "587",
        "True",
        "tracker@example.com",
        "https://alliance.example.com",
    ], printed.stderr
    assert settings_run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION).returncode == 0
    refused = settings_run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SITE_URL="http://intranet")
    assert refused.returncode != 0 and "digests.W001" in refused.stderr


def test_development_prints_emails_on_the_console():
    printed = settings_run(
        "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    )
    assert printed.stdout.strip() == "django.core.mail.backends.console.EmailBackend", printed.stderr
