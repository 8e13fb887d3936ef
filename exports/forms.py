"""The export filters form: from a query string, the export page or ``export_records``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from audit import registry
from core.fields import PlausibleDateField, SafeModelChoiceField
from core.forms import BootstrapFilterForm, DateRangeFields
from core.widgets import DatePicker
from exports.filters import Filters
from partners.forms import FiscalYearFields
from partners.models import Company, Partnership, Site


class FilterForm(DateRangeFields, FiscalYearFields, BootstrapFilterForm):
    """Export filters, from a query string or the export page. Bad values are a clear 400, never a 500."""

    partnership = SafeModelChoiceField(label=_("Partnership"), queryset=Partnership.objects.all(), required=False)
    site = SafeModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False)
    company = SafeModelChoiceField(label=_("Company"), queryset=Company.objects.all(), required=False)
    as_of = PlausibleDateField(label=_("Qualification status as of"), required=False, widget=DatePicker())
    record_type = forms.ChoiceField(
        label=_("Record type (audit trail)"),
        choices=[("", _("All"))] + [(entry.key, entry.label) for entry in registry.audited()],
        required=False,
    )
    headers = forms.ChoiceField(
        label=_("Header language"),
        choices=[("", _("This page's language")), *settings.LANGUAGES],
        required=False,
        help_text=_("Only the column headers: the records themselves are exported as stored."),
    )

    field_order = ["start", "end", "year_basis", "fiscal_year", "partnership", "site", "company", "as_of"]

    def filters(self) -> Filters:
        return Filters(**{key: value for key, value in self.cleaned_data.items() if value not in (None, "")})

    def error_text(self) -> str:
        return "; ".join(
            f"{self.fields[name].label if name in self.fields else _('Filters')}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        )
