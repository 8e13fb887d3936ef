"""No CSV the alliance writes can be turned into a formula by a spreadsheet, whatever text the records hold.

Files are read back the way a spreadsheet reads them: a CR alone ends a line too (universal newlines), so a CR inside
an unquoted value would start a new row whose first cell the spreadsheet runs.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import operator
import re
import zipfile

import pytest
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from audit.versions import version_of
from exports.filters import Filters
from exports.neutralise import neutralise, neutralise_sql
from exports.sources import AUDIT_TRAIL, EXPORT_SETTINGS, NAMES, QUALIFICATIONS, SIGNATURES, TABLES, source
from exports.sql_cells import sql_cell
from exports.writers import cell, csv_row, write_csv
from governance.models import Decision
from governance.services import decision_set_concerns, risk_set_milestones
from partners.fiscal import basis_for
from signatures.services import signature_create
from tests.factories import (
    ActionFactory,
    DecisionFactory,
    ExchangeFactory,
    MeetingFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
    SiteFactory,
    UserFactory,
)
from tests.properties import examples
from tests.scheduling import heavy
from tests.training.test_status import requirement, trained
from training.models import TrainingRecord

D = datetime.date
PAYLOAD = "Safe text\r=cmd|' /C calc'!A0"
# Universal newlines turn the CR into LF, inside the one quoted cell.
READ_BACK = "Safe text\n=cmd|' /C calc'!A0"
# Written out here rather than imported, so a trigger dropped from the rule is still looked for.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PLAIN_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(\.[0-9]+)?")

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY exists only on PostgreSQL: on SQLite the Python writer writes every CSV, there is no second path",
)


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=None)))


def body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def download(client, dataset: str, **query) -> list[list[str]]:
    return parse(body(client.get(reverse("exports:download", args=[dataset, "csv"]), query)))


def formula_cells(rows: list[list[str]]) -> list[str]:
    return [
        cell for row in rows for cell in row if cell.startswith(TRIGGERS) and not PLAIN_NEGATIVE_NUMBER.fullmatch(cell)
    ]


def column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def written(src) -> bytes:
    out = io.BytesIO()
    write_csv(src, out)
    return out.getvalue()


def test_a_carriage_return_in_an_exchange_objective_stays_inside_its_cell(auditor_client, alliance):
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        objectives=PAYLOAD,
        outcome="Qualified",
    )
    rows = download(auditor_client, "exchanges")
    assert len(rows) == 2
    assert {len(row) for row in rows} == {len(rows[0])}
    assert column(rows, "Objectives") == [READ_BACK]
    assert column(rows, "Outcome") == ["Qualified"]
    assert formula_cells(rows) == []


def test_a_carriage_return_in_a_reason_stays_inside_its_cell_on_the_audit_trail(auditor_client, alliance):
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet
    )
    exchange.objectives = PAYLOAD
    exchange._change_reason = PAYLOAD
    exchange.save()
    rows = download(auditor_client, "audit-trail", record_type="exchange")
    assert len(rows) - 1 == source("audit-trail", Filters(record_type="exchange")).count()
    assert {len(row) for row in rows} == {len(rows[0])}
    changed = [row for row in rows if READ_BACK in row]
    assert len(changed) == 1
    assert [changed[0][rows[0].index(header)] for header in ("Field", "New value", "Reason")] == [
        "objectives",
        READ_BACK,
        READ_BACK,
    ]
    assert formula_cells(rows) == []


def test_a_carriage_return_in_a_name_or_code_stays_inside_its_cell_in_qualification_status(auditor_client, alliance):
    person = PersonFactory(name=PAYLOAD, employer=alliance.medinet, home_site=alliance.shinagawa)
    gowning = requirement(PAYLOAD)
    trained(person, gowning, D(2026, 1, 10))
    rows = download(auditor_client, "qualification-status", site=alliance.shinagawa.pk, as_of="2026-02-01")
    # Two people based at Shinagawa (Takumi Yamada and the new one), one requirement.
    assert len(rows) == 3
    assert {len(row) for row in rows} == {len(rows[0])}
    assert sorted(column(rows, "Person")) == [READ_BACK, "Takumi Yamada"]
    assert column(rows, "Requirement") == [READ_BACK, READ_BACK]
    assert formula_cells(rows) == []
    records = download(auditor_client, "training-records")
    assert column(records, "Person") == [READ_BACK] and column(records, "Requirement") == [READ_BACK]


def test_values_with_a_line_break_are_quoted_in_the_file_itself(auditor_client, alliance):
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet, outcome="ok"
    )
    exchange.outcome = "line one\r\nline two"
    exchange._change_reason = PAYLOAD
    exchange.save()
    data = body(auditor_client.get(reverse("exports:download", args=["exchanges", "csv"])))
    assert data.endswith(b',"line one\r\nline two",\n')  # Outcome, then the (empty) signatures
    trail = body(auditor_client.get(reverse("exports:download", args=["audit-trail", "csv"])))
    assert b",\"Safe text\r=cmd|' /C calc'!A0\"," in trail


def test_the_evidence_pack_files_hold_as_many_rows_as_its_manifest_says(auditor_client, alliance):
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet, objectives=PAYLOAD
    )
    exchange.outcome = PAYLOAD
    exchange._change_reason = PAYLOAD
    exchange.save()
    archive = zipfile.ZipFile(io.BytesIO(body(auditor_client.get(reverse("exports:evidence")))))
    for entry in json.loads(archive.read("manifest.json"))["files"]:
        rows = parse(archive.read(entry["file"]))
        assert len(rows) - 1 == entry["rows"], entry["file"]
        assert len({len(row) for row in rows}) == 1, entry["file"]
        assert formula_cells(rows) == [], entry["file"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("＝1+1", "'＝1+1"),
        ("＋81 3 1234", "'＋81 3 1234"),
        ("－cmd", "'－cmd"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        # A full-width minus number is text, not one of the numbers the alliance writes: neutralised too.
        ("－12", "'－12"),
        ("－１２.５", "'－１２.５"),
        ("-12.5", "-12.5"),
        ("-12\n", "'-12\n"),
        ("-１２", "'-１２"),
        ("Safe text\r=cmd", "Safe text\r=cmd"),
        ("a＝b", "a＝b"),
    ],
)
def test_full_width_triggers_are_neutralised_in_python_and_in_sql(text, expected, db):
    assert neutralise(text) == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {neutralise_sql('v')} FROM (SELECT %s::text AS v) AS t", [text])
            assert cursor.fetchone()[0] == expected


def test_full_width_triggers_are_neutralised_in_the_export_and_negative_numbers_are_not(auditor_client, alliance):
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        objectives='＝HYPERLINK("http://evil.example")',
        outcome="-12.5",
    )
    ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        objectives="＠SUM(A1)",
        outcome="－12",
    )
    rows = download(auditor_client, "exchanges")
    assert column(rows, "Objectives") == ['\'＝HYPERLINK("http://evil.example")', "'＠SUM(A1)"]
    assert column(rows, "Outcome") == ["-12.5", "'－12"]
    assert formula_cells(rows) == []


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (["a", "b"], "a,b\n"),
        (["a\rb", "c"], '"a\rb",c\n'),
        (["a\nb", "c"], '"a\nb",c\n'),
        (["a,b", 'say "hi"'], '"a,b","say ""hi"""\n'),
        (["", "x", ""], ",x,\n"),
        (["\\.", "x"], "\\.,x\n"),
        (["\\."], '"\\."\n'),
        (["\\.x"], "\\.x\n"),
        (["'=1", " lead", "tail "], "'=1, lead,tail \n"),
    ],
)
def test_fields_are_quoted_as_postgresql_quotes_them(fields, line):
    assert csv_row(fields) == line


