"""Back up, restore into a new database, and the audit trail still verifies, row for row."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.servers import demo_database, fresh_database

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def run(env: dict, *args: str) -> str:
    result = subprocess.run([*MANAGE, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def audited_demo(tmp_path_factory) -> tuple[dict, str, Callable[[], None]]:
    """The demo database (tests/servers.py), its environment, and what verify_audit says of it."""
    url, drop = demo_database(tmp_path_factory, "backup_live")
    env = {**os.environ, "DATABASE_URL": url}
    before = run(env, "verify_audit")
    rows = int(re.search(r"partners_historicalexchange: (\d+) rows, intact", before).group(1))
    assert rows > 0
    return env, before, drop


@pytest.mark.skipif(POSTGRES, reason="the SQLite round trip; the PostgreSQL one runs when DATABASE_URL is PostgreSQL")
def test_sqlite_backup_restores_with_a_verifiable_audit_trail(tmp_path, tmp_path_factory):
    env, before, _drop = audited_demo(tmp_path_factory)
    run(env, "backup_database", "--output", str(tmp_path / "backup.sqlite3"))
    shutil.copy(tmp_path / "backup.sqlite3", tmp_path / "restored.sqlite3")
    after = run({**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}, "verify_audit")
    assert after == before
    # The restored database protects its history too.
    with (
        sqlite3.connect(tmp_path / "restored.sqlite3") as restored,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        restored.execute("DELETE FROM partners_historicalexchange")


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
def test_postgresql_dump_restores_with_a_verifiable_audit_trail(tmp_path, tmp_path_factory):
    live, before, drop_live = audited_demo(tmp_path_factory)
    restored_url, drop_restored = fresh_database(tmp_path, "backup_restored")
    try:
        dump = tmp_path / "backup.dump"
        run(live, "backup_database", "--output", str(dump))
        parsed = urlparse(restored_url)
        restore = ["pg_restore", "--no-owner", f"--dbname={parsed.path.lstrip('/')}", str(dump)]
        for flag, value in (("--host", parsed.hostname), ("--port", parsed.port), ("--username", parsed.username)):
            if value:
                restore.insert(1, f"{flag}={value}")
        subprocess.run(restore, check=True, capture_output=True)
        restored = {**os.environ, "DATABASE_URL": restored_url}
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
        drop_live()
        drop_restored()


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (DATABASE_URL): only its backup runs a client tool")
def test_postgresql_backup_without_client_tools_says_what_to_install(tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no pg_dump on it
    with pytest.raises(CommandError, match="install the PostgreSQL client tools"):
        call_command("backup_database", "--output", str(tmp_path / "backup.dump"))
    assert not (tmp_path / "backup.dump").exists()
