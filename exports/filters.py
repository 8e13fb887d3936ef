from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit import registry
from core.fields import PlausibleDateField, SafeModelChoiceField
from core.forms import BootstrapFilterForm
from core.widgets import DatePicker
from partners.forms import FiscalYearFields
from partners.models import Company, Partnership, Site


@dataclass(frozen=True)
class Filters:
    start: object = None
    end: object = None
    partnership: Partnership | None = None
    site: Site | None = None
    company: Company | None = None
    record_type: str = ""
    as_of: object = None
    year_basis: object = None  # a partners.fiscal.Basis: group rows by its years
    fiscal_year: int | None = None
    headers: str = ""  # the header language; the content is never translated

    def scope(self) -> dict:
        """The arguments of the models' shared ``filtered()`` verbs."""
        return {
            "partnership": self.partnership,
            "site": self.site,
            "company": self.company,
            "start": self.start,
            "end": self.end,
        }

    def as_dict(self) -> dict[str, str]:
        values = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "partnership": str(self.partnership.pk) if self.partnership else "",
            "site": str(self.site.pk) if self.site else "",
            "company": str(self.company.pk) if self.company else "",
            "record_type": self.record_type,
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "year_basis": self.year_basis.key if self.year_basis else "",
            "fiscal_year": str(self.fiscal_year) if self.fiscal_year else "",
            "headers": self.headers,
        }
        return {key: value for key, value in values.items() if value}


class FilterForm(FiscalYearFields, BootstrapFilterForm):
    """Export filters, from a query string or the export page. Bad values are a clear 400, never a 500."""

    start = PlausibleDateField(label=_("From"), required=False, widget=DatePicker())
    end = PlausibleDateField(label=_("To"), required=False, widget=DatePicker())
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

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError({"end": _("The end of the date range cannot be before its start.")})
        return data

    def filters(self) -> Filters:
        return Filters(**{key: value for key, value in self.cleaned_data.items() if value not in (None, "")})

    def error_text(self) -> str:
        return "; ".join(
            f"{self.fields[name].label if name in self.fields else _('Filters')}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        )
