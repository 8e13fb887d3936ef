"""Spreadsheet import: previewed first; a file with one bad row is rejected whole, naming the row; a good one
imports with history."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.training.test_status import requirement
from training.models import TrainingRecord

IMPORT_URL = reverse("admin:training_trainingrecord_import")
HEADER = "person_email,requirement,version,completed_on,result,trainer_email,evaluator_email,evidence\n"


def upload(client, body: str):
    sheet = SimpleUploadedFile("records.csv", (HEADER + body).encode(), content_type="text/csv")
    form = client.get(IMPORT_URL).context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if "csv" in str(label).lower())
    return client.post(IMPORT_URL, {"import_file": sheet, "format": csv_format, "resource": "0"})


def test_a_sheet_with_one_bad_row_is_rejected_whole_and_names_the_row(staff_client, alliance):
    requirement("SOP-GOWN-B")
    good = f"{alliance.medinet_person.email},SOP-GOWN-B,1,2026-01-10,passed,,,TRN-1\n"
    bad = f"{alliance.agc_person.email},SOP-GOWN-B,7,2026-01-11,passed,,,TRN-2\n"
    response = upload(staff_client, good + bad)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Some rows failed to validate" in text
    assert "SOP-GOWN-B has no version 7." in text
    assert "Confirm import" not in text
    assert not TrainingRecord.objects.exists()


def test_a_good_sheet_is_previewed_then_imported_with_history(staff_client, alliance):
    requirement("SOP-GOWN-B")
    body = (
        f"{alliance.medinet_person.email},SOP-GOWN-B,1,2026-01-10,passed,{alliance.medinet_supervisor.email},,TRN-1\n"
        f"{alliance.agc_person.email},SOP-GOWN-B,1,2026-01-11,passed,,,TRN-2\n"
    )
    preview = upload(staff_client, body)
    assert "Confirm import" in preview.content.decode()
    assert not TrainingRecord.objects.exists()  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    response = staff_client.post(
        reverse("admin:training_trainingrecord_process_import"), {**confirm.initial, "resource": "0"}
    )
    assert response.status_code == 302
    records = TrainingRecord.objects.order_by("completed_on")
    assert [(r.person.name, r.completed_on, r.evidence) for r in records] == [
        ("Takumi Yamada", datetime.date(2026, 1, 10), "TRN-1"),
        ("Yui Takahashi", datetime.date(2026, 1, 11), "TRN-2"),
    ]
    assert records[0].trainer == alliance.medinet_supervisor
    history = records[0].history.get()
    assert (history.history_user.username, history.history_change_reason) == ("staff", "Imported from a spreadsheet")


def test_auditors_cannot_import(auditor_client, db):
    assert auditor_client.get(IMPORT_URL).status_code == 403
