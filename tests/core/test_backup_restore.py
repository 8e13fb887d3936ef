"""Back up, restore into a new database, and the audit trail still verifies, row for row."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def run(env: dict, *args: str) -> str:
    result = subprocess.run([*MANAGE, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def seeded(env: dict) -> str:
    run(env, "migrate", "--noinput", "-v0")
    run(env, "seed_demo", "--password", "backup-test-123", "--exchanges", "200", "--random-seed", "3")
    return run(env, "verify_audit")


@pytest.mark.skipif(POSTGRES, reason="the SQLite round trip; the PostgreSQL one runs when DATABASE_URL is PostgreSQL")
def test_sqlite_backup_restores_with_a_verifiable_audit_trail(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}"}
    before = seeded(env)
    run(env, "backup_database", "--output", str(tmp_path / "backup.sqlite3"))
    shutil.copy(tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3")
    after = run({**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}, "verify_audit")
    assert after == before
    assert "partners_historicalexchange: 210 rows, intact" in after
    # The restored database protects its history too.
    with (
        sqlite3.connect(tmp_path / "restored.sqlite3") as restored,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        restored.execute("DELETE FROM partners_historicalexchange")


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
def test_postgresql_dump_restores_with_a_verifiable_audit_trail(tmp_path):
    import psycopg2

    parsed = urlparse(os.environ["DATABASE_URL"])
    base = parsed.path.lstrip("/") or "alliance"
    names = {"live": f"{base}_backup_live", "restored": f"{base}_backup_restored"}
    admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in names.values():
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        live = {**os.environ, "DATABASE_URL": urlunparse(parsed._replace(path=f"/{names['live']}"))}
        before = seeded(live)
        dump = tmp_path / "backup.dump"
        run(live, "backup_database", "--output", str(dump))
        restore = ["pg_restore", "--no-owner", f"--dbname={names['restored']}", str(dump)]
        for flag, value in (("--host", parsed.hostname), ("--port", parsed.port), ("--username", parsed.username)):
            if value:
                restore.insert(1, f"{flag}={value}")
        subprocess.run(restore, check=True, capture_output=True)
        restored = {**os.environ, "DATABASE_URL": urlunparse(parsed._replace(path=f"/{names['restored']}"))}
        assert run(restored, "verify_audit") == before
        # The restored database protects its history too.
        out = subprocess.run(
            [*MANAGE, "dbshell", "--", "-c", "DELETE FROM partners_historicalexchange"],
            env=restored,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "append-only" in out.stderr
    finally:
        with admin.cursor() as cursor:
            for name in names.values():
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (DATABASE_URL): only its backup runs a client tool")
def test_postgresql_backup_without_client_tools_says_what_to_install(tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no pg_dump on it
    with pytest.raises(CommandError, match="install the PostgreSQL client tools"):
        call_command("backup_database", "--output", str(tmp_path / "backup.dump"))
    assert not (tmp_path / "backup.dump").exists()
