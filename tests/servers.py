"""What the tests that start a real server need: a free loopback port and a database of their own."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import http.client
import importlib.metadata
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
# The demo users' password in every database demo_database() hands out.
DEMO_PASSWORD = "server-demo-password-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Visitor:
    """One client of a server started by a test, keeping its cookies (here rather than in a cookie jar: production's
    are HTTPS-only, and these servers speak plain HTTP), and the headers it sends with every request: a proxy's, an
    API token."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None, headers: dict[str, str] | None = None):
        self.port, self.cookies, self.headers = port, dict(cookies or {}), dict(headers or {})

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        server = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            server.request(method, path, body=body, headers=sent)
            raw = server.getresponse()
            data = raw.read()
        finally:
            server.close()
        for value in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return Response(raw.status, {key.lower(): value for key, value in raw.getheaders()}, data)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict | bytes, headers: dict | None = None) -> Response:
        body = data if isinstance(data, bytes) else urlencode(data, doseq=True).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, {**form, **(headers or {})})

    def post_json(self, path: str, data: dict) -> Response:
        return self.request("POST", path, json.dumps(data).encode(), {"Content-Type": "application/json"})


def wait_until_healthy(visitor: Visitor, log: Path | None = None, seconds: float = 60) -> None:
    """Until the server answers /healthz; a server that never does fails the test here, with the end of its log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if visitor.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    import pytest

    said = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"the server on port {visitor.port} did not answer /healthz within {seconds} s\n{said}")


def _postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def _database_name(suffix: str) -> str:
    return f"{urlparse(os.environ['DATABASE_URL']).path.lstrip('/') or 'alliance'}_{suffix}"


def fresh_database(folder: Path, suffix: str, template: str = "") -> tuple[str, Callable[[], None]]:
    """A new database beside the suite's own (SQLite file, or ``<name>_<suffix>`` on PostgreSQL), empty or a copy
    of ``template`` (a PostgreSQL database name), and a function that drops it."""
    if not _postgres():
        return f"sqlite:///{folder / f'{suffix}.sqlite3'}", lambda: None
    # Each pytest-xdist worker has a database of its own.
    name = _database_name(f"{suffix}{os.environ.get('PYTEST_XDIST_WORKER', '')}")
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{name}")), drop


def run_folder(tmp_path_factory) -> Path:
    """The run's temporary folder, common to its pytest-xdist workers."""
    shared = tmp_path_factory.getbasetemp()
    return shared.parent if os.environ.get("PYTEST_XDIST_WORKER") else shared


