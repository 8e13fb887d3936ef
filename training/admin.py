from __future__ import annotations

from django.contrib import admin

from audit.admin import AuditedAdmin, AuditedTabularInline
from training.imports.views import SpreadsheetImportMixin
from training.models import Curriculum, Requirement, RequirementVersion, TrainingImport, TrainingRecord


class VersionInline(AuditedTabularInline):
    model = RequirementVersion
    extra = 0
    min_num = 1
    fields = ["version", "effective_from"]


@admin.register(Requirement)
class RequirementAdmin(AuditedAdmin):
    list_display = ["code", "title", "validity_months", "needs_evaluation"]
    list_filter = ["needs_evaluation"]
    search_fields = ["code", "title", "title_ja"]
    inlines = [VersionInline]


@admin.register(RequirementVersion)
class RequirementVersionAdmin(AuditedAdmin):
    list_display = ["requirement", "version", "effective_from"]
    list_select_related = ["requirement"]
    search_fields = ["requirement__code", "requirement__title", "requirement__title_ja"]
    autocomplete_fields = ["requirement"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requirement")


@admin.register(Curriculum)
class CurriculumAdmin(AuditedAdmin):
    list_display = ["name", "function", "site"]
    list_filter = ["function", "site"]
    list_select_related = ["site__company"]
    search_fields = ["name", "name_ja"]
    autocomplete_fields = ["site"]
    filter_horizontal = ["requirements"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(SpreadsheetImportMixin, AuditedAdmin):
    """Staff key records in one by one, or import a spreadsheet: previewed, rejected whole if any row is wrong."""

    list_display = ["person", "version", "completed_on", "result", "trainer", "evaluator", "evidence"]
    list_filter = ["result", "requirement", "completed_on"]
    list_select_related = ["person", "version__requirement", "trainer", "evaluator"]
    search_fields = ["person__name", "person__name_ja", "requirement__code", "evidence"]
    indexed_search = True  # as the exchange list's (core/search.py)
    autocomplete_fields = ["person", "requirement", "version", "trainer", "evaluator", "exchange"]
    # As the exchange list: a page read through the training_completed_on index, one count, no date hierarchy.
    ordering = ["-completed_on", "-pk"]
    show_full_result_count = False


@admin.register(TrainingImport)
class TrainingImportAdmin(AuditedAdmin):
    """Imports are records of what happened: read, never added, changed or deleted by hand."""

    list_display = ["imported_at", "user", "file_name", "rows_created", "rows_updated", "rows_unchanged", "reason"]
    list_select_related = ["user"]
    search_fields = ["file_name", "sha256", "reason"]
    date_hierarchy = "imported_at"
    fields = [
        "imported_at",
        "user",
        "file_name",
        "sha256",
        "file_format",
        "encoding",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
