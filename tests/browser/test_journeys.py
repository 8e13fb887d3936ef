"""The three user journeys, in headless Chromium against a running app."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile

from playwright.sync_api import expect

from tests.browser.conftest import log_in

# The demo's approved decision that moves the launch baseline (demo/steering.py), as the admin offers it.
DECISION = "JSC-2026-01 Re-baseline the Yokohama launch to 21 December 2026"


def choose(page, field: str, text: str) -> None:
    """Pick ``text`` in one of the admin's autocomplete (select2) fields."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_staff_record_an_exchange_fix_an_overlap_and_save(app_server, page, screenshot):
    base = app_server["url"]
    log_in(page, base, "staff")
    page.goto(f"{base}/admin/partners/exchange/add/")
    choose(page, "person", "Yui Takahashi")
    choose(page, "host_company", "MEDINET")
    choose(page, "host_site", "Shinagawa")
    page.get_by_label("Purpose").select_option("operational_support")
    page.get_by_label("Function area").select_option("manufacturing")
    page.get_by_label("Planned start").fill("2025-03-01")
    page.get_by_label("Planned end").fill("2025-04-30")
    page.get_by_role("textbox", name="Objectives:").fill("Cover the spring CDMO campaign at MEDINET.")
    page.get_by_role("button", name="Save", exact=True).click()

    error = page.locator(".errornote, .errorlist").first
    expect(error).to_be_visible()
    expect(page.locator("body")).to_contain_text("Yui Takahashi is already on an exchange to MEDINET")
    screenshot(page, "1-staff-overlap-error")

    page.get_by_label("Planned start").fill("2025-09-01")
    page.get_by_label("Planned end").fill("2025-11-28")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    screenshot(page, "2-staff-exchange-saved")

    page.locator(".messagelist a").click()
    expect(page.locator(".field-direction")).to_contain_text("AGC → MEDINET")  # derived on save
    expect(page.get_by_label("Planned start")).to_have_value("2025-09-01")
    screenshot(page, "8-staff-exchange-form")


def test_manager_filters_by_site_and_reads_why_a_milestone_slipped(app_server, page, screenshot):
    base = app_server["url"]
    log_in(page, base, "manager")
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()
    screenshot(page, "3-manager-dashboard")
    page.get_by_label("Site", exact=True).select_option(label="Yokohama Technical Center (AGC Biologics)")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]site=\d+"))  # the filter is in the URL, to share or bookmark
    table = page.locator("#milestone-table")
    expect(table).to_contain_text("Yokohama inspection readiness")
    expect(table).not_to_contain_text("First joint client batch released")  # at Shinagawa
    page.locator("#slips-table").get_by_role("link", name="Yokohama inspection readiness").click()
    expect(page.get_by_role("heading", name="Yokohama inspection readiness")).to_be_visible()
    expect(page.locator("#movement-table")).to_contain_text("Mock inspection found gaps in deviation trending")
    screenshot(page, "4-manager-slipped-milestone")

    page.get_by_role("link", name="Training", exact=True).click()
    expect(page.get_by_role("heading", name="Training matrix")).to_be_visible()
    expect(page.locator("#training-matrix")).to_contain_text("Yui Takahashi")
    screenshot(page, "9-manager-training-matrix")


