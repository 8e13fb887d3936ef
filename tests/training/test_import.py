"""An import is a reviewed, atomic change: the preview binds the confirmation to the stored file and its rows."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from django.contrib.messages import get_messages
from django.urls import reverse

from audit.verify import verify_all
from tests.factories import UserFactory
from tests.fixtures.imports import fixture
from tests.training.importing import (
    IMPORT_URL,
    REASON,
    cancel_url,
    confirm,
    confirm_url,
    page_errors,
    preview_url,
    previewed,
    upload,
)
from training.models import ImportUpload, TrainingImport, TrainingRecord

D = datetime.date


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_good_file_is_previewed_then_imported_with_reason_file_and_hash_in_history(staff_client, trainees):
    content = fixture("utf8_bom.csv")
    stored, preview = previewed(staff_client, content, "gowning.csv")
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "UTF-8 with BOM" in text and stored.sha256 in text
    assert preview.context["counts"] == {"new": 2, "update": 0, "unchanged": 0}
    assert not TrainingRecord.objects.exists()  # the preview writes nothing

    response = confirm(staff_client, stored, preview)

    assert response.status_code == 302
    imported = TrainingImport.objects.get()
    assert response.url == reverse("admin:training_trainingimport_change", args=[imported.pk])
    assert (imported.user.username, imported.file_name, imported.encoding) == ("staff", "gowning.csv", "utf-8-sig")
    assert (imported.rows_created, imported.rows_updated, imported.reason) == (2, 0, REASON)
    assert imported.sha256 == stored.sha256
    records = TrainingRecord.objects.order_by("completed_on")
    assert [(r.person, r.version.version, r.completed_on, r.evidence) for r in records] == [
        (trainees.yui, 2, D(2026, 1, 10), "TRN-1001"),
        (trainees.takumi, 1, D(2026, 1, 11), "TRN-1002"),
    ]
    history = records[0].history.get()
    assert history.history_user.username == "staff"
    assert history.history_change_reason == f"{REASON} (import #{imported.pk}: gowning.csv, SHA-256 {stored.sha256})"
    assert imported.history.get().history_change_reason == REASON
    assert not ImportUpload.objects.exists()  # the content is gone once imported
    assert all(report.ok for report in verify_all())


def test_an_update_shows_old_and_new_values_and_carries_the_reason(staff_client, trainees):
    record = TrainingRecord.objects.create(
        person=trainees.yui,
        requirement=trainees.gowning,
        version=trainees.gowning.versions.get(version=2),
        completed_on=D(2026, 1, 10),
        result="passed",
        evidence="TRN-OLD",
    )
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    assert preview.context["counts"] == {"new": 1, "update": 1, "unchanged": 0}
    update = next(row for row in preview.context["page"].object_list if row.action == "update")
    assert ("evidence", "TRN-OLD", "TRN-1001") in update.changes
    assert ("trainer_email", "", "mio.hayashi@medinet.example") in update.changes

    confirm(staff_client, stored, preview)

    record.refresh_from_db()
    assert record.evidence == "TRN-1001"
    latest = record.history.order_by("-history_id").first()
    assert latest.history_type == "~" and latest.history_change_reason.startswith(REASON)
    assert all(report.ok for report in verify_all())


def test_the_reason_is_required(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    response = confirm(staff_client, stored, preview, reason="")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not TrainingRecord.objects.exists() and not TrainingImport.objects.exists()
    assert ImportUpload.objects.filter(pk=stored.pk).exists()  # the user can still give one


def test_a_file_with_one_bad_row_imports_nothing_and_offers_no_confirmation(staff_client, trainees):
    response = upload(staff_client, fixture("one_bad_row.csv"))
    assert response.status_code == 200
    assert page_errors(response) == ["Row 3, column version: SOP-GOWN-B has no version 7: its versions are 1, 2."]
    assert "change_reason" not in response.content.decode()
    assert not TrainingRecord.objects.exists()
    assert not ImportUpload.objects.exists()  # a rejected file is not kept


def test_a_preview_that_now_rejects_a_row_cannot_be_confirmed(staff_client, trainees):
    stored, _preview = previewed(staff_client, fixture("utf8_bom.csv"))
    trainees.takumi.email = "takumi.yamada@medinet-group.example"  # corrected by a colleague meanwhile
    trainees.takumi._change_reason = "New address"
    trainees.takumi.save()
    rejected = staff_client.get(preview_url(stored.pk))
    assert page_errors(rejected) == [
        "Row 3, column person_email: no person with the email takumi.yamada@medinet.example: add the person first, "
        "or correct the email."
    ]
    assert "Import all" not in rejected.content.decode()

    # Posting the confirmation anyway, with the digest of the preview that showed the error.
    response = confirm(staff_client, stored, rejected)

    assert not TrainingRecord.objects.exists() and not TrainingImport.objects.exists()
    assert "rejected row" in " ".join(messages_of(response))


def test_a_record_changed_between_preview_and_confirmation_is_not_overwritten(staff_client, trainees):
    record = TrainingRecord.objects.create(
        person=trainees.yui,
        requirement=trainees.gowning,
        version=trainees.gowning.versions.get(version=2),
        completed_on=D(2026, 1, 10),
        result="passed",
        evidence="TRN-OLD",
    )
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    record.evidence, record._change_reason = "TRN-CORRECTED", "Form number corrected"  # a colleague, meanwhile
    record.save()

    response = confirm(staff_client, stored, preview)

    assert response.status_code == 302 and response.url == preview_url(stored.pk)
    assert "Rows 2 would update records that someone changed since your preview" in " ".join(messages_of(response))
    record.refresh_from_db()
    assert record.evidence == "TRN-CORRECTED"
    assert TrainingRecord.objects.count() == 1 and not TrainingImport.objects.exists()


def test_a_row_that_a_colleague_entered_meanwhile_is_not_imported_twice(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    assert preview.context["counts"] == {"new": 2, "update": 0, "unchanged": 0}
    TrainingRecord.objects.create(  # row 3 of the file, keyed in by hand meanwhile: now it would be "unchanged"
        person=trainees.takumi,
        requirement=trainees.aseptic,
        version=trainees.aseptic.versions.get(),
        completed_on=D(2026, 1, 11),
        result="passed",
        evaluator=trainees.mio,
        evidence="TRN-1002",
    )
    response = confirm(staff_client, stored, preview)
    assert "The records or the file changed since your preview" in " ".join(messages_of(response))
    assert TrainingRecord.objects.count() == 1 and not TrainingImport.objects.exists()


def test_confirming_reads_the_stored_file_whatever_the_form_says(staff_client, trainees):
    """The old confirm step took the format and a temporary file's name from the form."""
    victim = Path(tempfile.gettempdir()) / "someone-elses-upload.csv"
    victim.write_bytes(fixture("shift_jis.csv"))
    try:
        stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
        response = confirm(
            staff_client,
            stored,
            preview,
            format="1",
            input_format="xlsx",
            import_file_name=victim.name,
            original_file_name="../../etc/passwd",
            file_path=str(victim),
        )
        assert response.status_code == 302
        assert victim.exists()  # no path from the form is ever used
    finally:
        victim.unlink(missing_ok=True)
    assert sorted(TrainingRecord.objects.values_list("evidence", flat=True)) == ["TRN-1001", "TRN-1002"]
    assert TrainingImport.objects.get().file_name == "records.csv"


