"""The milestones app's forms: the dashboard's filters and the admin's milestone form."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.forms import AuditedModelForm
from core.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from core.forms import BootstrapFilterForm, DateRangeFields
from core.widgets import SafeAutocompleteSelectMultiple
from milestones.dashboard import chart_window
from milestones.models import Milestone
from partners import fiscal
from partners.forms import FiscalYearFields
from partners.models import Partnership, Site


class DashboardFilters(DateRangeFields, FiscalYearFields, BootstrapFilterForm):
    """The dashboard's filters. They live in the query string, so a filtered view can be shared or bookmarked."""

    partnership = SafeModelChoiceField(
        label=_("Partnership"), queryset=Partnership.objects.all(), required=False, empty_label=_("All")
    )
    site = SafeModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False, empty_label=_("All"))

    field_order = ["partnership", "site", "start", "end", "year_basis", "fiscal_year"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        # The headcount chart draws every quarter of the window, an open end counting as a year from today.
        basis = data.get("year_basis") or self.bases.get(self.initial.get("year_basis")) or fiscal.Basis()
        first, last = chart_window(start, end, basis.start_month, timezone.localdate())
        years = settings.DASHBOARD_MAX_WINDOW_YEARS
        if (last - first).days > 366 * years:
            if start and end:
                message = ngettext(
                    "Choose a window of at most %(years)d year.", "Choose a window of at most %(years)d years.", years
                )
            else:
                message = ngettext(
                    "Choose a window of at most %(years)d year (without both dates, it runs from or to a year "
                    "from today).",
                    "Choose a window of at most %(years)d years (without both dates, it runs from or to a year "
                    "from today).",
                    years,
                )
            raise ValidationError({"end" if end else "start": message % {"years": years}}, code="window_too_long")
        return data


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
