"""Several machines on one database: two app servers and two RQ workers write at once, and the trail holds.

Each app server is its own gunicorn (two worker processes each), and each job worker its own `rqworker`, all on the
suite's PostgreSQL database and the local Redis, as `docker-compose.yml` runs them behind the proxy. Exchanges are
created through both servers at once, by the API and by the admin's form, while the workers run export jobs (each
appends an export record to its own chain) and the servers serve direct exports that append to the same chain. Then
`verify_audit` must exit 0, and every write must be on the trail exactly once, under the user who made it. Meanwhile
one token spends its API rate across both servers: the next request to each gets 429, since the count is shared.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.tokens import token_issue
from exports.models import ExportJob, ExportRecord
from partners.models import Exchange
from tests.factories import PersonFactory, UserFactory
from tests.html_forms import form_values
from tests.servers import Visitor, free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
# A Redis database of its own (the job test uses TEST_REDIS_URL's), emptied before each run.
TEST_REDIS = urlparse(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
REDIS_URL = urlunparse(TEST_REDIS._replace(path="/14"))
API_WRITES, ADMIN_WRITES, JOBS, DIRECT_EXPORTS = 16, 8, 4, 4
API_RATE = 20  # per token and minute: spent across both servers by one token, and not reached by the writers


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: several machines share one PostgreSQL server; SQLite is a file on one machine",
    ),
    pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {REDIS_URL} for the RQ workers and the cache"),
]


def server_environment(folder: Path) -> dict[str, str]:
    """What each machine of `docker-compose.yml` gets: the one database, the one Redis for jobs and cache."""
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "DJANGO_SETTINGS_MODULE": "cdmo.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions this test signs in with are the servers' too
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "CACHE_URL": REDIS_URL,
        "API_RATE": f"{API_RATE}/minute",
        "EXPORT_JOBS_DIR": str(folder / "export-jobs"),
        "EXPORT_TEMP_DIR": str(folder / "export-temp"),
        "EXPORT_JOBS_PER_USER": str(JOBS),
        "EXPORT_SLOTS_PER_USER": str(DIRECT_EXPORTS),
    }


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def machines(committed_db, tmp_path):
    """Two app servers' ports and the environment they run in; `workers()` starts two RQ workers beside them."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = server_environment(tmp_path)
    ports = [free_port(), free_port()]
    processes = [
        start(
            [sys.executable, "-m", "gunicorn", "cdmo.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2", "--timeout", "30", "--graceful-timeout", "2", "--no-control-socket"],
            env,
            tmp_path / f"app-{port}.log",
        )
        for port in ports
    ]

    def workers() -> None:
        for number in (1, 2):
            command = [*MANAGE, "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
            processes.append(start(command, env, tmp_path / f"worker-{number}.log"))

    try:
        for port in ports:
            wait_until_healthy(Visitor(port), tmp_path / f"app-{port}.log")
        yield {"ports": ports, "env": env, "workers": workers, "stop": lambda: stop(processes), "logs": tmp_path}
    finally:
        stop(processes)


def api_caller(port: int, token: str) -> Visitor:
    return Visitor(port, headers={"Authorization": f"Token {token}"})


def browser(port: int, session: dict[str, str]) -> Visitor:
    """A signed-in browser; its forms carry the CSRF token of the cookie the server set."""
    return Visitor(port, session)


def post_form(visitor: Visitor, path: str, data: dict):
    return visitor.post_form(path, {**data, "csrfmiddlewaretoken": visitor.cookies["csrftoken"]})


def signed_in(user) -> dict[str, str]:
    """A session for ``user`` in the shared database: any server reads it, as behind a load balancer."""
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def api_create(port: int, token: str, person, alliance, reason: str):
    exchange = {
        "person": person.pk,
        "partnership": alliance.partnership.pk,
        "host_company": alliance.agc.pk,
        "purpose": "training",
        "function_area": "manufacturing",
        "planned_start": "2026-04-06",
        "planned_end": "2026-06-26",
        "change_reason": reason,
    }
    return api_caller(port, token).post_json("/api/exchanges/", exchange)


def admin_create(port: int, session: dict, person, alliance, reason: str):
    visitor = browser(port, session)
    page = visitor.get("/admin/partners/exchange/add/")
    assert page.status == 200, page.text
    values = form_values(page.text, "exchange_form")
    values.update(
        person=[str(person.pk)],
        partnership=[str(alliance.partnership.pk)],
        host_company=[str(alliance.agc.pk)],
        purpose=["training"],
        function_area=["manufacturing"],
        planned_start=["2026-04-06"],
        planned_end=["2026-06-26"],
        change_reason=[reason],
    )
    return post_form(visitor, "/admin/partners/exchange/add/", values)


def ask_for_job(port: int, session: dict):
    visitor = browser(port, session)
    visitor.get("/exports/")  # the CSRF cookie
    return post_form(visitor, "/exports/jobs/", {"dataset": "people", "format": "csv"})


def direct_export(port: int, session: dict):
    return browser(port, session).get("/exports/exchanges.csv")


def spend_the_rate_across(ports: list[int], token: str) -> tuple[list[int], list[int]]:
    """A token's API_RATE spent on both servers in turn (four processes: two gunicorn workers each), then one more
    request to each: only a cache the processes share sees one count."""
    within = [api_caller(ports[n % 2], token).get("/api/people/").status for n in range(API_RATE)]
    return within, [api_caller(port, token).get("/api/people/").status for port in ports]


def test_two_app_servers_and_two_workers_writing_at_once_leave_an_intact_trail_and_share_the_api_rate(
    machines, alliance
):
    staff = [UserFactory(username=f"staff{n}", role="Staff") for n in (1, 2, 3)]
    auditors = [UserFactory(username=f"auditor{n}", role="Auditor") for n in (1, 2)]
    tokens = {user: token_issue(user=user, name="load", reason="Issued for the concurrency test")[1] for user in staff}
    reader = token_issue(user=auditors[0], name="rate", reason="Issued for the rate test")[1]
    sessions = {user: signed_in(user) for user in staff + auditors}
    people = [
        PersonFactory(employer=alliance.medinet, home_site=alliance.shinagawa) for _ in range(API_WRITES + ADMIN_WRITES)
    ]
    exchanges_before = Exchange.objects.count()
    machines["workers"]()
    ports = machines["ports"]

    expected_authors: dict[str, str] = {}
    calls = []
    for n in range(API_WRITES):
        user, reason = staff[n % 3], f"Concurrent API write number {n:02d}"
        expected_authors[reason] = user.username
        calls.append(("api", api_create, ports[n % 2], tokens[user], people[n], alliance, reason))
    for n in range(ADMIN_WRITES):
        user, reason = staff[n % 3], f"Concurrent admin write number {n:02d}"
        expected_authors[reason] = user.username
        calls.append(("admin", admin_create, ports[n % 2], sessions[user], people[API_WRITES + n], alliance, reason))
    calls += [("job", ask_for_job, ports[n % 2], sessions[auditors[n % 2]]) for n in range(JOBS)]
    calls += [("direct", direct_export, ports[n % 2], sessions[auditors[n % 2]]) for n in range(DIRECT_EXPORTS)]
    # Mixed, so that exchanges, jobs and exports are written at the same moments through both servers.
    random.Random(7).shuffle(calls)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda call: (call[0], call[1](*call[2:]).status), calls))
    expected = {"api": 201, "admin": 302, "job": 303, "direct": 200}
    assert Counter(answers) == Counter(
        {
            ("api", 201): API_WRITES,
            ("admin", 302): ADMIN_WRITES,
            ("job", 303): JOBS,
            ("direct", 200): DIRECT_EXPORTS,
        }
    ), f"expected {expected}; server logs in {machines['logs']}"

    # While the workers run the jobs: the API's rate is one count across servers (the cache is Redis, CACHE_URL).
    within, beyond = spend_the_rate_across(ports, reader)
    assert (within, beyond) == ([200] * API_RATE, [429, 429])

    deadline = time.monotonic() + 40
    while ExportJob.objects.exclude(state=ExportJob.State.DONE).exists() and time.monotonic() < deadline:
        assert not ExportJob.objects.filter(state=ExportJob.State.FAILED).exists()
        time.sleep(0.2)
    machines["stop"]()
    assert sorted(ExportJob.objects.values_list("state", flat=True)) == [ExportJob.State.DONE] * JOBS

    verified = subprocess.run(
        [*MANAGE, "verify_audit"], env=machines["env"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Audit trail intact" in verified.stdout

    # No write lost, none written twice, each under its author.
    assert Exchange.objects.count() == exchanges_before + API_WRITES + ADMIN_WRITES
    created = Exchange.history.filter(history_change_reason__startswith="Concurrent ", history_type="+")
    assert sorted(created.values_list("history_change_reason", "history_user__username")) == sorted(
        expected_authors.items()
    )
    records = ExportRecord.objects.filter(user__in=auditors)
    assert Counter(records.values_list("source", "user__username")) == {
        (ExportRecord.Source.JOB, "auditor1"): JOBS // 2,
        (ExportRecord.Source.JOB, "auditor2"): JOBS // 2,
        (ExportRecord.Source.WEB, "auditor1"): DIRECT_EXPORTS // 2,
        (ExportRecord.Source.WEB, "auditor2"): DIRECT_EXPORTS // 2,
    }
    trail = ExportRecord.history.filter(id__in=records.values("id"))
    assert Counter(trail.values_list("id", "history_type")) == {
        (pk, "+"): 1 for pk in records.values_list("id", flat=True)
    }
