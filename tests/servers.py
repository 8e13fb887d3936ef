"""What the tests that start a real server need: a free loopback port and a database of their own."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(folder: Path, suffix: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database beside the suite's own (SQLite file, or ``<name>_<suffix>`` on PostgreSQL) and a
    function that drops it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{folder / f'{suffix}.sqlite3'}", lambda: None
    import psycopg2

    parsed = urlparse(url)
    # Each pytest-xdist worker has a database of its own.
    name = f"{parsed.path.lstrip('/') or 'alliance'}_{suffix}{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urlunparse(parsed._replace(path=f"/{name}")), drop
