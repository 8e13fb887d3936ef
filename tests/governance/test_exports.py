"""The decision log, actions and risks as exports: every format, the shared filters, the evidence pack, the trail."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from exports.filters import FilterForm
from governance.services import decision_set_concerns, risk_set_milestones
from tests.factories import ActionFactory, DecisionFactory, MeetingFactory, MilestoneFactory, RiskFactory
from tests.governance.conftest import NOW

D = datetime.date


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response)[3:].decode("utf-8"), newline="")))


@pytest.fixture
def records(alliance, other_partnership):
    partnership = alliance.partnership
    meeting = MeetingFactory(partnership=partnership, held_on=D(2026, 2, 10))
    decision = DecisionFactory(partnership=partnership, meeting=meeting, title="Second shift", approved=NOW)
    milestone = MilestoneFactory(partnership=partnership, site=alliance.yokohama, title="Yokohama launch")
    decision_set_concerns(decision=decision, milestones=[milestone], sites=[alliance.yokohama])
    later = DecisionFactory(
        partnership=partnership, meeting=MeetingFactory(partnership=partnership, held_on=D(2027, 1, 15))
    )
    elsewhere = DecisionFactory(partnership=other_partnership)
    action = ActionFactory(partnership=partnership, owner=alliance.agc_person, decision=decision, due_on=D(2026, 3, 31))
    ActionFactory(partnership=partnership, owner=alliance.medinet_person, due_on=D(2027, 3, 31))
    risk = RiskFactory(partnership=partnership, owner=alliance.agc_person, likelihood=4, impact=5)
    risk_set_milestones(risk=risk, milestones=[milestone])
    RiskFactory(partnership=partnership, owner=alliance.medinet_person, review_on=D(2027, 6, 30))
    return {"decision": decision, "later": later, "elsewhere": elsewhere, "action": action, "risk": risk}


def test_the_decision_log_exports_with_numbers_status_and_what_it_concerns(auditor_client, records):
    rows = csv_rows(auditor_client.get(reverse("exports:download", args=["decisions", "csv"])))
    assert len(rows) == 3
    first = next(row for row in rows if row["Decision id"] == str(records["decision"].pk))
    assert first["Number"] == "JSC-2026-01"
    assert first["Status"] == "approved"
    assert first["Meeting held on"] == "2026-02-10"
    assert first["Approved at"].startswith("2026-02-12")
    assert first["Milestones (ids)"] == str(records["decision"].milestones.get().pk)
    assert first["Sites (ids)"] == str(records["decision"].sites.get().pk)


def test_actions_and_risks_export_their_owner_dates_and_score(auditor_client, records):
    actions = csv_rows(auditor_client.get(reverse("exports:download", args=["actions", "csv"])))
    action = next(row for row in actions if row["Action id"] == str(records["action"].pk))
    assert (action["Owner"], action["Due on"], action["Decision"]) == ("Yui Takahashi", "2026-03-31", "JSC-2026-01")
    risks = csv_rows(auditor_client.get(reverse("exports:download", args=["risks", "csv"])))
    risk = next(row for row in risks if row["Risk id"] == str(records["risk"].pk))
    assert (risk["Likelihood"], risk["Impact"], risk["Score"]) == ("4", "5", "20")


@pytest.mark.parametrize("dataset", ["decisions", "actions", "risks"])
def test_each_governance_dataset_exports_as_xlsx_and_json_with_the_same_rows(auditor_client, records, dataset):
    csv_count = len(csv_rows(auditor_client.get(reverse("exports:download", args=[dataset, "csv"]))))
    workbook = openpyxl.load_workbook(
        io.BytesIO(body(auditor_client.get(reverse("exports:download", args=[dataset, "xlsx"]))))
    )
    assert workbook.active.max_row - 1 == csv_count
    document = json.loads(body(auditor_client.get(reverse("exports:download", args=[dataset, "json"]))))
    assert len(document["rows"]) == csv_count > 0


@pytest.mark.parametrize(
    ("dataset", "query", "expected"),
    [
        ("decisions", {"start": "2026-01-01", "end": "2026-12-31"}, ["decision"]),
        ("decisions", {"site": "yokohama"}, ["decision"]),
        ("actions", {"end": "2026-12-31"}, ["action"]),
        ("actions", {"company": "agc_bio"}, ["action"]),
        ("risks", {"site": "yokohama"}, ["risk"]),
        ("risks", {"end": "2026-12-31"}, ["risk"]),
    ],
)
def test_governance_exports_take_the_shared_filters(auditor_client, alliance, records, dataset, query, expected):
    objects = {"yokohama": alliance.yokohama.pk, "agc_bio": alliance.agc_bio.pk}
    params = {key: objects.get(value, value) for key, value in query.items()}
    rows = csv_rows(auditor_client.get(reverse("exports:download", args=[dataset, "csv"]), params))
    id_column = {"decisions": "Decision id", "actions": "Action id", "risks": "Risk id"}[dataset]
    assert [row[id_column] for row in rows] == [str(records[name].pk) for name in expected]


def test_the_partnership_filter_leaves_out_other_partnerships_decisions(auditor_client, alliance, records):
    url = reverse("exports:download", args=["decisions", "csv"])
    rows = csv_rows(auditor_client.get(url, {"partnership": alliance.partnership.pk}))
    assert {row["Number"] for row in rows} == {"JSC-2026-01", "JSC-2027-01"}


def test_the_evidence_pack_holds_decisions_actions_and_risks(auditor_client, records):
    archive = zipfile.ZipFile(io.BytesIO(body(auditor_client.get(reverse("exports:evidence")))))
    manifest = {entry["file"]: entry["rows"] for entry in json.loads(archive.read("manifest.json"))["files"]}
    assert (manifest["decisions.csv"], manifest["actions.csv"], manifest["risks.csv"]) == (3, 2, 2)


def test_the_audit_trail_export_offers_the_governance_record_types(db):
    keys = dict(FilterForm().fields["record_type"].choices)
    assert {"meeting", "decision", "action", "risk"} <= keys.keys()
