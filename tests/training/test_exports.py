from __future__ import annotations

import csv
import datetime
import io
from dataclasses import replace

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from exports.filters import Filters
from exports.sources import QUALIFICATIONS, source
from exports.training_rows import status_count
from tests.exports.test_formula_safety import parse, written
from tests.factories import PersonFactory
from tests.training.test_qualified_counts import edge_days
from tests.training.test_status import requirement, trained, version
from training.models import Requirement
from training.status import Status

D = datetime.date


def read(response) -> list[dict]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def test_training_records_export(auditor_client, alliance):
    gowning = requirement("SOP-GOWN-B")
    trained(alliance.medinet_person, gowning, D(2026, 1, 10), evidence="=cmd|calc", trainer=alliance.medinet_supervisor)
    rows = read(auditor_client.get(reverse("exports:download", args=["training-records", "csv"])))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Person"], row["Requirement"], row["Version trained on"], row["Completed on"]) == (
        "Takumi Yamada",
        "SOP-GOWN-B",
        "1",
        "2026-01-10",
    )
    assert row["Trainer"] == "Mio Hayashi"
    assert row["Evidence reference"] == "'=cmd|calc"


def test_qualification_status_export_as_of_a_date(auditor_client, alliance):
    gowning = requirement("SOP-GOWN-B", validity=None)
    trained(alliance.medinet_person, gowning, D(2025, 3, 1))
    version(gowning, 2, D(2026, 1, 15))
    url = reverse("exports:download", args=["qualification-status", "csv"])
    before = {
        r["Person"]: r for r in read(auditor_client.get(url, {"as_of": "2026-01-14", "site": alliance.shinagawa.pk}))
    }
    after = {
        r["Person"]: r for r in read(auditor_client.get(url, {"as_of": "2026-01-15", "site": alliance.shinagawa.pk}))
    }
    assert before["Takumi Yamada"]["Status"] == "current"
    assert (after["Takumi Yamada"]["Status"], after["Takumi Yamada"]["Version in effect"]) == ("superseded", "2")
    assert after["Takumi Yamada"]["As of"] == "2026-01-15"
    assert set(before) == {"Takumi Yamada"}  # only people based at the site


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY exists only on PostgreSQL: on SQLite the Python writer writes every CSV, there is no second path",
)


@postgresql_only
@pytest.mark.usefixtures("mixed")
def test_qualification_status_by_copy_is_the_python_writers_byte_for_byte_on_every_day_a_status_turns(alliance):
    """Every status, on every day one turns, for every filter the dataset honours, with names a spreadsheet would
    run, Japanese and text that needs quoting."""
    for n, name in enumerate(['=HYPERLINK("x")', 'Sato, "Ken"\nline two', "@Yamada", "+81", "山田 太郎", "-12"]):
        who = PersonFactory(name=name, employer=alliance.medinet, home_site=alliance.shinagawa)
        trained(who, requirement(f"-SOP {name}", validity=n or None), D(2026, 1, 31))
    # In effect only from mid-2026: before then, no version in effect and nobody trained.
    version(Requirement.objects.create(code="SOP-LATER", title="Later", validity_months=6), 1, D(2026, 6, 1))
    every = [
        Filters(),
        Filters(site=alliance.yokohama),
        Filters(site=alliance.shinagawa),
        Filters(company=alliance.medinet),
        Filters(partnership=alliance.partnership),
    ]
    statuses = set()
    for day in edge_days():
        for filters in every if day == D(2026, 3, 1) else every[:1]:
            src = source(QUALIFICATIONS, replace(filters, as_of=day))
            by_copy, by_python = written(src), written(replace(src, copy_selects=None))
            assert by_copy == by_python, (day, filters)
            rows = parse(by_copy)
            assert len(rows) - 1 == src.count() == status_count(replace(filters, as_of=day)), (day, filters)
            statuses |= {row[5] for row in rows[1:]}
    assert statuses == set(Status.values)


@postgresql_only
@pytest.mark.usefixtures("mixed")
def test_qualification_status_by_copy_is_as_of_today_by_default():
    src = source(QUALIFICATIONS, Filters())
    by_copy = parse(written(src))
    assert by_copy == parse(written(replace(src, copy_selects=None)))
    assert {row[0] for row in by_copy[1:]} == {timezone.localdate().isoformat()}
