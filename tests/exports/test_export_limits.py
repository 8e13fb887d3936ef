"""An export cannot take a worker down: two at a time per user, a time budget, no temporary file left behind."""

from __future__ import annotations

import datetime
import hashlib
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exports import limits, services, writers
from exports.filters import Filters
from exports.limits import Budget, ExportsBusy, ExportTooSlow, acquire_slot
from exports.models import ExportRecord, ExportSlot
from exports.sources import AUDIT_TRAIL
from tests.factories import UserFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def url(dataset: str, fmt: str) -> str:
    return reverse("exports:download", args=[dataset, fmt])


@pytest.fixture(autouse=True)
def export_dir(tmp_path, settings):
    settings.EXPORT_TEMP_DIR = tmp_path / "exports"
    return settings.EXPORT_TEMP_DIR


def finish(response) -> None:
    """Read the download to the end, as a client does; the response then closes, as under a WSGI server."""
    b"".join(response.streaming_content)


def hang_up(response) -> None:
    """What the server does when the client goes away mid-download: stop sending and close the response.

    Closing a response tells Django the request is over, which would close the database connection that holds
    the test's transaction; the test client keeps it open when it closes a response, and so does this.
    """
    with mock.patch.object(connections["default"], "close_if_unusable_or_obsolete"):
        response.close()


