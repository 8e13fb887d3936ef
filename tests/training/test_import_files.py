"""Files as people really send them: encodings, workbooks, mistakes, and files too large to be honest."""

from __future__ import annotations

import datetime
import io
import re
import tracemalloc

import openpyxl
import pytest
import xlsxwriter
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.accounts.test_languages import english_words, page_text, stored_values, without_data
from tests.factories import PersonFactory
from tests.fixtures.imports import HEADER, decompression_bomb, fixture, records_csv
from tests.scheduling import heavy
from tests.training.importing import IMPORT_URL, confirm, page_errors, preview_url, previewed, upload
from training.models import ImportUpload, Requirement, RequirementVersion, TrainingImport, TrainingRecord

D = datetime.date


def file_errors(response) -> list[str]:
    return [str(error) for error in response.context.get("file_errors") or []]


def csv_of(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def workbook(rows: list[list], formulas: dict | None = None) -> bytes:
    """An XLSX with the template's header; ``formulas``: {(row, column): (formula, cached value or None)}."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER.split(","))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if (r, c) in (formulas or {}):
                formula, cached = formulas[(r, c)]
                sheet.write_formula(r, c, formula, None, cached if cached is not None else 0)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, book.add_format({"num_format": "yyyy/mm/dd"}))
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return output.getvalue()


def test_a_shift_jis_csv_from_japanese_excel_is_read_and_says_so(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("shift_jis.csv"))
    assert "Shift-JIS (CP932)" in preview.content.decode()
    confirm(staff_client, stored, preview)
    records = TrainingRecord.objects.order_by("completed_on")
    assert [(r.completed_on, r.result, r.evidence) for r in records] == [
        (D(2026, 1, 10), "passed", "研修記録 第1001号"),
        (D(2026, 1, 11), "failed", "研修記録 第1002号"),
    ]
    assert TrainingImport.objects.get().encoding == "cp932"


def test_a_utf16_tab_separated_file_is_read_and_says_so(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf16_unicode_text.csv"))
    assert "UTF-16" in preview.content.decode()
    confirm(staff_client, stored, preview)
    assert sorted(TrainingRecord.objects.values_list("evidence", flat=True)) == ["TRN-1001", "TRN-1002"]


def test_utf8_with_bom_reads_its_first_column_and_emails_match_whatever_their_capitals(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    assert "UTF-8 with BOM" in preview.content.decode()
    rows = preview.context["page"].object_list
    assert rows[0].values["person_email"] == "Yui.Takahashi@AGC-Biologics.example"  # as the sheet writes it
    assert rows[0].record.person == trainees.yui


def test_a_workbook_formula_without_a_saved_value_is_an_error(staff_client, trainees):
    response = upload(staff_client, fixture("uncached_formula.xlsx"), "records.xlsx")
    assert page_errors(response) == [
        "Row 3, column version: the cell holds a formula whose value was never calculated: open the file in Excel "
        "and save it again, or paste the values in place of the formula."
    ]
    assert not ImportUpload.objects.exists()


def test_a_workbook_formula_with_its_saved_value_imports_that_value(staff_client, trainees):
    rows = [["takumi.yamada@medinet.example", "SOP-GOWN-B", None, datetime.datetime(2026, 1, 11), "passed"]]
    content = workbook(rows, formulas={(1, 2): ("=1+1", 2)})
    stored, preview = previewed(staff_client, content, "records.xlsx")
    assert "Excel workbook (XLSX)" in preview.content.decode()
    row = preview.context["page"].object_list[0]
    assert (row.values["version"], row.values["completed_on"]) == ("2", "2026-01-11")


def test_the_preview_shows_version_numbers_not_database_ids(staff_client, trainees):
    for n in range(3, 9):  # ids move away from the numbers
        RequirementVersion.objects.create(
            requirement=trainees.aseptic, version=n, effective_from=D(2024, 1, 1) + datetime.timedelta(days=n)
        )
    cleaning = Requirement.objects.create(code="SOP-CLEAN", title="Cleanroom cleaning")
    version_1 = RequirementVersion.objects.create(requirement=cleaning, version=1, effective_from=D(2024, 1, 1))
    version_2 = RequirementVersion.objects.create(requirement=cleaning, version=2, effective_from=D(2025, 1, 1))
    assert {version_1.pk, version_2.pk}.isdisjoint({1, 2})
    TrainingRecord.objects.create(
        person=trainees.yui, requirement=cleaning, version=version_1, completed_on=D(2026, 1, 10)
    )
    _stored, preview = previewed(
        staff_client, csv_of("yui.takahashi@agc-biologics.example,SOP-CLEAN,2,2026-01-10,passed,,,")
    )
    (update,) = preview.context["page"].object_list
    assert (update.action, update.values["version"], update.changes) == ("update", "2", [("version", "1", "2")])
    cells = re.findall(r"<td>([^<]*)</td>", preview.content.decode())
    assert "2" in cells and str(version_2.pk) not in cells


def test_a_duplicate_row_is_an_error_naming_both_rows(staff_client, trainees):
    response = upload(staff_client, fixture("duplicate_rows.csv"))
    assert page_errors(response) == [
        "Row 4: the same person, requirement and day as row 2: keep one row for each training."
    ]
    assert not TrainingRecord.objects.exists()


def test_an_unknown_person_is_named_with_what_to_do(staff_client, trainees):
    response = upload(staff_client, fixture("unknown_person.csv"))
    assert page_errors(response) == [
        "Row 3, column person_email: no person with the email nobody@medinet.example: add the person first, "
        "or correct the email."
    ]


@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_column_is_named_without_a_traceback(staff_client, trainees, settings, debug):
    settings.DEBUG = debug
    response = upload(staff_client, fixture("missing_column.csv"))
    assert response.status_code == 200
    assert page_errors(response) == [
        "Row 1: the header row lacks the columns result: use the header row of the template."
    ]
    text = response.content.decode()
    assert "Traceback" not in text and ".py" not in text


def test_an_unknown_column_is_named(staff_client, trainees):
    content = (
        HEADER + ",notes\n" + "takumi.yamada@medinet.example,SOP-GOWN-B,1,2026-01-11,passed,,,TRN-1,x\n"
    ).encode()
    response = upload(staff_client, content)
    assert page_errors(response) == [
        "Row 1: the header row has columns the import does not know: notes. Remove them, or name them as in the "
        "template."
    ]


def test_values_people_type_are_read_and_wrong_ones_explained(staff_client, trainees):
    response = upload(
        staff_client,
        csv_of(
            "takumi.yamada@medinet.example,SOP-GOWN-B,v2,2026年1月12日,Passed,,,",
            "takumi.yamada@medinet.example,sop-gown-b,two,2026-02-30,maybe,,,",
            "takumi.yamada@medinet.example,SOP-ASEPTIC,1,2026-01-13,passed,,,",
            "takumi.yamada@medinet.example,SOP-GOWN-B,1,2099-01-01,passed,,,",
        ),
    )
    assert page_errors(response) == [
        "Row 3, column version: “two” is not a version number: write the number only, e.g. 2.",
        "Row 3, column completed_on: “2026-02-30” is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.",
        "Row 3, column result: “maybe” is not a result: write passed or failed.",
        "Row 4, column evaluator_email: This requirement needs an on-the-job evaluation: name the evaluator.",
        "Row 5, column completed_on: Training cannot be completed in the future.",
    ]


def test_a_japanese_user_reads_the_errors_in_japanese(client, trainees):
    from tests.accounts.test_languages import as_user_speaking

    as_user_speaking(client, "ja")
    response = upload(client, fixture("unknown_person.csv"))
    assert page_errors(response) == [
        "3行目、列 person_email：メールアドレス nobody@medinet.example の人員がいません。先に人員を登録するか、"
        "メールアドレスを正してください。"
    ]


def test_the_import_pages_speak_japanese_to_a_japanese_user(client, trainees):
    from tests.accounts.test_languages import as_user_speaking

    as_user_speaking(client, "ja")
    stored, preview = previewed(client, fixture("utf8_bom.csv"))
    rejected = upload(client, fixture("one_bad_row.csv"))
    # What the files say is data, like what the database holds: no translation touches it.
    cells = {
        cell
        for name in ("utf8_bom.csv", "one_bad_row.csv")
        for cell in re.split(r"[,\r\n\ufeff]+", fixture(name).decode())
    }
    data = sorted(set(stored_values()) | {cell for cell in cells if len(cell) >= 2}, key=len, reverse=True)
    for response in (client.get(IMPORT_URL), preview, client.get(preview_url(stored.pk) + "?page=1"), rejected):
        assert response["Content-Language"] == "ja"
        assert english_words(without_data(page_text(response.content.decode(), "ja"), data), data) == []


def test_a_cell_over_the_limit_is_refused_without_echoing_it(staff_client, trainees):
    huge = "Q" * 10_000
    response = upload(staff_client, csv_of(f"takumi.yamada@medinet.example,SOP-GOWN-B,1,2026-01-11,passed,,,{huge}"))
    assert page_errors(response) == [
        "Row 2, column evidence: the value is longer than 2,000 characters, the limit for one cell: shorten it."
    ]
    assert "Q" * 100 not in response.content.decode()


def test_a_decompression_bomb_is_refused_before_it_is_opened(staff_client, trainees):
    response = upload(staff_client, decompression_bomb(), "records.xlsx")
    assert file_errors(response) == [
        "The workbook expands to more than 50 MB when opened, the limit for one import: remove what is not needed "
        "(other sheets, images, formatting) or save it as CSV UTF-8."
    ]
    assert "AAAA" not in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_file_over_the_size_limit_is_refused_naming_the_limit_and_leaves_no_file(staff_client, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    response = upload(staff_client, b"x" * (5 * 1024 * 1024 + 1))
    assert file_errors(response) == [
        "The file is larger than 5 MB, the limit for one import: split it into smaller files."
    ]
    assert list(tmp_path.iterdir()) == [] and not ImportUpload.objects.exists()


def test_an_upload_over_the_limit_stops_being_read_at_the_limit(staff_client):
    """Memory, not time: the request is read past the limit only to be discarded, never held."""
    request = RequestFactory().post(IMPORT_URL, {"import_file": SimpleUploadedFile("big.csv", b"x" * (40 * 2**20))})
    request.user, request._dont_enforce_csrf_checks = User.objects.get(username="staff"), True
    tracemalloc.start()
    try:
        response = admin.site._registry[TrainingRecord].import_upload_view(request)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 5 MB" in response.content.decode()
    assert peak < 20 * 2**20


def test_an_unreadable_file_is_refused_and_leaves_no_file(staff_client, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    response = upload(staff_client, b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024), "records.xlsx")
    assert file_errors(response) == [
        "The file cannot be read as an Excel workbook: open it in Excel, save it as .xlsx (or as CSV UTF-8) and "
        "upload it again."
    ]
    assert list(tmp_path.iterdir()) == [] and not ImportUpload.objects.exists()


def test_an_old_excel_workbook_is_refused_with_what_to_do(staff_client):
    response = upload(staff_client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "records.xls")
    assert file_errors(response) == [
        "This is an Excel 97–2003 workbook (.xls), which is not read: save it as .xlsx or as CSV UTF-8."
    ]


@pytest.fixture
def fifty_people(db):
    return [PersonFactory(email=f"operator{n:02d}@medinet.example").email for n in range(50)]


@heavy("import-limit")
def test_twenty_thousand_rows_are_accepted_and_imported(staff_client, trainees, fifty_people):
    stored, preview = previewed(staff_client, records_csv(20_000, fifty_people), "big.csv")
    assert preview.context["counts"]["new"] == 20_000
    assert confirm(staff_client, stored, preview).status_code == 302
    assert TrainingRecord.objects.count() == 20_000
    assert TrainingRecord.history.count() == 20_000


def test_one_row_over_the_limit_is_refused_naming_it(staff_client, trainees, fifty_people):
    response = upload(staff_client, records_csv(20_001, fifty_people), "big.csv")
    assert file_errors(response) == [
        "The file has more than 20,000 rows, the limit for one import (the header not counted): split it into "
        "smaller files."
    ]
    assert not ImportUpload.objects.exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_has_the_header_and_an_example_the_import_reads(staff_client, trainees, file_format):
    response = staff_client.get(reverse("admin:training_trainingrecord_import_template", args=[file_format]))
    assert response.status_code == 200
    assert f'filename="training-records-template.{file_format}"' in response["Content-Disposition"]
    if file_format == "xlsx":
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert list(rows[0]) == HEADER.split(",")
    else:
        assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER
    rejected = upload(staff_client, response.content, f"template.{file_format}")
    assert page_errors(rejected)[0].startswith("Row 2, column person_email: no person with the email trainee@")


def test_uploads_older_than_a_day_are_purged_by_the_command_and_by_the_import_page(staff_client, trainees):
    old, _preview = previewed(staff_client, fixture("utf8_bom.csv"))
    ImportUpload.objects.filter(pk=old.pk).delete()
    fresh, _preview = previewed(staff_client, fixture("shift_jis.csv"))
    stale, _preview = previewed(staff_client, fixture("utf16_unicode_text.csv"))
    stale.uploaded_at = timezone.now() - datetime.timedelta(hours=25)
    stale.save()
    call_command("purge_import_uploads", stdout=io.StringIO())
    assert list(ImportUpload.objects.all()) == [fresh]
    fresh.uploaded_at = timezone.now() - datetime.timedelta(hours=25)
    fresh.save()
    assert staff_client.get(preview_url(fresh.pk)).status_code == 404
    assert not ImportUpload.objects.exists()


def damaged(workbook: bytes, how: str) -> bytes:
    """A real workbook with its zip damaged as files arrive damaged: encrypted members, or a corrupt deflate stream."""
    data = bytearray(workbook)
    if how == "encrypted":
        # Set the "encrypted" flag on every member in the central directory (and the local headers).
        for signature, flag_offset in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
            start = 0
            while (start := data.find(signature, start)) != -1:
                data[start + flag_offset] |= 0x01
                start += 4
    else:
        # Flip bytes inside the first member's compressed data, after its local header.
        first = data.find(b"PK\x03\x04")
        name_length = int.from_bytes(data[first + 26 : first + 28], "little")
        extra_length = int.from_bytes(data[first + 28 : first + 30], "little")
        body = first + 30 + name_length + extra_length
        for offset in range(body + 2, body + 12):
            data[offset] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize("how", ["encrypted", "corrupt"])
def test_a_damaged_workbook_is_refused_with_what_to_do_not_an_error_page(staff_client, how):
    from training.imports.template import template_xlsx

    response = upload(staff_client, damaged(template_xlsx(), how), "records.xlsx")
    assert response.status_code == 200
    assert file_errors(response) == [
        "The file cannot be read as an Excel workbook: open it in Excel, save it as .xlsx (or as CSV UTF-8) and "
        "upload it again."
    ]
    assert not ImportUpload.objects.exists()