PROPERTY = examples(25)
# Any character PostgreSQL text can hold (UTF-8, not NUL), with the characters that matter here made common.
CHARACTER = st.one_of(
    st.characters(codec="utf-8", exclude_characters="\x00"),
    st.sampled_from([*TRIGGERS, "\n", ",", '"', "'", "\\", ".", "1"]),
)
# Half the values start with a trigger, so each one is tried on every run.
TEXT = st.one_of(
    st.text(CHARACTER, max_size=40),
    st.builds(operator.add, st.sampled_from(TRIGGERS), st.text(CHARACTER, max_size=40)),
)
NAME = TEXT.filter(bool)


def hostile_records(alliance, name: str, code: str, objectives: str, outcome: str, reason: str) -> None:
    """Text in every kind of text cell: names, free text, labels, codes, audit values and reasons."""
    person = PersonFactory(name=name, job_title=outcome, employer=alliance.medinet, home_site=alliance.shinagawa)
    site = SiteFactory(company=alliance.medinet, name=objectives or "Site")
    exchange = ExchangeFactory(
        person=person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        host_supervisor=alliance.agc_supervisor,
        objectives=objectives,
        outcome=outcome,
    )
    exchange.objectives, exchange.outcome = outcome, objectives
    exchange._change_reason = reason
    exchange.save()
    milestone = MilestoneFactory(partnership=alliance.partnership, site=site, title=name, description=reason)
    # The steering committee's records: titles, the decision's text and rationale, a risk's mitigation.
    meeting = MeetingFactory(partnership=alliance.partnership, title=name, minutes=reason)
    decision = DecisionFactory(
        partnership=alliance.partnership, meeting=meeting, title=name, text=objectives or "Decided", rationale=outcome
    )
    decision_set_concerns(decision=decision, milestones=[milestone], sites=[site], exchanges=[exchange])
    ActionFactory(partnership=alliance.partnership, owner=person, title=name, decision=decision, meeting=meeting)
    risk = RiskFactory(partnership=alliance.partnership, owner=person, title=name, mitigation=reason)
    risk_set_milestones(risk=risk, milestones=[milestone])
    record = trained(person, requirement(code), D(2026, 1, 10), evidence=reason, trainer=alliance.medinet_supervisor)
    # The trainer signs it, and as a co-chair signs the decision: their printed name is text of the signatures
    # export and of the decision's signatures column.
    trainer = alliance.medinet_supervisor
    trainer.user = UserFactory(username="trainer", first_name=name[:150])
    trainer._change_reason = reason
    trainer.save()
    signature_create(
        record=record, signer=trainer.user, meaning="performed", opened_version=version_of(TrainingRecord, record.pk)
    )
    alliance.partnership.co_chairs.add(trainer)
    signature_create(
        record=decision, signer=trainer.user, meaning="approved", opened_version=version_of(Decision, decision.pk)
    )


