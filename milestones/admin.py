from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from milestones.forms import MilestoneForm
from milestones.models import Milestone
from milestones.services import milestone_save, milestone_set_dependencies


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
        (
            _("Dates and status"),
            {
                "fields": ["baseline_date", "baseline_decision", "forecast_date", "actual_date", "status", "countdown"],
                "description": _(
                    "Once set, the baseline date moves only with an approved decision of the partnership, cited with "
                    "it. A forecast change needs only a reason."
                ),
            },
        ),
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        # Creation sets the first baseline: there is nothing yet for a decision to move.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "baseline_decision"]})
            for name, options in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        milestone_save(milestone=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        milestone_set_dependencies(milestone=form.instance, depends_on=form.cleaned_data["depends_on"])