def test_auditor_downloads_the_exchanges_csv_and_the_evidence_pack(app_server, job_worker, page, screenshot, tmp_path):
    base = app_server["url"]
    log_in(page, base, "auditor")
    page.goto(f"{base}/exports/")
    page.get_by_label("Dataset").select_option("exchanges")
    page.get_by_role("button", name="Count rows").click()
    heading = page.locator("#download-heading")
    expect(heading).to_contain_text("Talent exchanges: ")
    shown = int(heading.inner_text().split(": ")[1].split()[0].replace(",", ""))
    assert shown >= 10  # the demo's 10, plus any a journey before this one added
    screenshot(page, "5-auditor-exports")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / "exchanges.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))
    assert len(rows) == shown
    assert {row["Direction"] for row in rows} == {"AGC → MEDINET", "MEDINET → AGC"}

    # The evidence pack is prepared in the background: its page shows the progress, then the download.
    page.get_by_role("button", name="Prepare the evidence pack (.zip)").click()
    expect(page.get_by_role("heading", name=re.compile(r"Export job #\d+"))).to_be_visible()
    expect(page.locator("#job-progress")).to_be_visible()
    download_link = page.get_by_role("link", name=re.compile(r"Download evidence-.*\.zip"))
    expect(download_link).to_be_visible(timeout=60_000)  # the page polls the job's JSON and shows the file
    expect(page.locator("#job-state")).to_have_text("Done")
    progress = page.locator("#job-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    sha256 = page.locator("code").first.inner_text()
    screenshot(page, "5-auditor-evidence-job")
    with page.expect_download() as download:
        download_link.click()
    pack = tmp_path / "evidence.zip"
    download.value.save_as(pack)
    assert hashlib.sha256(pack.read_bytes()).hexdigest() == sha256
    archive = zipfile.ZipFile(pack)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["exported_by"] == "auditor"
    assert manifest["audit_chain"]["intact"] is True
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    exchanges = next(entry for entry in manifest["files"] if entry["file"] == "exchanges.csv")
    assert exchanges["rows"] == shown


def test_a_japanese_manager_reads_the_dashboard_by_medinet_year_then_switches_to_english(
    app_server, japanese_page, screenshot
):
    page, base = japanese_page, app_server["url"]
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()  # the browser's language, before login
    log_in(page, base, "manager", labels=("ユーザー名", "パスワード", "ログイン"))
    expect(page.get_by_role("heading", name="提携ダッシュボード")).to_be_visible()
    page.get_by_label("年の区切り").select_option(label="MEDINETの会計年度（10月～9月）")
    page.get_by_role("button", name="適用").click()
    years = page.locator("#years-table")
    expect(years).to_contain_text("2026年9月期（2025年10月～2026年9月）")
    expect(page.locator("#milestone-table")).to_contain_text("横浜 細胞治療CDMOサービスの本格開始（2026年）")
    screenshot(page, "6-manager-dashboard-japanese")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()
    expect(years).to_contain_text("FY9/2026 (October 2025 – September 2026)")  # the year choice stays in the URL
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Partnership dashboard")).to_be_visible()  # remembered for the user


def test_staff_import_a_shift_jis_spreadsheet_after_reading_its_preview(app_server, page, screenshot, tmp_path):
    base = app_server["url"]
    sheet = tmp_path / "研修記録.csv"  # as Japanese Excel saves "CSV": Shift-JIS, CRLF, dates with slashes
    sheet.write_bytes(
        "\r\n".join(
            [
                "person_email,requirement,version,completed_on,result,trainer_email,evaluator_email,evidence",
                "Daichi.Kobayashi@demo.example,SOP-QA-020,1,2026/1/15,合格,ren.shimizu@demo.example,,研修-2026-0007",
                "takumi.yamada@demo.example,SOP-GOWN-B,1,2025/7/14,合格,yui.takahashi@demo.example,"
                "yui.takahashi@demo.example,TRN-2025-0301-改",
                "",
            ]
        ).encode("cp932")
    )
    log_in(page, base, "staff")
    page.goto(f"{base}/admin/training/trainingrecord/")
    page.get_by_role("link", name="Import a spreadsheet").click()
    page.get_by_label("Spreadsheet").set_input_files(str(sheet))
    page.get_by_role("button", name="Preview").click()

    body = page.locator("body")
    expect(body).to_contain_text("Shift-JIS (CP932)")
    expect(body).to_contain_text("TRN-2025-0301 → TRN-2025-0301-改")  # the update shows what it changes
    screenshot(page, "7-staff-import-preview")
    page.get_by_label("Reason for change").fill("January QA training forms, scanned by the Yokohama QA office")
    page.get_by_role("button", name="Import all 2 rows").click()

    expect(page.locator(".messagelist")).to_contain_text("1 created, 1 updated, 0 unchanged")
    expect(body).to_contain_text("January QA training forms, scanned by the Yokohama QA office")


def test_a_manager_re_baselines_the_launch_citing_the_decision_both_co_chairs_signed(app_server, page, screenshot):
    base = app_server["url"]
    launch = "Yokohama cell-therapy CDMO launch (2026)"
    log_in(page, base, "manager")
    page.locator("#milestone-table").get_by_role("link", name=launch).click()
    expect(page.get_by_role("heading", name=launch)).to_be_visible()
    page.get_by_role("link", name="Edit").click()

    # Moving the baseline without citing the decision is refused, and says why.
    page.get_by_label("Baseline date").fill("2026-12-21")
    page.get_by_label("Reason for change").fill("Launch moved as the steering committee decided in October")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist").first).to_contain_text("needs an approved decision")

    page.get_by_label("Decision for the baseline").select_option(label=DECISION)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{base}/")
    moves = page.locator("#rebaselines-table")
    row = moves.get_by_role("row").filter(has_text=launch)
    expect(row).to_contain_text("JSC-2026-01")
    expect(row).to_contain_text("+81")
    expect(row).to_contain_text("Launch moved as the steering committee decided in October")
    expect(page.locator("#slips-table")).not_to_contain_text(launch)  # back on its (new) baseline
    screenshot(page, "8-manager-rebaseline-on-dashboard")

    row.get_by_role("link", name="JSC-2026-01").click()
    expect(page.get_by_role("heading", name="JSC-2026-01")).to_be_visible()
    signatures = page.locator("#signatures")
    expect(signatures).to_contain_text("Kenji Morita")
    expect(signatures).to_contain_text("Hiroshi Aoki")
