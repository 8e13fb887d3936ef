from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import SafeModelChoiceField
from core.forms import BootstrapFilterForm
from core.widgets import DatePicker
from partners.forms import FiscalYearFields
from partners.models import Partnership, Site


class DashboardFilters(FiscalYearFields, BootstrapFilterForm):
    """The dashboard's filters. They live in the query string, so a filtered view can be shared or bookmarked."""

    partnership = SafeModelChoiceField(
        label=_("Partnership"), queryset=Partnership.objects.all(), required=False, empty_label=_("All")
    )
    site = SafeModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False, empty_label=_("All"))
    start = forms.DateField(label=_("From"), required=False, widget=DatePicker())
    end = forms.DateField(label=_("To"), required=False, widget=DatePicker())

    field_order = ["partnership", "site", "start", "end", "year_basis", "fiscal_year"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError({"end": _("The end of the window cannot be before its start.")}, code="window")
        if start and end and (end - start).days > 366 * 10:
            raise ValidationError({"end": _("Choose a window of at most ten years.")}, code="window_too_long")
        return data
