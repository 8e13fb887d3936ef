from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from audit.forms import AuditedModelForm
from core.fields import SafeModelMultipleChoiceField
from core.widgets import SafeAutocompleteSelectMultiple
from milestones.models import Milestone
from milestones.services import milestone_save, milestone_set_dependencies


def citable_decisions(milestone: Milestone):
    """What a re-baseline may cite: the approved decisions of the milestone's partnership, and the one it cites now
    (which stays a valid choice even if it has since been superseded)."""
    from governance.models import Decision

    decisions = Decision.objects.approved().filter(partnership_id=milestone.partnership_id)
    if milestone.baseline_decision_id:
        decisions = decisions | Decision.objects.filter(pk=milestone.baseline_decision_id)
    return decisions


class MilestoneForm(AuditedModelForm):
    depends_on = SafeModelMultipleChoiceField(
        label=_("Depends on"),
        queryset=Milestone.objects.all(),
        required=False,
        widget=SafeAutocompleteSelectMultiple(Milestone._meta.get_field("dependencies"), admin.site),
        help_text=_("Milestones that must be done before this one."),
    )

    class Meta:
        model = Milestone
        fields = [
            "partnership",
            "site",
            "title",
            "title_ja",
            "description",
            "owner",
            "baseline_date",
            "baseline_decision",
            "forecast_date",
            "actual_date",
            "status",
            "countdown",
            "required_function",
            "required_headcount",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["depends_on"].initial = list(self.instance.dependencies.all())
        if "baseline_decision" in self.fields:
            self.fields["baseline_decision"].queryset = citable_decisions(self.instance)

    def clean_depends_on(self):
        depends_on = self.cleaned_data["depends_on"]
        try:
            self.instance.validate_dependencies(depends_on)
        except ValidationError as error:
            raise ValidationError(error.messages, code="dependency") from error
        return depends_on


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    form = MilestoneForm
    list_display = [
        "title",
        "site",
        "owner",
        "baseline_date",
        "forecast_date",
        "actual_date",
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