@heavy("formula-safety")
@PROPERTY
@given(name=NAME, code=NAME, objectives=TEXT, outcome=TEXT, reason=TEXT)
@example(name=PAYLOAD, code=PAYLOAD, objectives=PAYLOAD, outcome="-12.5", reason=PAYLOAD)
def test_any_text_in_any_export_stays_in_its_cell_and_never_starts_a_formula(
    alliance, name, code, objectives, outcome, reason
):
    with transaction.atomic():
        hostile_records(alliance, name, code, objectives, outcome, reason)
        for dataset in NAMES:
            src = source(dataset, Filters(as_of=D(2026, 2, 1)))
            rows = parse(written(src))
            assert len(rows) - 1 == src.count() > 0, dataset
            assert {len(row) for row in rows} == {len(src.columns)}, dataset
            assert formula_cells(rows) == [], dataset
        transaction.set_rollback(True)


@postgresql_only
@PROPERTY
@given(fields=st.lists(TEXT, min_size=1, max_size=4))
@example(fields=["\\."])
@example(fields=["\\.", ""])
@example(fields=[""])
@example(fields=[f"{trigger}1" for trigger in TRIGGERS])
@example(fields=[PAYLOAD, "-12", "－12", '"', "a,b"])
def test_the_python_writer_quotes_and_neutralises_any_text_as_copy_does(db, fields):
    assert copied("text", fields) == csv_row([cell("text", field) for field in fields])


def copied(kind: str, values: list) -> str:
    """The row PostgreSQL's COPY writes of ``values``, each as a cell of ``kind`` (``exports.sql_cells``)."""
    types = {"text": "text", "code": "text", "bool": "boolean", "int": "integer", "date": "date"}
    inner = ", ".join(f"%s::{types[kind]} AS v{i}" for i in range(len(values)))
    cells = ", ".join(sql_cell(kind, f"v{i}") for i in range(len(values)))
    with connection.cursor() as cursor:
        cursor.execute(EXPORT_SETTINGS)
        query = cursor.mogrify(f"SELECT {cells} FROM (SELECT {inner}) AS t", values).decode()
        out = io.BytesIO()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", out)
    return out.getvalue().decode()


