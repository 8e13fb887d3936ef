from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.seed import add_synthetic_exchanges
from exports.models import ExportRecord
from exports.neutralise import neutralise, neutralise_sql
from partners.models import Exchange
from tests.factories import ExchangeFactory, MilestoneFactory, PersonFactory, SiteFactory

D = datetime.date


def url(dataset: str, fmt: str) -> str:
    return reverse("exports:download", args=[dataset, fmt])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[dict]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel (Japanese Windows too) reads it as UTF-8
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))


@pytest.fixture
def exchanges(alliance):
    first = ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        host_supervisor=alliance.medinet_supervisor,
        planned_start=D(2025, 1, 6),
        planned_end=D(2025, 3, 28),
        status="completed",
        actual_start=D(2025, 1, 6),
        actual_end=D(2025, 3, 28),
        objectives='=HYPERLINK("http://evil.example")',
        outcome="-12",
    )
    second = ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        planned_start=D(2026, 4, 6),
        planned_end=D(2026, 12, 18),
        objectives="無菌操作の研修",
        outcome="@SUM(A1)",
    )
    return first, second


def test_exchanges_csv_reads_back_with_every_column_and_value(auditor_client, exchanges):
    response = auditor_client.get(url("exchanges", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert len(rows) == 2
    first = rows[0]
    assert first["Exchange id"] == str(exchanges[0].pk)
    assert first["Person"] == "Yui Takahashi" and first["Person id"] == str(exchanges[0].person_id)
    assert first["Direction"] == "AGC → MEDINET"
    assert first["Host site"] == "Shinagawa Cell Processing Center"
    assert first["Host supervisor"] == "Mio Hayashi"
    assert (first["Planned start"], first["Actual end"], first["Status"]) == ("2025-01-06", "2025-03-28", "completed")
    assert rows[1]["Objectives"] == "無菌操作の研修"
    assert rows[1]["Actual start"] == ""
    assert response["X-Row-Count"] == "2"


def test_formula_cells_are_neutralised_but_negative_numbers_are_not(auditor_client, exchanges):
    rows = read_csv(auditor_client.get(url("exchanges", "csv")))
    assert rows[0]["Objectives"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["Outcome"] == "-12"
    assert rows[1]["Outcome"] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81 3 1234", "'+81 3 1234"),
        ("-cmd", "'-cmd"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12", "-12"),
        ("-3.5", "-3.5"),
        ("- 3", "'- 3"),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
)
def test_neutralising_rule(text, expected, db):
    assert neutralise(text) == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {neutralise_sql('v')} FROM (SELECT %s::text AS v) AS t", [text])
            assert cursor.fetchone()[0] == expected


def test_filters_return_exactly_the_matching_rows(auditor_client, alliance, exchanges):
    by_window = read_csv(auditor_client.get(url("exchanges", "csv"), {"start": "2026-01-01", "end": "2026-06-30"}))
    assert [r["Exchange id"] for r in by_window] == [str(exchanges[1].pk)]
    # A site filter takes exchanges hosted at the site and those of people based there.
    by_site = read_csv(auditor_client.get(url("exchanges", "csv"), {"site": alliance.shinagawa.pk}))
    assert [r["Exchange id"] for r in by_site] == [str(exchanges[0].pk), str(exchanges[1].pk)]
    by_host = read_csv(auditor_client.get(url("exchanges", "csv"), {"company": alliance.agc_bio.pk}))
    assert [r["Exchange id"] for r in by_host] == [str(exchanges[0].pk), str(exchanges[1].pk)]
    other_site = SiteFactory(company=alliance.medinet, name="Shin-Yokohama")
    assert read_csv(auditor_client.get(url("exchanges", "csv"), {"site": other_site.pk})) == []
    by_company = read_csv(auditor_client.get(url("people", "csv"), {"company": alliance.medinet.pk}))
    assert {r["Name"] for r in by_company} == {"Takumi Yamada", "Mio Hayashi"}


def test_companies_of_a_partnership_include_subsidiaries(auditor_client, alliance):
    PersonFactory()  # brings an unrelated company
    rows = read_csv(auditor_client.get(url("companies", "csv"), {"partnership": alliance.partnership.pk}))
    assert {r["Name"] for r in rows} == {"AGC Inc.", "AGC Biologics", "MEDINET Co., Ltd."}
    subsidiary = next(r for r in rows if r["Name"] == "AGC Biologics")
    assert (subsidiary["Parent company"], subsidiary["Parent company id"]) == ("AGC Inc.", str(alliance.agc.pk))


def test_sites_list_their_capabilities(auditor_client, alliance):
    capability = alliance.yokohama.capabilities.model.objects.get(code="cell-processing")
    alliance.yokohama.capabilities.add(capability)
    rows = read_csv(auditor_client.get(url("sites", "csv"), {"site": alliance.yokohama.pk}))
    assert rows[0]["Capabilities"] == "Cell processing"


def test_milestones_export_lists_dependencies(auditor_client, alliance):
    first = MilestoneFactory(partnership=alliance.partnership, title="QC transfer")
    second = MilestoneFactory(partnership=alliance.partnership, title="Launch")
    second._change_reason = "Launch waits on the QC method transfer"
    second.dependencies.set([first])
    rows = {r["Title"]: r for r in read_csv(auditor_client.get(url("milestones", "csv")))}
    assert rows["Launch"]["Depends on (ids)"] == str(first.pk)
    assert rows["QC transfer"]["Baseline date"] == "2026-06-30"


def test_xlsx_is_a_real_workbook_with_typed_dates_and_no_formulas(auditor_client, exchanges):
    response = auditor_client.get(url("exchanges", "xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 2
    assert rows[0]["Planned start"] == datetime.datetime(2025, 1, 6)
    assert rows[0]["Objectives"] == '=HYPERLINK("http://evil.example")'
    assert sheet.cell(row=2, column=header.index("Objectives") + 1).data_type == "s"  # a string, not a formula
    assert rows[1]["Objectives"] == "無菌操作の研修"
    assert rows[0]["Exchange id"] == exchanges[0].pk


def test_json_is_streamed_and_reads_back(auditor_client, exchanges):
    response = auditor_client.get(url("exchanges", "json"), {"start": "2026-01-01"})
    assert response.streaming
    data = json.loads(body(response))
    assert data["dataset"] == "exchanges"
    assert data["filters"] == {"start": "2026-01-01"}
    assert [row["id"] for row in data["rows"]] == [exchanges[1].pk]
    assert data["rows"][0]["objectives"] == "無菌操作の研修"
    assert data["rows"][0]["actual_start"] is None


def test_audit_trail_export_has_one_row_per_changed_field(auditor_client, exchanges):
    record = exchanges[1]
    record.planned_end = D(2026, 12, 25)
    record.outcome = "Qualified"
    record._change_reason = "Extended for the launch"
    record.save()
    rows = read_csv(auditor_client.get(url("audit-trail", "csv"), {"record_type": "exchange"}))
    changed = [r for r in rows if r["Reason"] == "Extended for the launch"]
    assert {(r["Field"], r["Old value"], r["New value"]) for r in changed} == {
        ("planned_end", "2026-12-18", "2026-12-25"),
        ("outcome", "'@SUM(A1)", "Qualified"),
    }
    assert all(r["Record type"] == "exchange" and r["Record id"] == str(record.pk) for r in changed)
    assert all(len(r["Chain hash"]) == 64 and r["When (UTC)"].endswith("+00:00") for r in changed)
    # The record as it names itself everywhere else (its str()), not pieced together from its fields.
    assert changed[0]["Record"] == str(record) == f"Takumi Yamada → {record.host_company.short_name} (2026-04-06)"
    assert {r["Record type"] for r in rows} == {"exchange"}


def test_audit_trail_export_by_change_time(auditor_client, exchanges):
    today = datetime.date.today()
    rows = read_csv(
        auditor_client.get(url("audit-trail", "csv"), {"start": (today + datetime.timedelta(2)).isoformat()})
    )
    assert rows == []


def test_every_export_is_recorded_in_the_audit_trail(auditor_client, exchanges):
    response = auditor_client.get(url("exchanges", "csv"), {"start": "2026-01-01"})
    record = ExportRecord.objects.get()
    assert (record.user.username, record.dataset, record.format, record.row_count) == ("auditor", "exchanges", "csv", 1)
    assert record.filters == {"start": "2026-01-01"}
    assert record.sha256 == hashlib.sha256(body(response)).hexdigest() == response["X-Content-SHA256"]
    assert record.history.get().history_type == "+"


def test_evidence_pack_manifest_matches_its_files(auditor_client, exchanges):
    response = auditor_client.get(reverse("exports:evidence"), {"start": "2025-01-01"})
    pack = body(response)
    archive = zipfile.ZipFile(io.BytesIO(pack))
    manifest = json.loads(archive.read("manifest.json"))
    names = {entry["file"] for entry in manifest["files"]}
    assert names == {
        "companies.csv",
        "sites.csv",
        "people.csv",
        "exchanges.csv",
        "milestones.csv",
        "training-records.csv",
        "decisions.csv",
        "actions.csv",
        "risks.csv",
        "qualification-status.csv",
        "signatures.csv",
        "audit-trail.csv",
    }
    for entry in manifest["files"]:
        data = archive.read(entry["file"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(list(csv.reader(io.StringIO(data[3:].decode())))) - 1 == entry["rows"]
    assert manifest["exported_by"] == "auditor"
    assert manifest["filters"] == {"start": "2025-01-01"}
    assert manifest["audit_chain"]["intact"] is True
    record = ExportRecord.objects.get(dataset="evidence")
    assert record.sha256 == hashlib.sha256(pack).hexdigest() == response["X-Content-SHA256"]


def test_export_page_shows_the_row_count_before_download(auditor_client, exchanges):
    response = auditor_client.get(reverse("exports:index"), {"dataset": "exchanges", "start": "2026-01-01"})
    assert "Talent exchanges: 1 row" in response.text
    assert url("exchanges", "csv") + "?start=2026-01-01" in response.text
    assert not ExportRecord.objects.exists()  # counting is not exporting


def test_staff_cannot_export(staff_client, exchanges):
    assert staff_client.get(url("exchanges", "csv")).status_code == 403
    assert staff_client.get(reverse("exports:evidence")).status_code == 403
    assert staff_client.get(reverse("exports:index")).status_code == 403


def test_managers_can_export(manager_client, exchanges):
    assert manager_client.get(url("milestones", "csv")).status_code == 200


@pytest.mark.parametrize("path", ["nothing.csv", "exchanges.pdf", "exchanges.CSV"])
def test_unknown_dataset_or_format_is_404(auditor_client, db, path):
    assert auditor_client.get(f"/exports/{path}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2025-13-01"},
        {"end": "soon"},
        {"start": "2026-01-01", "end": "2025-01-01"},
        {"site": "abc"},
        {"partnership": "999999"},
        {"record_type": "everything"},
    ],
)
def test_malformed_filters_are_400_with_a_clear_message(auditor_client, db, query):
    response = auditor_client.get(url("exchanges", "csv"), query)
    assert response.status_code == 400
    assert response.content.decode().startswith("Bad filter: ")
    assert not ExportRecord.objects.exists()


def test_exchange_csv_runs_the_same_queries_at_any_size(auditor_client, alliance):
    add_synthetic_exchanges(alliance.partnership, 10, seed=1)
    auditor_client.get(url("exchanges", "csv"))
    with CaptureQueriesContext(connection) as small:
        body(auditor_client.get(url("exchanges", "csv")))
    add_synthetic_exchanges(alliance.partnership, 3000, seed=2)
    with CaptureQueriesContext(connection) as large:
        rows = read_csv(auditor_client.get(url("exchanges", "csv")))
    assert len(rows) == Exchange.objects.count() == 3010
    assert len(large) == len(small)


def test_command_line_export_matches_the_web_export(auditor_client, exchanges, tmp_path):
    target = tmp_path / "exchanges.csv"
    call_command("export_records", "exchanges", "--format", "csv", "--output", str(target), "--start", "2026-01-01")
    web = body(auditor_client.get(url("exchanges", "csv"), {"start": "2026-01-01"}))
    assert target.read_bytes() == web
    assert ExportRecord.objects.filter(source="command", user=None).count() == 1


def test_headers_in_japanese_leave_the_records_as_stored(auditor_client, exchanges):
    response = auditor_client.get(url("exchanges", "csv"), {"headers": "ja"})
    rows = read_csv(response)
    first = rows[0]
    assert first["人材交流ID"] == str(exchanges[0].pk)
    assert first["人員"] == "Yui Takahashi"  # the stored name, not a translation
    assert first["状況"] == "completed" and first["種別"] == exchanges[0].kind
    assert rows[1]["目標"] == "無菌操作の研修"


def test_a_japanese_user_gets_japanese_headers_by_default_and_can_ask_for_english(auditor_client, exchanges):
    auditor_client.post(reverse("accounts:language"), {"language": "ja", "next": "/"})
    assert "人材交流ID" in read_csv(auditor_client.get(url("exchanges", "csv")))[0]
    assert "Exchange id" in read_csv(auditor_client.get(url("exchanges", "csv"), {"headers": "en"}))[0]
    trail = read_csv(auditor_client.get(url("audit-trail", "csv")))
    assert {row["操作"] for row in trail} <= {"Created", "Changed", "Deleted"}  # stored actions, untranslated


def test_xlsx_headers_follow_the_chosen_language(auditor_client, exchanges):
    response = auditor_client.get(url("exchanges", "xlsx"), {"headers": "ja"})
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert [cell.value for cell in sheet[1]][:3] == ["人材交流ID", "人員ID", "人員"]


def test_exports_group_rows_by_medinet_year_at_the_boundary(auditor_client, alliance):
    alliance.medinet.fiscal_year_start_month = 10
    alliance.medinet.save()
    for day in (D(2025, 10, 1), D(2025, 9, 30)):
        MilestoneFactory(partnership=alliance.partnership, title=f"Due {day}", baseline_date=day)
    rows = read_csv(auditor_client.get(url("milestones", "csv"), {"year_basis": alliance.medinet.pk}))
    header = "MEDINET fiscal year (Oct–Sep)"
    assert [(row[header], row["Title"]) for row in rows] == [("2025", "Due 2025-09-30"), ("2026", "Due 2025-10-01")]
    calendar = read_csv(auditor_client.get(url("milestones", "csv"), {"year_basis": "calendar"}))
    assert [row["Calendar year"] for row in calendar] == ["2025", "2025"]
    one_year = read_csv(
        auditor_client.get(url("milestones", "csv"), {"year_basis": alliance.medinet.pk, "fiscal_year": 2026})
    )
    assert [row["Title"] for row in one_year] == ["Due 2025-10-01"]
    record = ExportRecord.objects.latest("pk")
    assert record.filters["year_basis"] == str(alliance.medinet.pk) and record.filters["start"] == "2025-10-01"


def test_json_keeps_its_keys_whatever_the_header_language(auditor_client, exchanges):
    data = json.loads(body(auditor_client.get(url("exchanges", "json"), {"headers": "ja", "year_basis": "calendar"})))
    assert data["columns"][:2] == ["year", "id"]
    assert data["rows"][0]["year"] == 2025


def test_the_command_line_export_groups_by_year_and_writes_japanese_headers(auditor_client, exchanges, tmp_path):
    output = tmp_path / "exchanges.csv"
    call_command("export_records", "exchanges", "--output", str(output), "--year-basis", "calendar", "--headers", "ja")
    rows = list(csv.DictReader(io.StringIO(output.read_bytes()[3:].decode())))
    assert [(row["暦年"], row["人員"]) for row in rows] == [("2025", "Yui Takahashi"), ("2026", "Takumi Yamada")]


def test_the_export_page_names_the_filters_it_applies(auditor_client, alliance, exchanges):
    alliance.medinet.fiscal_year_start_month = 10
    alliance.medinet.save()
    query = {"dataset": "exchanges", "site": alliance.yokohama.pk, "year_basis": alliance.medinet.pk, "headers": "ja"}
    response = auditor_client.get(reverse("exports:index"), query)
    assert "Site: Yokohama Technical Center (AGC Biologics)" in response.text
    assert "Years: MEDINET fiscal year (Oct–Sep)" in response.text
    assert "Header language: Japanese" in response.text


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Talent exchanges: 1,200 rows"), ("ja", "人材交流: 1,200件")]
)
def test_large_row_counts_read_with_thousands_separators(auditor_client, alliance, language, expected):
    add_synthetic_exchanges(alliance.partnership, 1200, seed=3)
    auditor_client.post(reverse("accounts:language"), {"language": language, "next": "/"})
    assert expected in auditor_client.get(reverse("exports:index"), {"dataset": "exchanges"}).text


@pytest.mark.parametrize("dataset", ["audit-trail", "qualification-status"])
def test_computed_exports_run_the_same_queries_at_any_size(auditor_client, alliance, dataset):
    """Rows computed in Python name their records (an exchange by its person and host) without a query per row."""
    add_synthetic_exchanges(alliance.partnership, 10, seed=1)
    body(auditor_client.get(url(dataset, "csv")))
    with CaptureQueriesContext(connection) as small:
        body(auditor_client.get(url(dataset, "csv")))
    add_synthetic_exchanges(alliance.partnership, 300, seed=2)
    with CaptureQueriesContext(connection) as large:
        body(auditor_client.get(url(dataset, "csv")))
    assert len(large) == len(small)
