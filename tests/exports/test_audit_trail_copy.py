"""On PostgreSQL the audit-trail CSV is written by COPY (``exports/audit_sql/``): the same bytes as the Python rows
(``exports/audit_rows.py``), which SQLite, XLSX and JSON use."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone, translation

from audit import registry
from exports import writers
from exports.filters import Filters
from exports.services import export_file
from exports.sources import AUDIT_TRAIL, EXPORT_SETTINGS, source
from exports.writers import write_csv
from governance.models import Decision
from governance.services import decision_set_concerns
from milestones.services import milestone_save, milestone_set_dependencies
from partners.models import Capability, Company, Exchange
from partners.services import capability_delete, exchange_save
from tests.exports.test_formula_safety import TRIGGERS, parse
from tests.factories import (
    CompanyFactory,
    DecisionFactory,
    ExchangeFactory,
    MeetingFactory,
    MilestoneFactory,
    PersonFactory,
    SiteFactory,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY exists only on PostgreSQL: on SQLite the Python rows write the audit trail, there is no second path",
)

# Reasons a spreadsheet or a CSV reader could trip on: quotes, commas, line breaks, formula starts, Japanese.
REASONS = [
    'Moved, as the "host" asked',
    "Line one\nline two\r\nline three",
    '=HYPERLINK("http://evil.example")',
    "+81 3 1234 5678",
    "-12.5",
    "-1+1",
    "@SUM(A1)",
    "＝１＋１",
    "受入先の都合により延期",
    "\\.",
    "",
]


def day(offset: int, *at: int) -> datetime.datetime:
    """A time ``offset`` days from today (local), at noon with microseconds unless told otherwise."""
    when = datetime.time(*at) if at else datetime.time(12, 0, 0, 250_001)
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate() + datetime.timedelta(offset), when))


def change(record, when: datetime.datetime, reason: str, user=None, save=None, **values):
    for name, value in values.items():
        setattr(record, name, value)
    record._history_date, record._change_reason, record._history_user = when, reason, user
    (save or (lambda: record.save()))()
    return record


@pytest.fixture
def trail(alliance):
    """A trail of every kind of change, spread over days: most after today, so the windows can cut between them."""
    # A password set, then changed (an event field: "set", then "changed"); the account's groups (many-to-many).
    manager = User(username="manager-sato", first_name="佐藤")
    manager.set_password("correct-horse-battery")
    manager._change_reason = "Joins the steering committee"
    manager.save()
    manager._history_date = day(1)
    manager.groups.add(Group.objects.get(name="Manager"))
    manager.set_password("another-horse-battery")
    change(manager, day(2), REASONS[0], manager)

    supervisor = PersonFactory(name="一時の指導者", employer=alliance.agc_bio)
    exchange = ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        host_supervisor=supervisor,
        objectives="=1+1",
        outcome="",
    )
    for offset, reason in enumerate(REASONS, start=1):
        values = {
            "status": [Exchange.Status.PLANNED, Exchange.Status.CANCELLED][offset % 2],
            "planned_end": datetime.date(2025, 3, 28) + datetime.timedelta(days=offset),
            "objectives": reason or "Restated",
            "outcome": "" if offset % 3 else "-12",
        }
        change(
            exchange,
            day(offset),
            reason,
            manager if offset % 2 else None,
            lambda: exchange_save(exchange=exchange),
            **values,
        )
    # The supervisor leaves the exchange, then the alliance's records: the exchange's trail names them "(deleted)".
    change(
        exchange,
        day(4, 0, 0),
        "Supervisor left",
        manager,
        lambda: exchange_save(exchange=exchange),
        host_supervisor=None,
    )
    change(supervisor, day(5), "Name as on the passport", manager, name="一時の指導者（旧姓）")
    change(supervisor, day(5), "Left the company", manager, save=lambda: supervisor.delete())

    company = CompanyFactory(name="東京細胞株式会社", short_name="TCC", kind=Company.Kind.CDMO)
    change(company, day(3), "Fiscal year from April", fiscal_year_start_month=4, parent=alliance.agc)
    change(company, day(6), "Fiscal year from January", fiscal_year_start_month=1, parent=None, notes="-5")

    site = SiteFactory(company=alliance.medinet, name="Kobe")
    gmp, qc = (
        Capability.objects.create(code="gmp-kobe", name="GMP manufacturing (Kobe)"),
        Capability.objects.create(code="qc-kobe", name="QC testing (Kobe)"),
    )
    site._change_reason = "Capabilities on opening"
    site.capabilities.set([gmp, qc])
    capability_delete(capability=qc, reason="Merged into GMP", user=manager)

    first = MilestoneFactory(partnership=alliance.partnership, countdown=True)
    second = MilestoneFactory(partnership=alliance.partnership, title="第二段階")
    change(first, day(7), "Countdown off", manager, lambda: milestone_save(milestone=first), countdown=False)
    second._history_date, second._change_reason = day(8), "Waits on the first"
    milestone_set_dependencies(milestone=second, depends_on=[first])
    change(second, day(9), "Dropped", None, lambda: second.delete())

    # A permission deleted with no history of its own: the role's trail names it by its id.
    stray = Permission.objects.create(
        codename="stray_right", name="Can do a stray thing", content_type=ContentType.objects.get_for_model(Exchange)
    )
    role = Group.objects.get(name="Auditor")
    role._change_reason = "Temporary right for the inspection"
    role.permissions.add(stray)
    stray.delete()

    meeting = MeetingFactory(partnership=alliance.partnership, title="Steering committee")
    decision = DecisionFactory(partnership=alliance.partnership, meeting=meeting, title="Go")
    change(decision, day(10), "Approved", manager, status=Decision.Status.APPROVED, approved_at=day(10, 15, 30, 0))
    decision._history_date = day(11)
    decision_set_concerns(decision=decision, exchanges=[exchange], sites=[site, alliance.yokohama])
    # An export of its own: its record's filters are JSON, written by Python per history row.
    export_file(name="exchanges", fmt="csv", filters=Filters(start=datetime.date(2026, 1, 1)), user=manager).close()
    return exchange


def both(src) -> tuple[bytes, bytes]:
    by_copy, by_python = io.BytesIO(), io.BytesIO()
    write_csv(src, by_copy)
    write_csv(dataclasses.replace(src, copy_selects=None), by_python)  # no COPY: the Python rows
    return by_copy.getvalue(), by_python.getvalue()


def windows() -> list[Filters]:
    """Change-time windows across the trail's days; the last one after every change."""
    today = timezone.localdate()
    return [
        Filters(),
        Filters(start=today + datetime.timedelta(3)),
        Filters(end=today + datetime.timedelta(3)),  # up to the change at midnight starting day 4, not it
        Filters(start=today + datetime.timedelta(4), end=today + datetime.timedelta(6)),
        Filters(start=today + datetime.timedelta(30)),
    ]