@postgresql_only
@pytest.mark.parametrize(
    ("kind", "values"),
    [
        # Empty text and no value are both an empty cell; a formula is neutralised, whatever else the row holds.
        ("text", [None, "", "=1", "", None]),
        ("text", ["", "－12", "-12", "-12.5", "- 12", "plain", "無菌", " ", "'=1"]),
        ("text", [f"{trigger}" for trigger in TRIGGERS]),
        ("code", [None, "", "approved", "3-ab12"]),
        ("bool", [True, False, None]),
        ("int", [None, -12, 0, 7]),
        ("date", [None, D(2026, 1, 31)]),
    ],
)
def test_each_kind_of_cell_is_written_by_copy_as_the_python_writer_writes_it(db, kind, values):
    assert copied(kind, values) == csv_row([cell(kind, value) for value in values])


HOSTILE = [
    PAYLOAD,
    "line one\r\nline two\n",
    '＝HYPERLINK("http://evil.example")',
    "＠SUM(A1)",
    "－12",
    "-12.5",
    "-12\n",
    "\tindented",
    "\r",
    "\\.",
    '"quoted", with a comma',
    "'already quoted",
    " ",
    "無菌操作の研修",
]


@postgresql_only
@pytest.mark.parametrize("by_year", [False, True])
def test_copy_and_the_python_writer_give_the_same_bytes_for_hostile_data(alliance, by_year):
    for i, text in enumerate(HOSTILE):
        hostile_records(alliance, name=text, code=f"{text}{i}", objectives=text, outcome=HOSTILE[i - 1], reason=text)
    filters = Filters(year_basis=basis_for(alliance.medinet) if by_year else None)
    for dataset in TABLES:
        src = source(dataset, filters)
        assert src.copy_selects is not None
        by_copy = written(src)
        by_python = written(dataclasses.replace(src, copy_selects=None))  # no SELECTs: the Python row writer
        assert by_copy == by_python, dataset
        assert len(parse(by_copy)) - 1 == src.count() > 0, dataset
    # The audit trail gives its own SELECTs (exports/audit_sql/): every hostile text above is on it.
    trail = source(AUDIT_TRAIL, filters)
    assert trail.copy_selects is not None
    by_copy = written(trail)
    assert by_copy == written(dataclasses.replace(trail, copy_selects=None))
    assert len(parse(by_copy)) - 1 == trail.count() > 0


@postgresql_only
def test_copy_and_the_python_writer_give_the_same_bytes_for_hostile_data_in_computed_datasets(alliance):
    for i, text in enumerate(HOSTILE):
        hostile_records(alliance, name=text, code=f"{text}{i}", objectives=text, outcome=HOSTILE[i - 1], reason=text)
    for dataset in (QUALIFICATIONS, SIGNATURES):
        src = source(dataset, Filters(as_of=D(2026, 2, 1)))
        assert src.copy_selects is not None
        by_copy = written(src)
        by_python = written(dataclasses.replace(src, copy_selects=None))  # no SELECT: the Python row writer
        assert by_copy == by_python, dataset
        assert len(parse(by_copy)) - 1 == src.count() > len(HOSTILE), dataset


@postgresql_only
def test_copy_writes_dates_as_iso_whatever_the_sessions_datestyle(alliance):
    trained(alliance.medinet_person, requirement("SOP-DATES"), D(2026, 1, 31))
    ExchangeFactory(person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet)
    sources = [source(dataset, Filters(as_of=D(2026, 2, 1))) for dataset in ("exchanges", QUALIFICATIONS, AUDIT_TRAIL)]
    by_python = [written(dataclasses.replace(src, copy_selects=None)) for src in sources]
    with connection.cursor() as cursor:
        cursor.execute("SET datestyle = 'SQL, DMY'")  # 31/01/2026
    try:
        by_copy = [written(src) for src in sources]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET datestyle")
    assert by_copy == by_python
    assert b"2026-01-31" in by_copy[1]