def migrated_database(tmp_path_factory) -> Path:
    """An SQLite file migrated by this checkout's migrations, made once a run by whichever worker asks first (the
    others wait on its lock). The workers' test databases and the demo's start as copies of it: migrating takes a
    quarter of a minute of CPU, which each of them spent on its own."""
    shared = run_folder(tmp_path_factory)
    migrated = shared / "migrated.sqlite3"
    with FileLock(shared / "migrated.lock"):
        if not migrated.exists():
            partial = shared / "migrated.partial.sqlite3"
            partial.unlink(missing_ok=True)
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{partial}", "DJANGO_SETTINGS_MODULE": "cdmo.settings"}
            manage = [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"]
            subprocess.run(manage, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            partial.replace(migrated)
    return migrated


def collected_static(tmp_path_factory, env: dict[str, str]) -> Path:
    """The static files, collected once a run for the test app servers that run with DEBUG off (``env``: the
    server's own), by whichever worker asks first (the others wait on its lock): each worker collecting its own
    copy spent a second of CPU on the same files."""
    shared = run_folder(tmp_path_factory)
    folder = shared / "static"
    with FileLock(shared / "static.lock"):
        if not (shared / "static.collected").exists():
            manage = [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"]
            subprocess.run(manage, env={**env, "DJANGO_STATIC_ROOT": str(folder)}, cwd=ROOT, check=True)
            (shared / "static.collected").touch()
    return folder


def collected_for_production(folder: Path, env: dict[str, str]) -> Path:
    """Production's static files, hashed and compressed, collected with the server's settings (``env``): into
    ``folder``, or where `make test` keeps them between runs of the same code (``kept_production_static``), under a
    lock that another process collecting them waits on."""
    kept = kept_production_static(env)
    static = kept or folder / "static"
    with FileLock(kept.with_name("static-production.lock")) if kept else contextlib.nullcontext():
        if not static.exists():
            partial = static.with_name(f"{static.name}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            manage = [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"]
            subprocess.run(manage, env={**env, "DJANGO_STATIC_ROOT": str(partial)}, cwd=ROOT, check=True)
            partial.replace(static)
    return static


def demo_database(tmp_path_factory, suffix: str) -> tuple[str, Callable[[], None]]:
    """A database of its own holding the demo data as `make run` seeds it (users' password: DEMO_PASSWORD).

    Migrating and seeding take most of a real-server test's start, so the first worker of the run builds the demo
    once, under a lock the others wait on, and every caller gets a copy: a file copy on SQLite, ``CREATE DATABASE …
    TEMPLATE`` on PostgreSQL (which refuses a template another session is copying, hence the copy under the lock).
    """
    shared = run_folder(tmp_path_factory)
    folder = tmp_path_factory.mktemp(suffix)
    with FileLock(shared / "demo-database.lock"):
        built = shared / "demo-database.built"
        template_file = shared / "demo-template.sqlite3"
        template = _database_name("demo_template") if _postgres() else ""
        kept = None if template else kept_demo_database()
        if not built.exists() and kept and kept.exists():
            shutil.copyfile(kept, template_file)
            built.touch()
        if not built.exists():
            url = f"sqlite:///{template_file}"
            commands = [["migrate", "--noinput"], ["seed_demo", "--password", DEMO_PASSWORD]]
            if template:
                admin = _admin_connection()
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                    cursor.execute(f'CREATE DATABASE "{template}"')
                admin.close()
                url = urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{template}"))
            else:
                shutil.copyfile(migrated_database(tmp_path_factory), template_file)
                commands = commands[1:]  # migrated already
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "cdmo.settings"}
            manage = [sys.executable, str(ROOT / "manage.py")]
            for command in commands:
                subprocess.run([*manage, *command, "-v0"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            if kept:
                shutil.copyfile(template_file, kept.with_suffix(".partial"))
                kept.with_suffix(".partial").replace(kept)
            built.touch()
        url, drop = fresh_database(folder, suffix, template)
        if not template:
            shutil.copyfile(template_file, folder / f"{suffix}.sqlite3")
    return url, drop


# Set by tests/conftest.py under `--reuse-db` (`make test`): the folder where what the real-server tests build from
# the code is kept between runs, as the test databases are. None: every run builds it.
KEEP_IN: Path | None = None


def kept_demo_database() -> Path | None:
    """Where the demo database built by this checkout's code today is kept (SQLite only), or None if it is not kept.

    Migrating and seeding take half a minute that every real-server test waits for. The name carries a digest of
    the code (any code could change what seeding writes) and today's date (the demo's dates are relative to it), so an
    edit or a new day builds it anew.
    """
    if _postgres():
        return None
    return kept_for_code("demo", ".sqlite3", datetime.date.today().isoformat(), DEMO_PASSWORD)


def kept_production_static(env: dict[str, str]) -> Path | None:
    """Where production's static files collected from this checkout are kept, or None if they are not kept.

    Collecting them for production compresses every file (gzip and Brotli at its best, which is slow): a core-minute
    or more, the most CPU any one fixture of the suite spends. What it writes depends on the static folders, the
    settings (the storage, the apps whose static files are collected), the packages installed (their static files and
    the compressors) and the apps the server's settings (``env``) install: not on the rest of the code, the database
    or the day, so an edit to a view or a model uses them again.
    """
    installed = sorted(f"{package.name}=={package.version}" for package in importlib.metadata.distributions())
    also = (sys.version, env.get("TASKS_BACKEND", ""), *installed)
    return kept_for_code("static-production", "", *also, built_from=static_sources)


def the_code(name: str) -> bool:
    """Every file of the checkout but the tests and the documentation."""
    return not name.startswith(("tests/", "docs/"))


def static_sources(name: str) -> bool:
    """The files of the checkout that collectstatic reads: the static folders, and the settings that say how."""
    return name.startswith("cdmo/") or "/static/" in f"/{name}"


def kept_for_code(kind: str, suffix: str, *also: str, built_from: Callable[[str], bool] = the_code) -> Path | None:
    """``KEEP_IN/<kind>-<digest><suffix>``, the digest of ``also`` and of the checkout's files it is ``built_from``
    (by their path: the code, by default); the ones of the same kind built from other files are dropped. None when
    nothing is kept or this is not a checkout."""
    if KEEP_IN is None:
        return None
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        return None
    digest = hashlib.sha256("\0".join(also).encode())
    for name in sorted(filter(None, listed.stdout.decode().split("\0"))):
        path = ROOT / name
        if built_from(name) and path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    KEEP_IN.mkdir(parents=True, exist_ok=True)
    kept = KEEP_IN / f"{kind}-{digest.hexdigest()[:12]}{suffix}"
    for older in KEEP_IN.glob(f"{kind}-*{suffix}"):
        if older in (kept, kept.with_name(f"{kept.name}.partial")):
            continue
        if older.is_dir():
            shutil.rmtree(older, ignore_errors=True)
        else:
            older.unlink(missing_ok=True)
    return kept
