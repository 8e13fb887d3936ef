"""Dashboard render time and query count at benchmark size: cold (the cache emptied before each render, so every
panel is computed) and warm (the panels from the cache, as a second reader of the same view gets them).

The dashboard's goal is its time at the largest size against its time at the first: measured side by side, a copy of
the database at the first size kept for it (``keep_first_size``) and the two read in turns, each by a fresh process
(``side_by_side``), so that neither the machine's speed drifting over the run nor what seeding left in the bench's own
process counts for one size and not the other. ``python -m bench.dashboard`` is that process."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2
import psycopg2.errors
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

RUNS = 5
ROOT = Path(__file__).resolve().parents[1]
FIRST_SIZE = "first_size"
TEMPLATE_ATTEMPTS = 30


def measure(url: str, username: str = "manager", *, cold: bool = False) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.get(url)  # warm caches and the session clock
    timings, queries = [], 0
    for _run in range(RUNS):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return {"median_s": statistics.median(timings), "queries": queries, "bytes": len(response.content)}


def dashboard(*, cold: bool) -> dict:
    return measure(reverse("milestones:dashboard"), cold=cold)


def exchange_admin_list() -> dict:
    return measure(reverse("admin:partners_exchange_changelist"), username="staff")


def keep_first_size() -> str:
    """A copy of the benchmark database as it is now (the first size), for ``side_by_side``: its DATABASE_URL."""
    settings = connection.settings_dict
    here = current_url()
    connections.close_all()
    if connection.vendor == "sqlite":
        copy = Path(settings["NAME"]).with_name(f"bench-{FIRST_SIZE}.sqlite3")
        drop_first_size(f"sqlite:///{copy}")  # a journal an interrupted run left would be rolled into the copy
        shutil.copyfile(settings["NAME"], copy)
        return f"sqlite:///{copy}"
    name = f"{settings['NAME']}_{FIRST_SIZE}"
    with maintenance_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for _attempt in range(TEMPLATE_ATTEMPTS):
            try:
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
                break
            except psycopg2.errors.ObjectInUse:
                # PostgreSQL copies no database another session is connected to (autovacuum's, for a moment).
                time.sleep(1)
        else:
            raise RuntimeError(f"{settings['NAME']} stayed in use by other sessions: it could not be copied")
    return urlunparse(urlparse(here)._replace(path=f"/{name}"))


def drop_first_size(url: str) -> None:
    if connection.vendor == "sqlite":
        copy = Path(urlparse(url).path)
        for path in (copy, copy.with_name(copy.name + "-journal")):
            path.unlink(missing_ok=True)
        return
    with maintenance_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{urlparse(url).path.lstrip("/")}" WITH (FORCE)')


def current_url() -> str:
    """The benchmark database's DATABASE_URL (the settings' own SQLite file when none is set)."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{connection.settings_dict['NAME']}"


@contextmanager
def maintenance_cursor() -> Iterator:
    """A cursor on PostgreSQL's own database, outside any transaction (CREATE and DROP DATABASE need that)."""
    settings = connection.settings_dict
    maintenance = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )
    maintenance.autocommit = True
    try:
        yield maintenance.cursor()
    finally:
        maintenance.close()


@dataclass(frozen=True)
class SideBySide:
    rounds: int
    first_cold: float  # medians of the rounds, seconds
    last_cold: float
    first_warm: float
    last_warm: float
    cold: float  # medians of the rounds' ratios, last size against first
    warm: float


def side_by_side(first_url: str, rounds: int = 6) -> SideBySide:
    """The dashboard cold and warm at the first size and at this one, ``rounds`` times in turns (which goes first
    alternates), each a fresh process's median of RUNS renders."""
    here = current_url()
    first, last = [], []
    for run in range(rounds):
        order = ((first_url, first), (here, last))
        for url, results in order if run % 2 == 0 else reversed(order):
            # Its log and any traceback go to the bench's own output; its last line is the figures.
            done = subprocess.run(
                [sys.executable, "-m", "bench.dashboard"],
                env={**os.environ, "DATABASE_URL": url},
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            if not done.stdout.strip():
                raise RuntimeError(f"python -m bench.dashboard printed no figures for {url}")
            results.append(json.loads(done.stdout.splitlines()[-1]))
    median = statistics.median
    return SideBySide(
        rounds,
        median(r["cold"] for r in first),
        median(r["cold"] for r in last),
        median(r["warm"] for r in first),
        median(r["warm"] for r in last),
        median(b["cold"] / a["cold"] for a, b in zip(first, last, strict=True)),
        median(b["warm"] / a["warm"] for a, b in zip(first, last, strict=True)),
    )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    print(json.dumps({"cold": dashboard(cold=True)["median_s"], "warm": dashboard(cold=False)["median_s"]}))
