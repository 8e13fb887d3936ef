"""Steps of an import as a person takes them in the admin: upload, read the preview, confirm or cancel."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from training.models import ImportUpload

IMPORT_URL = reverse("admin:training_trainingrecord_import")
REASON = "Quarterly gowning requalification records from the Yokohama QA office"


def upload(client, content: bytes, name: str = "records.csv", **extra):
    return client.post(IMPORT_URL, {"import_file": SimpleUploadedFile(name, content), **extra})


def preview_url(upload_id: int) -> str:
    return reverse("admin:training_trainingrecord_import_preview", args=[upload_id])


def confirm_url(upload_id: int) -> str:
    return reverse("admin:training_trainingrecord_import_confirm", args=[upload_id])


def cancel_url(upload_id: int) -> str:
    return reverse("admin:training_trainingrecord_import_cancel", args=[upload_id])


def previewed(client, content: bytes, name: str = "records.csv"):
    """Upload a good file, which shows its preview at once: (the stored upload, the preview response)."""
    response = upload(client, content, name)
    assert response.status_code == 200 and "upload" in response.context, response.content.decode()[:2000]
    return ImportUpload.objects.get(pk=response.context["upload"].pk), response


def confirm(client, stored: ImportUpload, preview, reason: str = REASON, **extra):
    digest = preview.context["form"]["digest"].value()
    return client.post(confirm_url(stored.pk), {"digest": digest, "change_reason": reason, **extra})


def page_errors(response) -> list[str]:
    return [str(error) for error in response.context["errors"]]
