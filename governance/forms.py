"""The staff's forms (in the admin): the model's rules, plus those on the links a form sets; and the filters of the
decision log and the risk register."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.forms import AuditedModelForm
from core.fields import SafeModelChoiceField
from core.forms import BootstrapFilterForm
from governance.models import Action, Decision, Meeting, Risk
from partners.models import Partnership


class MeetingForm(AuditedModelForm):
    class Meta:
        model = Meeting
        fields = ["partnership", "kind", "held_on", "title", "attendees", "minutes"]

    def clean(self):
        data = super().clean()
        if data.get("partnership") and data.get("attendees"):
            meeting = Meeting(partnership=data["partnership"], kind=data.get("kind"))
            try:
                meeting.validate_attendees(data["attendees"])
            except ValidationError as error:
                self.add_error("attendees", error)
        return data


class DecisionForm(AuditedModelForm):
    class Meta:
        model = Decision
        fields = [
            "partnership",
            "body",
            "meeting",
            "title",
            "text",
            "rationale",
            "status",
            "superseded_by",
            "milestones",
            "sites",
            "exchanges",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the statuses a person may choose from here: approval comes from the co-chairs' signatures.
        if "status" in self.fields:  # not on a read-only view
            self.fields["status"].choices = [
                (value, label) for value, label in Decision.Status.choices if value in self.statuses_open_to_hand()
            ]

    def statuses_open_to_hand(self) -> set[str]:
        Status = Decision.Status
        stored = Decision.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
        return {
            None: {Status.PROPOSED, Status.REJECTED},
            Status.PROPOSED: {Status.PROPOSED, Status.REJECTED},
            Status.APPROVED: {Status.APPROVED, Status.SUPERSEDED},
            Status.REJECTED: {Status.REJECTED},
            Status.SUPERSEDED: {Status.SUPERSEDED},
        }[stored]

    def clean(self):
        data = super().clean()
        if data.get("partnership"):
            decision = Decision(partnership=data["partnership"])
            try:
                decision.validate_concerns(
                    milestones=data.get("milestones") or (),
                    sites=data.get("sites") or (),
                    exchanges=data.get("exchanges") or (),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


class ActionForm(AuditedModelForm):
    class Meta:
        model = Action
        fields = ["partnership", "title", "owner", "due_on", "status", "done_on", "decision", "meeting"]


class RiskForm(AuditedModelForm):
    class Meta:
        model = Risk
        fields = [
            "partnership",
            "title",
            "category",
            "likelihood",
            "impact",
            "owner",
            "mitigation",
            "status",
            "review_on",
            "milestones",
        ]

    def clean(self):
        data = super().clean()
        if data.get("partnership") and data.get("milestones"):
            try:
                Risk(partnership=data["partnership"]).validate_milestones(data["milestones"])
            except ValidationError as error:
                self.add_error("milestones", error)
        return data


class DecisionLogFilters(BootstrapFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    partnership = SafeModelChoiceField(label=_("Partnership"), queryset=Partnership.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Decision.Status.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=9999)


class RiskFilters(BootstrapFilterForm):
    partnership = SafeModelChoiceField(label=_("Partnership"), queryset=Partnership.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Risk.Status.choices], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *Risk.Category.choices], required=False)
