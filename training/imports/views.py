"""The import pages in the admin: upload, preview, confirm or cancel, and the template files.

Replaces django-import-export's flow, which took the temporary file's name and the format from the confirm form,
re-read the file in whatever format was posted, saved the valid rows of a rejected file and queried row by row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from training.imports.checking import plan_import
from training.imports.columns import COLUMNS
from training.imports.forms import BoundedUpload, ConfirmForm, UploadForm, drain
from training.imports.plan import NEW, UNCHANGED, UPDATE
from training.imports.reading import ENCODINGS, Unreadable, limit_text, megabytes, read_sheet, too_large_message
from training.imports.services import (
    ImportRefused,
    import_confirm,
    purge_expired_uploads,
    remember_preview,
    upload_cancel,
    upload_preview,
    upload_store,
)
from training.imports.template import template_csv, template_xlsx
from training.models import ImportUpload

ROWS_PER_PAGE = 500
ERRORS_SHOWN = 200
TEMPLATES = {
    "csv": (template_csv, "text/csv; charset=utf-8"),
    "xlsx": (template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class SpreadsheetImportMixin:
    """Adds the import pages to a ModelAdmin (of TrainingRecord)."""

    change_list_template = "admin/training/trainingrecord/change_list.html"

    def has_import_permission(self, request) -> bool:
        # Updating records by import is changing them: it needs both rights.
        return request.user.has_perms(["training.add_trainingrecord", "training.change_trainingrecord"])

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(csrf_exempt(self.import_upload_view)), name=f"{info}_import"),
            path("import/template.<str:file_format>", wrap(self.import_template_view), name=f"{info}_import_template"),
            path("import/<int:upload_id>/", wrap(self.import_preview_view), name=f"{info}_import_preview"),
            path("import/<int:upload_id>/confirm/", wrap(self.import_confirm_view), name=f"{info}_import_confirm"),
            path("import/<int:upload_id>/cancel/", wrap(self.import_cancel_view), name=f"{info}_import_cancel"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def import_url(self, view: str = "import", *args) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def import_context(self, request, **context) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "columns": COLUMNS,
            "limits": {
                "megabytes": megabytes(settings.TRAINING_IMPORT_MAX_BYTES),
                "rows": limit_text(settings.TRAINING_IMPORT_MAX_ROWS),
                "cell": limit_text(settings.TRAINING_IMPORT_MAX_CELL_CHARS),
                "hours": settings.TRAINING_IMPORT_UPLOAD_HOURS,
            },
            "template_csv_url": self.import_url("import_template", "csv"),
            "template_xlsx_url": self.import_url("import_template", "xlsx"),
            **context,
        }

    def check_import_permission(self, request) -> None:
        if not self.has_import_permission(request):
            raise PermissionDenied

    def import_upload_view(self, request):
        """CSRF-exempt only so the upload handler can be set before the body is read; csrf_protect follows."""
        self.check_import_permission(request)
        limiter = None
        if request.method == "POST":
            limiter = BoundedUpload(request, settings.TRAINING_IMPORT_MAX_BYTES)
            request.upload_handlers = [limiter]
        return csrf_protect(lambda req: self.import_upload(req, limiter))(request)

    def import_upload(self, request, limiter: BoundedUpload | None):
        purge_expired_uploads()
        context = self.import_context(request, title=_("Import training records"))
        if request.method != "POST":
            return render(request, "admin/training/import.html", {**context, "form": UploadForm()})
        files = request.FILES  # parses the request: the limiter has seen the upload after this
        if limiter is not None and limiter.too_large:
            drain(request)
            return render(
                request,
                "admin/training/import.html",
                {**context, "form": UploadForm(), "file_errors": [too_large_message()]},
            )
        form = UploadForm(request.POST, files)
        if not form.is_valid():
            return render(request, "admin/training/import.html", {**context, "form": form})
        uploaded = form.cleaned_data["import_file"]
        content = uploaded.read()
        try:
            sheet = read_sheet(content)
        except Unreadable as error:
            return render(
                request,
                "admin/training/import.html",
                {**context, "form": UploadForm(), "file_errors": [str(error)], "file_name": uploaded.name},
            )
        plan = plan_import(sheet)
        if plan.errors:
            # A rejected file is not kept: nothing of it outlives this response.
            return render(
                request,
                "admin/training/import.html",
                {
                    **context,
                    "form": UploadForm(),
                    "file_name": uploaded.name,
                    "encoding": sheet.encoding_label,
                    "errors": plan.errors[:ERRORS_SHOWN],
                    "more_errors": max(0, len(plan.errors) - ERRORS_SHOWN),
                    "error_count": len(plan.errors),
                    "row_count": len(sheet.rows),
                },
            )
        # Shown at once rather than redirected to, so a large file is checked once before the confirmation. Sending
        # the form again is harmless: the same file is the same upload.
        upload = upload_store(user=request.user, file_name=uploaded.name, content=content, sheet=sheet)
        remember_preview(upload, plan)
        return self.render_preview(request, upload, sheet, plan)

    def owned_upload(self, request, upload_id: int) -> ImportUpload:
        self.check_import_permission(request)
        purge_expired_uploads()
        # Another user's upload is as absent as one that never existed.
        return get_object_or_404(ImportUpload, pk=upload_id, user=request.user)

    def import_preview_view(self, request, upload_id: int):
        return require_safe(self.import_preview)(request, upload_id)

    def import_preview(self, request, upload_id: int, form: ConfirmForm | None = None, status: int = 200):
        upload = self.owned_upload(request, upload_id)
        try:
            sheet, plan = upload_preview(upload)
        except Unreadable as error:
            upload_cancel(upload=upload)
            messages.error(request, str(error))
            return HttpResponseRedirect(self.import_url())
        return self.render_preview(request, upload, sheet, plan, form, status)

    def render_preview(self, request, upload, sheet, plan, form: ConfirmForm | None = None, status: int = 200):
        if form is None:
            form = ConfirmForm(initial={"digest": plan.digest})
        else:
            # Re-shown with its errors: the confirmation is for the preview on this page.
            form.data = form.data.copy()
            form.data["digest"] = plan.digest
        page = Paginator(plan.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context = self.import_context(
            request,
            title=_("Preview of %(file)s") % {"file": upload.file_name},
            upload=upload,
            preview_url=self.import_url("import_preview", upload.pk),
            encoding=ENCODINGS.get(upload.encoding, upload.encoding),
            form=form,
            page=page,
            counts={"new": plan.count(NEW), "update": plan.count(UPDATE), "unchanged": plan.count(UNCHANGED)},
            row_count=len(sheet.rows),
            errors=plan.errors[:ERRORS_SHOWN],
            more_errors=max(0, len(plan.errors) - ERRORS_SHOWN),
            error_count=len(plan.errors),
            actions={NEW: _("new"), UPDATE: _("update"), UNCHANGED: _("unchanged")},
        )
        return render(request, "admin/training/import_preview.html", context, status=status)

    def import_confirm_view(self, request, upload_id: int):
        return require_POST(self.import_confirm)(request, upload_id)

    def import_confirm(self, request, upload_id: int):
        upload = self.owned_upload(request, upload_id)
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return self.import_preview(request, upload.pk, form=form, status=400)
        try:
            imported = import_confirm(
                upload_id=upload.pk, user=request.user, digest=form.cleaned_data["digest"], reason=form.reason
            )
        except ImportRefused as refusal:
            messages.error(request, str(refusal))
            if refusal.discard:
                ImportUpload.objects.filter(pk=upload.pk).delete()
                return HttpResponseRedirect(self.import_url())
            return HttpResponseRedirect(self.import_url("import_preview", upload.pk))
        messages.success(
            request,
            _("Imported %(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "file": imported.file_name,
                "created": limit_text(imported.rows_created),
                "updated": limit_text(imported.rows_updated),
                "unchanged": limit_text(imported.rows_unchanged),
            },
        )
        return HttpResponseRedirect(reverse("admin:training_trainingimport_change", args=[imported.pk]))

    def import_cancel_view(self, request, upload_id: int):
        return require_POST(self.import_cancel)(request, upload_id)

    def import_cancel(self, request, upload_id: int):
        upload = self.owned_upload(request, upload_id)
        upload_cancel(upload=upload)
        messages.info(
            request, _("The import of %(file)s was cancelled and the file deleted.") % {"file": upload.file_name}
        )
        return HttpResponseRedirect(self.import_url())

    def import_template_view(self, request, file_format: str):
        return require_safe(self.import_template)(request, file_format)

    def import_template(self, request, file_format: str):
        self.check_import_permission(request)
        if file_format not in TEMPLATES:
            raise Http404
        build, content_type = TEMPLATES[file_format]
        response = HttpResponse(build(), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="training-records-template.{file_format}"'
        return response