def leftovers(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_six_concurrent_exports_by_one_user_two_run_and_the_others_get_429(auditor_client, alliance, settings):
    # The first two downloads stay open, as a slow client's would: their slots are held until they close.
    running = [auditor_client.get(url("people", "csv")) for _ in range(2)]
    assert [response.status_code for response in running] == [200, 200]
    refused = [auditor_client.get(url(dataset, "xlsx")) for dataset in ("people", "sites", "exchanges", "companies")]
    for response in refused:
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= settings.EXPORT_TIME_BUDGET_SECONDS
        assert "You already have 2 exports in progress" in response.text
    assert auditor_client.get(reverse("exports:evidence")).status_code == 429
    assert ExportRecord.objects.count() == 2  # the refused ones did nothing

    for response in running:
        b"".join(response.streaming_content)  # sent to the end: the response closes
    assert not ExportSlot.objects.exists()
    again = auditor_client.get(url("people", "csv"))
    finish(again)
    assert again.status_code == 200


def test_one_user_holding_every_slot_does_not_stop_another(auditor_client, alliance):
    running = [auditor_client.get(url("people", "csv")) for _ in range(2)]
    manager = Client()
    manager.force_login(UserFactory(username="manager", role="Manager"))
    response = manager.get(url("people", "csv"))
    assert response.status_code == 200
    for held in [*running, response]:
        finish(held)


def test_a_client_that_goes_away_mid_download_frees_its_slot_and_leaves_no_file(auditor_client, alliance, export_dir):
    response = auditor_client.get(url("audit-trail", "xlsx"))
    assert response.status_code == 200
    assert len(leftovers(export_dir)) == 1  # the export's own folder, while it is being sent
    next(iter(response.streaming_content))  # the first block reaches the client, which then hangs up
    hang_up(response)
    assert leftovers(export_dir) == []
    assert not ExportSlot.objects.exists()


def test_an_export_that_fails_frees_its_slot_and_leaves_no_file(auditor_client, alliance, export_dir, monkeypatch):
    def broken(src, out):
        out.write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_csv", broken)
    auditor_client.raise_request_exception = False
    response = auditor_client.get(url("people", "csv"))
    assert response.status_code == 500
    assert leftovers(export_dir) == []
    assert not ExportSlot.objects.exists()
    assert not ExportRecord.objects.exists()


@pytest.fixture
def slow_rows(monkeypatch):
    """A clock that moves ten seconds with every row read, so an export outlives its 20-second budget."""
    clock = {"now": 1000.0}
    monkeypatch.setattr(limits.time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(limits, "CHECK_EVERY", 1)
    real_source = services.source

    def slow_source(name, filters):
        src = real_source(name, filters)
        rows = src.rows

        def ticking():
            for row in rows():
                yield row
                clock["now"] += 10

        return replace(src, rows=ticking, copy_selects=None)  # no COPY: rows pass through Python

    monkeypatch.setattr(services, "source", slow_source)
    removed = []
    real_remove = services.remove_workdir

    def spy(folder):
        removed.extend(path.name for path in folder.iterdir())
        real_remove(folder)

    monkeypatch.setattr(services, "remove_workdir", spy)
    return removed


def test_an_export_past_its_time_budget_stops_with_a_message(auditor_client, alliance, export_dir, slow_rows):
    response = auditor_client.get(url("people", "xlsx"))
    assert response.status_code == 503
    assert "did not finish within 20 seconds" in response.text
    assert "Nothing was recorded or sent." in response.text
    assert slow_rows  # XlsxWriter's own temporary file of rows was there when it stopped…
    assert leftovers(export_dir) == []  # …and went with the folder
    assert not ExportRecord.objects.exists()
    assert not ExportSlot.objects.exists()


def test_the_evidence_pack_keeps_to_the_budget_too(auditor_client, alliance, export_dir, slow_rows):
    response = auditor_client.get(reverse("exports:evidence"))
    assert response.status_code == 503
    assert leftovers(export_dir) == []
    assert not ExportRecord.objects.exists()


def test_the_command_line_export_has_no_time_budget(alliance, export_dir, slow_rows, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "people.xlsx"
    call_command("export_records", "people", "--format", "xlsx", "--output", str(target))
    assert target.stat().st_size > 0
    assert leftovers(export_dir) == []


def test_a_slot_left_by_a_killed_worker_is_freed_once_stale(auditor_client, alliance, settings):
    user = get_user_model().objects.get(username="auditor")
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.EXPORT_SLOT_STALE_SECONDS + 1)
    ExportSlot.objects.bulk_create([ExportSlot(user=user, number=n, started_at=long_ago) for n in (1, 2)])
    response = auditor_client.get(url("people", "csv"))
    finish(response)
    assert response.status_code == 200


def test_a_slot_younger_than_the_stale_age_still_counts(auditor_client, alliance, settings):
    user = get_user_model().objects.get(username="auditor")
    recent = timezone.now() - datetime.timedelta(seconds=settings.EXPORT_SLOT_STALE_SECONDS - 5)
    ExportSlot.objects.bulk_create([ExportSlot(user=user, number=n, started_at=recent) for n in (1, 2)])
    assert auditor_client.get(url("people", "csv")).status_code == 429


def test_a_folder_left_by_a_killed_worker_is_removed_by_the_next_export(auditor_client, alliance, export_dir):
    export_dir.mkdir(parents=True)
    dead = export_dir / "export-999999999-abc"  # no such process
    alive = export_dir / f"export-{os.getpid()}-def"  # a long export of this very process
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "rows.xml").write_text("<row>an audit-trail value</row>")
        os.utime(folder, (0, 0))
    finish(auditor_client.get(url("people", "csv")))
    assert leftovers(export_dir) == [alive.name]


def test_json_is_written_whole_before_it_is_sent_and_its_hash_recorded(auditor_client, alliance):
    response = auditor_client.get(url("people", "json"))
    data = b"".join(response.streaming_content)
    assert ExportRecord.objects.get().sha256 == hashlib.sha256(data).hexdigest() == response["X-Content-SHA256"]
    assert response["X-Row-Count"] == "4"


@postgres_only
def test_a_query_still_running_at_the_end_of_the_budget_is_cancelled(db):
    with pytest.raises(ExportTooSlow), transaction.atomic(), Budget(0.2).running(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(10)")


@postgres_only
def test_an_export_s_queries_run_under_a_statement_timeout_within_the_budget(auditor_client, alliance, monkeypatch):
    seen = []
    real_write = services.write_csv

    def spy(src, out):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return real_write(src, out)

    monkeypatch.setattr(services, "write_csv", spy)
    finish(auditor_client.get(url("people", "csv")))
    assert len(seen) == 1 and seen[0] not in {"0", ""}
    assert 0 < int(seen[0].removesuffix("ms")) <= 20_000


@postgres_only
def test_each_select_of_a_dataset_copied_in_several_starts_within_the_budget_or_not_at_all(alliance, monkeypatch):
    # The audit trail is COPYd one record type at a time: each COPY here takes 30 s of a 20 s budget.
    clock = {"now": 1000.0}
    monkeypatch.setattr(limits.time, "monotonic", lambda: clock["now"])
    copies = []
    real_copy = writers._copy

    def slow_copy(cursor, statement, out):
        copies.append(statement)
        clock["now"] += 30
        return real_copy(cursor, statement, out)

    monkeypatch.setattr(writers, "_copy", slow_copy)
    with pytest.raises(ExportTooSlow):
        services.export_file(
            name=AUDIT_TRAIL, fmt="csv", filters=Filters(), user=None, source_kind="command", budget=Budget(20)
        )
    assert len(copies) == 1  # the next record type's COPY never started
    assert not ExportRecord.objects.exists()


def on_own_connection(work):
    """Run ``work`` in a thread of its own, on its own committed connection, as a worker process would."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


@postgres_only
def test_six_exports_started_at_once_on_postgresql_get_exactly_two_slots(django_db_setup, django_db_blocker):
    """Six threads, six connections, the same user, the same instant: the database hands out two slots."""
    with django_db_blocker.unblock():
        user = on_own_connection(lambda: get_user_model().objects.create(username=f"racer-{uuid.uuid4().hex[:8]}"))
        barrier = threading.Barrier(6)

        def export(_number: int) -> str:
            try:
                barrier.wait()
                acquire_slot(user)
                return "slot"
            except ExportsBusy:
                return "busy"
            finally:
                connection.close()

        try:
            with ThreadPoolExecutor(max_workers=6) as pool:
                outcomes = list(pool.map(export, range(6), timeout=60))
            assert sorted(outcomes) == ["busy"] * 4 + ["slot"] * 2
        finally:
            on_own_connection(lambda: (ExportSlot.objects.filter(user=user).delete(), user.delete()))
