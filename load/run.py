"""`make load`: the app under gunicorn on PostgreSQL, a headless locust run against 127.0.0.1, a report.

Then six evidence packs at once, as background jobs, while a manager reads the dashboard (load/packs.py): they
must all finish and the dashboard keep its goal meanwhile. Exits non-zero on any error response or goal missed
(pages p95 under 500 ms, small exports p95 under 1 s). Reports where the machine's CPU went: the load generator
shares the two cores with gunicorn and PostgreSQL, so its own share is measured and the throughput is given per
CPU-second of the server's processes.
Settings via the environment: LOAD_DATABASE_URL (default: a fresh local PostgreSQL database alliance_load),
LOAD_USERS (50), LOAD_SECONDS (60), LOAD_EXCHANGES (20000).
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import packs  # load/packs.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/alliance_load"
PASSWORD = "load-test-password-123"  # noqa: S105 (the users of a throwaway database; locustfile.py signs in with it)
# p95 goals in milliseconds: small exports (the request names that start with "export ") and every other request.
EXPORT_P95_MS = 1000
PAGE_P95_MS = 500
PG = "postgres"  # the name of PostgreSQL's server processes


def fresh_postgres(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    admin.autocommit = True
    name = parsed.path.lstrip("/")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    database = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DB)
    users = int(os.environ.get("LOAD_USERS", "50"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    exchanges = os.environ.get("LOAD_EXCHANGES", "20000")
    fresh_postgres(database)
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "cdmo.settings"}
    # The gunicorn workers share one cache, as they must in any deployment with several (docs/configuration.md).
    env.setdefault("CACHE_URL", f"file://{tempfile.gettempdir()}/alliance-load-cache")
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "seed_demo", "--password", PASSWORD, "--exchanges", exchanges, "--random-seed", "5"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    team = f"from load.team import create_team; create_team({max(users, packs.PACKS)})"
    subprocess.run([*manage, "shell", "-c", team], env=env, check=True, cwd=ROOT)  # noqa: S603
    port = free_port()
    workers = str(max(2, (os.cpu_count() or 2) + 1))
    server = subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "gunicorn",
            "cdmo.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    # The background-job worker, as `make run` starts one beside the server; its files go to a folder of the run's.
    jobs = tempfile.TemporaryDirectory(prefix="alliance-load-jobs-")
    worker = subprocess.Popen(  # noqa: S603
        [*manage, "db_worker", "--verbosity", "0"], env={**env, "EXPORT_JOBS_DIR": jobs.name}, cwd=ROOT
    )
    host = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{host}/healthz", timeout=1)  # noqa: S310 (our own local server)
                break
            except OSError:
                time.sleep(0.2)
        prefix = ROOT / "load" / "results"
        before = CpuSample.take(server.pid)
        locust = subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                str(ROOT / "load" / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "-u",
                str(users),
                "-r",
                str(max(1, users // 5)),
                "-t",
                f"{seconds}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--exit-code-on-error",
                "1",
            ],
            cwd=ROOT,
        )
        # wait4 gives the generator's own CPU time, which psutil cannot read once the process has ended.
        _pid, _status, usage = os.wait4(locust.pid, 0)
        locust.returncode = 0
        cpu = CpuSample.take(server.pid).since(before, generator=usage.ru_utime + usage.ru_stime)
        failed = report(prefix, users, seconds, workers, cpu)
        problems = packs.six_packs(host, PASSWORD, PAGE_P95_MS)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=15)
        jobs.cleanup()
    for problem in problems:
        print(f"goal missed: {problem}")
    return 1 if failed or problems else 0


@dataclass
class CpuSample:
    """CPU seconds used so far: the whole machine (busy time of all cores), gunicorn (master and workers) and
    PostgreSQL (every server process, and those that have ended). PostgreSQL serves every database on the machine:
    on a machine doing nothing else, all of it is the app's."""

    wall: float
    machine: float
    gunicorn: float
    postgres: float
    generator: float = 0.0

    @classmethod
    def take(cls, server_pid: int) -> CpuSample:
        import psutil

        times = psutil.cpu_times()
        server = psutil.Process(server_pid)
        return cls(
            wall=time.monotonic(),
            machine=times.user + times.nice + times.system + getattr(times, "irq", 0) + getattr(times, "softirq", 0),
            gunicorn=sum(_cpu(process) for process in [server, *server.children(recursive=True)]),
            postgres=sum(_cpu(process) for process in psutil.process_iter(["name"]) if process.info["name"] == PG),
        )

    def since(self, start: CpuSample, generator: float) -> CpuSample:
        return CpuSample(
            wall=self.wall - start.wall,
            machine=self.machine - start.machine,
            gunicorn=self.gunicorn - start.gunicorn,
            postgres=self.postgres - start.postgres,
            generator=generator,
        )


def _cpu(process) -> float:
    import psutil

    try:
        times = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    # A process that has ended is counted in its parent's children_* times (PostgreSQL's backends in the postmaster's).
    return times.user + times.system + times.children_user + times.children_system


def report(prefix: Path, users: int, seconds: int, workers: str, cpu: CpuSample) -> int:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    print(f"\nLoad: {users} simulated users for {seconds} s, gunicorn with {workers} workers, PostgreSQL")
    print(f"{'request':<32} {'count':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        print(
            f"{row['Name'][:32]:<32} {row['Request Count']:>7} {row['Failure Count']:>5} {row['50%']:>7} "
            f"{row['95%']:>7} {row['99%']:>7}"
        )
    requests = int(total["Request Count"])
    server = cpu.gunicorn + cpu.postgres
    print(f"throughput: {float(total['Requests/s']):.1f} requests/s; failures: {failures}")
    print(
        f"CPU over {cpu.wall:.0f} s (2 cores = {2 * cpu.wall:.0f} CPU-s): machine {cpu.machine:.0f} CPU-s, of which "
        f"gunicorn {cpu.gunicorn:.0f}, PostgreSQL {cpu.postgres:.0f}, the load generator {cpu.generator:.0f} "
        f"({cpu.generator / cpu.machine:.0%}), other {cpu.machine - server - cpu.generator:.0f}"
    )
    print(
        f"{requests / server:.1f} requests per CPU-second of gunicorn and PostgreSQL; "
        f"{requests / cpu.machine:.1f} per CPU-second of the whole machine"
    )
    missed = [
        f"{row['Name']}: p95 {row['95%']} ms (goal {goal} ms)"
        for row in rows
        if row["Name"] != "Aggregated"
        and int(row["95%"]) >= (goal := EXPORT_P95_MS if row["Name"].startswith("export ") else PAGE_P95_MS)
    ]
    for line in missed:
        print(f"goal missed: {line}")
    return 1 if failures or missed else 0


if __name__ == "__main__":
    sys.exit(main())
