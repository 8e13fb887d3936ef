from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from milestones.forms import MilestoneForm
from milestones.models import Milestone
from milestones.services import milestone_set_dependencies


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    form = MilestoneForm
    list_display = [
        "title",
        "site",
        "owner",
        "baseline_date",
        "forecast_date",
        "slip",
        "rag",
        "status",
    ]
    list_filter = ["status", "partnership", "site"]
    list_select_related = ["site__company", "owner"]
    search_fields = ["title", "title_ja", "description"]
    autocomplete_fields = ["site", "owner"]
    date_hierarchy = "baseline_date"
    fieldsets = [
        (None, {"fields": ["partnership", "site", "title", "title_ja", "description", "owner"]}),
        (_("Dates and status"), {"fields": ["baseline_date", "forecast_date", "actual_date", "status", "countdown"]}),
        (_("Qualified people needed"), {"fields": ["required_function", "required_headcount"]}),
        (_("Dependencies"), {"fields": ["depends_on"]}),
    ]

    @admin.display(description=_("slip (days)"))
    def slip(self, milestone: Milestone) -> int:
        return milestone.slip_days

    @admin.display(description=_("RAG"))
    def rag(self, milestone: Milestone) -> str:
        rag = milestone.rag()
        return rag.label if rag else "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        milestone_set_dependencies(milestone=form.instance, depends_on=form.cleaned_data["depends_on"])