def test_another_users_upload_is_not_found(client, trainees):
    owner = UserFactory(username="owner", role="Staff")
    other = UserFactory(username="other", role="Staff")
    client.force_login(owner)
    stored, preview = previewed(client, fixture("utf8_bom.csv"))
    digest = preview.context["form"]["digest"].value()
    client.force_login(other)
    assert client.get(preview_url(stored.pk)).status_code == 404
    assert client.post(confirm_url(stored.pk), {"digest": digest, "change_reason": REASON}).status_code == 404
    assert client.post(cancel_url(stored.pk)).status_code == 404
    assert not TrainingRecord.objects.exists()
    assert ImportUpload.objects.filter(pk=stored.pk).exists()


def test_an_id_that_was_never_issued_is_not_found(staff_client, trainees):
    response = staff_client.post(confirm_url(987654), {"digest": "0" * 64, "change_reason": REASON})
    assert response.status_code == 404
    assert staff_client.get(preview_url(987654)).status_code == 404


def test_a_digest_other_than_the_previewed_one_is_refused(staff_client, trainees):
    stored, _preview = previewed(staff_client, fixture("utf8_bom.csv"))
    response = staff_client.post(confirm_url(stored.pk), {"digest": "f" * 64, "change_reason": REASON})
    assert response.url == preview_url(stored.pk)
    assert not TrainingRecord.objects.exists()


def test_a_stored_file_whose_bytes_changed_is_refused_even_if_it_reads_the_same(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    stored.content = bytes(stored.content) + b"\r\n"  # the same rows, other bytes: the recorded hash would be false
    stored.save()

    response = confirm(staff_client, stored, preview)

    assert "SHA-256 differs" in " ".join(messages_of(response))
    assert response.url == IMPORT_URL
    assert not TrainingRecord.objects.exists() and not TrainingImport.objects.exists()
    assert not ImportUpload.objects.exists()


def test_cancelling_deletes_the_upload_and_imports_nothing(staff_client, trainees):
    stored, _preview = previewed(staff_client, fixture("utf8_bom.csv"))
    response = staff_client.post(cancel_url(stored.pk))
    assert response.status_code == 302 and response.url == IMPORT_URL
    assert not ImportUpload.objects.exists() and not TrainingRecord.objects.exists()


def test_a_second_confirmation_imports_nothing_more(staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    confirm(staff_client, stored, preview)
    assert confirm(staff_client, stored, preview).status_code == 404
    assert TrainingRecord.objects.count() == 2 and TrainingImport.objects.count() == 1


def test_the_import_record_is_read_only_for_every_role(admin_client, staff_client, trainees):
    stored, preview = previewed(staff_client, fixture("utf8_bom.csv"))
    confirm(staff_client, stored, preview)
    imported = TrainingImport.objects.get()
    page = staff_client.get(reverse("admin:training_trainingimport_change", args=[imported.pk]))
    assert page.status_code == 200 and REASON in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    delete = reverse("admin:training_trainingimport_delete", args=[imported.pk])
    assert admin_client.post(delete, {"post": "yes", "change_reason": "Tidying up"}).status_code == 403
    assert TrainingImport.objects.filter(pk=imported.pk).exists()


def test_managers_and_auditors_cannot_import(manager_client, trainees):
    assert manager_client.get(IMPORT_URL).status_code == 403
    assert upload(manager_client, fixture("utf8_bom.csv")).status_code == 403
    assert not ImportUpload.objects.exists()
