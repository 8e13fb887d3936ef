"""The signatures dataset: every format, filtered like the others, in the evidence pack with its stale count."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from dataclasses import replace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.versions import version_of
from exports import signature_rows
from exports.filters import Filters
from exports.sources import SIGNATURES, source
from milestones.models import Milestone
from partners.models import Exchange
from signatures.services import signature_create
from tests.exports.test_exports import body, read_csv, url
from tests.exports.test_formula_safety import hostile_records, parse, written
from tests.factories import CompanyFactory, ExchangeFactory, MilestoneFactory, PartnershipFactory, UserFactory
from training.models import TrainingRecord


def done(partnership, title):
    return MilestoneFactory(
        partnership=partnership, title=title, status=Milestone.Status.DONE, actual_date=datetime.date(2026, 1, 5)
    )


@pytest.fixture
def signed(alliance):
    """Two approved milestones, one in another partnership; the first changed after it was signed."""
    manager = UserFactory(username="kenji", first_name="Kenji", last_name="Sato", role="Manager")
    other = PartnershipFactory(parties=[CompanyFactory(name="Other A"), CompanyFactory(name="Other B")])
    first, second = done(alliance.partnership, "Launch"), done(other, "Elsewhere")
    for milestone in (first, second):
        signature_create(
            record=milestone, signer=manager, meaning="approved", opened_version=version_of(Milestone, milestone.pk)
        )
    first.description = "Scope corrected"
    first._change_reason = "Corrected after approval"
    first.save()
    return first, second


def test_the_signatures_csv_names_signer_meaning_time_and_whether_each_still_covers_its_record(auditor_client, signed):
    rows = read_csv(auditor_client.get(url("signatures", "csv")))

    assert [(r["Printed name"], r["Meaning"], r["Record type"], r["Record id"]) for r in rows] == [
        ("Kenji Sato", "approved", "milestone", str(signed[0].pk)),
        ("Kenji Sato", "approved", "milestone", str(signed[1].pk)),
    ]
    assert [r["Covers the current version"] for r in rows] == ["false", "true"]
    assert all(r["Signed at (UTC)"] and len(r["SHA-256 of the signed content"]) == 64 for r in rows)


def test_the_signatures_export_is_filtered_by_partnership_like_the_others(auditor_client, alliance, signed):
    rows = read_csv(auditor_client.get(url("signatures", "csv"), {"partnership": alliance.partnership.pk}))
    assert [r["Record id"] for r in rows] == [str(signed[0].pk)]
    assert read_csv(auditor_client.get(url("signatures", "csv"), {"end": "2000-01-01"})) == []


def test_the_signatures_export_comes_as_xlsx_and_json(auditor_client, signed):
    workbook = openpyxl.load_workbook(io.BytesIO(body(auditor_client.get(url("signatures", "xlsx")))))
    assert workbook.active.max_row == 3
    data = json.loads(body(auditor_client.get(url("signatures", "json"))))
    assert [row["covers_current_version"] for row in data["rows"]] == [False, True]


def test_the_evidence_manifest_counts_signatures_that_no_longer_cover_their_record(auditor_client, signed):
    archive = zipfile.ZipFile(io.BytesIO(body(auditor_client.get(reverse("exports:evidence")))))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["signatures"] == {"exported": 2, "not_covering_their_record": 1}
    assert "signatures_signature" in {chain["chain"] for chain in manifest["audit_chain"]["heads"]}


def test_the_signatures_export_runs_the_same_queries_however_many_there_are(auditor_client, alliance):
    manager = UserFactory(username="kenji", role="Manager")

    def sign_milestones(start: int, count: int) -> None:
        for n in range(start, start + count):
            milestone = done(alliance.partnership, f"Signed {n}")
            signature_create(
                record=milestone, signer=manager, meaning="approved", opened_version=version_of(Milestone, milestone.pk)
            )

    sign_milestones(0, 1)
    body(auditor_client.get(url("signatures", "csv")))
    with CaptureQueriesContext(connection) as few:
        read_csv(auditor_client.get(url("signatures", "csv")))
    sign_milestones(1, 12)
    with CaptureQueriesContext(connection) as many:
        rows = read_csv(auditor_client.get(url("signatures", "csv")))
    assert len(rows) == 13
    assert len(many) == len(few)


def test_a_signed_records_own_export_row_names_its_signatures(auditor_client, signed):
    rows = {r["Milestone id"]: r["Signatures"] for r in read_csv(auditor_client.get(url("milestones", "csv")))}
    assert rows[str(signed[0].pk)].startswith("Kenji Sato (approved, 20")
    assert rows[str(signed[0].pk)].endswith(" UTC)")


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY exists only on PostgreSQL: on SQLite the Python writer writes every CSV, there is no second path",
)


@postgresql_only
def test_the_signatures_csv_by_copy_is_the_python_writers_byte_for_byte_with_every_filter(alliance, signed):
    """Milestones signed and changed, training records and decisions signed by people whose printed names a
    spreadsheet would run, a decision whose approval changed only what a signature does not cover."""
    for i, text in enumerate(['=HYPERLINK("x")', 'Sato, "Ken"\nline two', "@Yamada", "無菌操作 山田", "-12"]):
        hostile_records(alliance, name=text, code=f"SOP-{i}", objectives=text, outcome=text, reason=text)
    record = TrainingRecord.objects.order_by("pk").first()
    record.evidence = "changed after it was signed"
    record._change_reason = "Corrected"
    record.save()
    # Exchanges reviewed by their host supervisor: dates, amounts of text, one changed after the review.
    supervisor = alliance.medinet_supervisor
    for who, outcome in ((alliance.agc_person, "Qualified, with notes"), (alliance.agc_supervisor, "＝出向完了")):
        exchange = ExchangeFactory(
            person=who,
            partnership=alliance.partnership,
            host_company=alliance.medinet,
            host_site=alliance.shinagawa,
            host_supervisor=supervisor,
            planned_start=datetime.date(2025, 1, 6),
            planned_end=datetime.date(2025, 3, 28),
            actual_start=datetime.date(2025, 1, 6),
            actual_end=datetime.date(2025, 3, 28),
            status=Exchange.Status.COMPLETED,
            outcome=outcome,
        )
        opened = version_of(Exchange, exchange.pk)
        signature_create(record=exchange, signer=supervisor.user, meaning="reviewed", opened_version=opened)
    exchange.actual_end = datetime.date(2025, 3, 27)
    exchange._change_reason = "Left a day early"
    exchange.save()
    today = datetime.date.today()
    every = [
        Filters(),
        Filters(partnership=alliance.partnership),
        Filters(site=alliance.shinagawa),
        Filters(company=alliance.medinet),
        Filters(company=alliance.agc_bio),
        Filters(start=today - datetime.timedelta(days=1), end=today + datetime.timedelta(days=1)),
        Filters(end=datetime.date(2000, 1, 1)),
        *(Filters(record_type=kind) for kind in ("milestone", "training_record", "decision", "exchange")),
        Filters(record_type="company"),  # audited but never signed: no signature, and none that fails to cover
    ]
    covers = set()
    for filters in every:
        src = source(SIGNATURES, filters)
        by_copy, by_python = written(src), written(replace(src, copy_selects=None))
        assert by_copy == by_python, filters
        rows = parse(by_copy)
        assert len(rows) - 1 == src.count() == signature_rows.count(filters), filters
        stale = sum(1 for _signature, covers in signature_rows.shown(filters) if not covers)
        assert signature_rows.not_covering(filters) == stale == [row[10] for row in rows].count("false"), filters
        covers |= {row[10] for row in rows[1:]}
    assert covers == {"true", "false"}
