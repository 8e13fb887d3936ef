from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from governance.forms import ActionForm, DecisionForm, MeetingForm, RiskForm
from governance.models import Action, Decision, Meeting, Risk
from governance.services import decision_save


class GovernanceAdmin(AuditedAdmin):
    """The committee's records are never deleted: a decision is rejected or superseded, an action cancelled, a
    risk closed; a meeting that happened stays on record."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


@admin.register(Meeting)
class MeetingAdmin(GovernanceAdmin):
    form = MeetingForm
    list_display = ["title", "kind", "held_on", "partnership"]
    list_filter = ["kind", "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["title", "minutes"]
    autocomplete_fields = ["attendees"]
    date_hierarchy = "held_on"
    fieldsets = [(None, {"fields": ["partnership", "kind", "held_on", "title", "attendees", "minutes"]})]


@admin.register(Decision)
class DecisionAdmin(GovernanceAdmin):
    form = DecisionForm
    list_display = ["number", "title", "status", "meeting", "approved_at"]
    list_filter = ["status", "body", "year", "partnership"]
    list_select_related = ["meeting"]
    search_fields = ["number", "title", "text", "rationale"]
    autocomplete_fields = ["meeting", "superseded_by", "milestones", "sites", "exchanges"]
    readonly_fields = ["number", "approved_at"]
    fieldsets = [
        (None, {"fields": ["partnership", "body", "meeting", "title", "text", "rationale"]}),
        (_("Status"), {"fields": ["status", "superseded_by"]}),
        (_("What it concerns"), {"fields": ["milestones", "sites", "exchanges"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [(None, {"fields": ["number", "approved_at"]}), *fieldsets]

    def get_readonly_fields(self, request, obj=None):
        # The committee is part of the number, which never changes once given.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "body"]

    def save_model(self, request, obj, form, change):
        # A new decision takes its number here, under the partnership's lock.
        decision_save(decision=obj)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue(timezone.localdate())
        return queryset


@admin.register(Action)
class ActionAdmin(GovernanceAdmin):
    form = ActionForm
    list_display = ["title", "owner", "due_on", "status", "decision"]  # when it was done: on the detail page
    list_filter = [OverdueFilter, "status", "partnership"]
    list_select_related = ["owner", "decision"]
    search_fields = ["title", "owner__name", "owner__name_ja", "decision__number"]
    autocomplete_fields = ["owner", "decision", "meeting"]
    date_hierarchy = "due_on"
    fieldsets = [
        (None, {"fields": ["partnership", "title", "owner", "decision", "meeting"]}),
        (_("Dates and status"), {"fields": ["due_on", "status", "done_on"]}),
    ]


@admin.register(Risk)
class RiskAdmin(GovernanceAdmin):
    form = RiskForm
    list_display = ["title", "category", "likelihood", "impact", "score", "status", "owner", "review_on"]
    list_filter = ["status", "category", "partnership"]
    list_select_related = ["owner"]
    search_fields = ["title", "mitigation", "owner__name", "owner__name_ja"]
    autocomplete_fields = ["owner", "milestones"]
    date_hierarchy = "review_on"
    fieldsets = [
        (None, {"fields": ["partnership", "title", "category", "owner", "milestones"]}),
        (_("Assessment"), {"fields": [("likelihood", "impact"), "mitigation", "status", "review_on"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_score()

    @admin.display(description=_("score"), ordering="score_value")
    def score(self, risk: Risk) -> int:
        return risk.score
