from __future__ import annotations

import io

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _

from audit.forms import REASON_FIELD, ReasonField


class UploadForm(forms.Form):
    import_file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8, Shift-JIS or UTF-16) or an Excel workbook (.xlsx), with the template's header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class ConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    change_reason = ReasonField(
        required=True,
        help_text=_(
            "Required: why are these records being imported? Every created or updated record's history keeps it, "
            "with the file's name and SHA-256."
        ),
    )

    @property
    def reason(self) -> str:
        return self.cleaned_data[REASON_FIELD]


class BoundedUpload(FileUploadHandler):
    """Keeps an import's upload in memory and stops reading past the limit: no temporary file, however large.

    The limit counts every file in the request together, so many files cannot add up past it.
    """

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit, self.received, self.too_large = limit, 0, False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            # Not connection_reset=False: Django would then read the rest of the body line by line, and a file
            # without line breaks is one line. The view drains it in small pieces instead (drain()).
            raise StopUpload(connection_reset=True)
        self.buffer.write(raw_data)

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )


def drain(request, chunk: int = 64 * 1024) -> None:
    """Read and discard the rest of the request in small pieces, so the browser is sent the page that says why."""
    stream = request._stream  # the WSGI input, bounded by the request's Content-Length
    while stream.read(chunk):
        pass
