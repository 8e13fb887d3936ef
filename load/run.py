"""`make load`: the app under gunicorn on PostgreSQL, a headless locust run against 127.0.0.1, a report.

Exits non-zero on any error response. Settings via the environment: LOAD_DATABASE_URL (default: a fresh
local PostgreSQL database alliance_load), LOAD_USERS (30), LOAD_SECONDS (60), LOAD_EXCHANGES (20000).
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
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/alliance_load"


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
    users = int(os.environ.get("LOAD_USERS", "30"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    exchanges = os.environ.get("LOAD_EXCHANGES", "20000")
    fresh_postgres(database)
    env = {**os.environ, "DATABASE_URL": database, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "cdmo.settings"}
    # The gunicorn workers share one cache, as they must in any deployment with several (docs/configuration.md).
    env.setdefault("CACHE_URL", f"file://{tempfile.gettempdir()}/alliance-load-cache")
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "seed_demo", "--password", "load-test-password-123", "--exchanges", exchanges, "--random-seed", "5"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
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
    host = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{host}/healthz", timeout=1)  # noqa: S310 (our own local server)
                break
            except OSError:
                time.sleep(0.2)
        prefix = ROOT / "load" / "results"
        subprocess.run(  # noqa: S603
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
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
    return report(prefix, users, seconds, workers)


def report(prefix: Path, users: int, seconds: int, workers: str) -> int:
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
    print(f"throughput: {float(total['Requests/s']):.1f} requests/s; failures: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
