"""Exports are recorded on the trail with their filters (a JSON field): no format or filter set may break the chain.

The regression: on PostgreSQL, jsonb gave the filters back in another key order than the hash was taken over, so
the first filtered export made ``verify_audit`` report a broken chain. Runs on both databases.
"""

from __future__ import annotations

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.verify import verify_all
from exports.models import ExportRecord
from exports.services import record_export
from exports.sources import FORMATS, NAMES
from tests.factories import ExchangeFactory, MilestoneFactory

D = datetime.date


@pytest.fixture
def records(alliance):
    alliance.medinet.fiscal_year_start_month = 10
    alliance.medinet._change_reason = "MEDINET's fiscal year runs October to September"
    alliance.medinet.save()
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        planned_start=D(2025, 1, 6),
        planned_end=D(2025, 3, 28),
    )
    MilestoneFactory(partnership=alliance.partnership, site=alliance.yokohama)
    return alliance


def every_filter(alliance, *, by_year: bool) -> dict[str, str]:
    dates = {"year_basis": str(alliance.medinet.pk), "fiscal_year": "2025"} if by_year else {}
    dates = dates or {"start": "2025-01-01", "end": "2025-12-31"}
    return {
        **dates,
        "partnership": str(alliance.partnership.pk),
        "site": str(alliance.yokohama.pk),
        "company": str(alliance.agc_bio.pk),
        "record_type": "exchange",
        "as_of": "2025-06-30",
        "headers": "ja",
    }


def assert_intact() -> None:
    broken = [str(report) for report in verify_all() if not report.ok]
    assert broken == []


@pytest.mark.parametrize("dataset", NAMES)
def test_every_format_with_and_without_filters_leaves_the_trail_intact(auditor_client, records, dataset):
    for fmt, query in itertools.product(
        FORMATS, [{}, every_filter(records, by_year=False), every_filter(records, by_year=True)]
    ):
        response = auditor_client.get(reverse("exports:download", args=[dataset, fmt]), query)
        assert response.status_code == 200, (fmt, query)
        b"".join(response.streaming_content) if response.streaming else response.content
    assert ExportRecord.objects.filter(dataset=dataset).count() == 3 * len(FORMATS)
    assert_intact()


def test_evidence_packs_with_every_filter_leave_the_trail_intact(auditor_client, records):
    for query in [{}, every_filter(records, by_year=False), every_filter(records, by_year=True)]:
        response = auditor_client.get(reverse("exports:evidence"), query)
        assert response.status_code == 200
        b"".join(response.streaming_content)  # read to the end, as a browser does: that frees the export's slot
    assert_intact()


def test_every_combination_of_recorded_filters_leaves_the_trail_intact(records):
    values = every_filter(records, by_year=False) | {"year_basis": "calendar", "fiscal_year": "2025"}
    for size in range(len(values) + 1):
        for keys in itertools.combinations(sorted(values), size):
            # Inserted in reverse order too: the hash must not depend on the order the dict was built in.
            record_export(user=None, dataset="exchanges", fmt="csv", filters={k: values[k] for k in keys[::-1]}, rows=0)
    assert ExportRecord.objects.count() == 2 ** len(values)
    assert_intact()


def test_the_reported_command_line_export_leaves_the_trail_intact(records, tmp_path):
    call_command(
        "export_records",
        "exchanges",
        "--start=2025-01-01",
        "--end=2025-12-31",
        f"--partnership={records.partnership.pk}",
        f"--site={records.shinagawa.pk}",
        f"--output={tmp_path / 'x.csv'}",
        stdout=StringIO(),
    )
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "exports_historicalexportrecord: 1 rows, intact" in out.getvalue()