@postgresql_only
def test_copy_writes_the_same_audit_trail_as_the_python_rows_for_every_window_and_record_type(trail):
    *spans, after = windows()
    filters = [
        *spans,
        after,
        *(Filters(record_type=key) for key in registry.record_types()),
        Filters(record_type="exchange", start=timezone.localdate() + datetime.timedelta(4)),
    ]
    for each in filters:
        src = source(AUDIT_TRAIL, each)
        assert src.copy_selects is not None, each
        by_copy, by_python = both(src)
        assert by_copy == by_python, each
        rows = len(parse(by_copy)) - 1
        assert rows == src.count(), each
        assert rows > 0 or each not in spans, each
    assert source(AUDIT_TRAIL, after).count() == 0


@postgresql_only
def test_copy_writes_the_trail_in_the_source_language_whatever_the_readers_language(trail):
    with translation.override("ja"):
        src = source(AUDIT_TRAIL, Filters(headers="en"))
        by_copy, by_python = both(src)
    assert by_copy == by_python
    assert "Cancelled" in by_copy.decode() and "Yes" in by_copy.decode()


@postgresql_only
def test_the_copied_trail_says_what_changed_as_a_reader_expects(trail):
    by_copy, _by_python = both(source(AUDIT_TRAIL, Filters()))
    rows = parse(by_copy)
    header, rows = rows[0], rows[1:]
    cell = {name: header.index(name) for name in header}

    def changes(record_type, field):
        return [
            (r[cell["Who"]], r[cell["Action"]], r[cell["Old value"]], r[cell["New value"]], r[cell["Reason"]])
            for r in rows
            if r[cell["Record type"]] == record_type and r[cell["Field"]] == field
        ]

    assert ("system", "Created", "—", "set", "Joins the steering committee") in changes("user", "password_changed")
    assert ("manager-sato", "Changed", "—", "changed", REASONS[0]) in changes("user", "password_changed")
    assert ("system", "Changed", "Cancelled", "Planned", "\\.") in changes("exchange", "status")
    # A deleted record by the name its last history row gives it.
    assert ("manager-sato", "Changed", "一時の指導者（旧姓） (deleted)", "—", "Supervisor left") in changes(
        "exchange", "host_supervisor"
    )
    assert ("manager-sato", "Changed", "'=1+1", REASONS[0], REASONS[0]) in changes("exchange", "objectives")
    assert ("manager-sato", "Changed", "Line one\nline two\nline three", "'" + REASONS[2], "'" + REASONS[2]) in changes(
        "exchange", "objectives"
    )
    assert ("system", "Changed", "April", "January", "Fiscal year from January") in changes(
        "company", "fiscal_year_start_month"
    )
    assert ("manager-sato", "Changed", "Yes", "No", "Countdown off") in changes("milestone", "countdown")
    assert (
        "manager-sato",
        "Changed",
        "GMP manufacturing (Kobe), QC testing (Kobe) (deleted)",
        "GMP manufacturing (Kobe)",
        "Merged into GMP",
    ) in changes("site", "capabilities")
    assert ("system", "Created", "—", "{'start': '2026-01-01'}", "Export of exchanges as csv") in changes(
        "export_record", "filters"
    )
    sites = "Kobe (MEDINET), Yokohama Technical Center (AGC Biologics)"  # sorted, by name
    assert changes("decision", "sites") == [("manager-sato", "Changed", "—", sites, "Approved")]
    # Times as Python writes them: microseconds where there are some.
    [(*_who, joined, _reason)] = [c for c in changes("user", "date_joined") if c[0] == "system"][-1:]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", joined)
    approved = day(10, 15, 30).astimezone(datetime.UTC).isoformat()
    assert changes("decision", "approved_at") == [("manager-sato", "Changed", "—", approved, "Approved")]
    [(*_role, new_rights, _why)] = [c for c in changes("group", "permissions") if c[-1].startswith("Temporary")]
    assert re.search(r"#\d+ \(deleted\)", new_rights)
    deletions = [r for r in rows if r[cell["Action"]] == "Deleted"]
    assert {r[cell["Record type"]] for r in deletions} >= {"person", "milestone", "capability"}
    assert all(r[cell["Field"]] == "" and r[cell["Old value"]] == "—" for r in deletions)
    text = [c for r in rows for i, c in enumerate(r) if header[i] not in {"When (UTC)", "Record id"}]
    assert not [c for c in text if c.startswith(TRIGGERS) and not c.lstrip("-").replace(".", "").isdigit()]


@postgresql_only
def test_the_trail_s_copies_share_one_transaction_setting_whatever_the_number_of_record_types(trail):
    # One COPY per record type, but their session settings (exports.sources.export_cursor) once for the whole file:
    # each round trip around a COPY is a fixed cost that a small export feels.
    settings = []

    def count_settings(execute, sql, params, many, context):
        settings.extend([sql] if sql == EXPORT_SETTINGS else [])
        return execute(sql, params, many, context)

    copies = []
    real_copy = writers._copy

    def counted_copy(cursor, statement, out):
        copies.append(statement)
        return real_copy(cursor, statement, out)

    with connection.execute_wrapper(count_settings), mock.patch.object(writers, "_copy", counted_copy):
        write_csv(source(AUDIT_TRAIL, Filters()), io.BytesIO())
    assert len(copies) == len(registry.record_types()) > 1
    assert settings == [EXPORT_SETTINGS]
