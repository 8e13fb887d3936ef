"""The partners app's forms: the admin's partnership form, and the year fields other apps' filters share."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.forms import AuditedModelForm
from core.fields import SafeModelMultipleChoiceField
from core.widgets import SafeAutocompleteSelectMultiple
from partners import fiscal
from partners.models import Company, Partnership


class FiscalYearFields(forms.Form):
    """Group by the calendar year or a company's fiscal year, and optionally narrow to one such year.

    A chosen fiscal year becomes the start and end dates of the filter, so every date filter downstream applies it.
    """

    year_basis = forms.ChoiceField(label=_("Years"), required=False)
    fiscal_year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bases = {basis.key: basis for basis in fiscal.bases()}
        self.fields["year_basis"].choices = [(key, basis.label) for key, basis in self.bases.items()]

    def clean_year_basis(self) -> fiscal.Basis | None:
        key = self.cleaned_data["year_basis"]
        return self.bases.get(key) if key else None

    def clean(self):
        data = super().clean()
        year = data.get("fiscal_year")
        if year is None:
            return data
        if data.get("start") or data.get("end"):
            raise ValidationError(
                {"fiscal_year": _("Choose either a year or a date range, not both.")}, code="year_and_range"
            )
        # Without a basis in the query, the one the form starts from (the user's preference on the dashboard).
        basis = data.get("year_basis") or self.bases.get(self.initial.get("year_basis")) or fiscal.Basis()
        data["start"], data["end"] = basis.bounds(year)
        return data


class PartnershipForm(AuditedModelForm):
    # Not named "parties": the admin refuses a many-to-many field with its own link model in fieldsets.
    party_companies = SafeModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Company.objects.all(),
        widget=SafeAutocompleteSelectMultiple(Partnership._meta.get_field("parties"), admin.site),
        help_text=_("Two or more companies. A subsidiary acts for its parent: list only the parent."),
    )

    class Meta:
        model = Partnership
        fields = ["name", "name_ja", "status", "announced_on", "signed_on", "scope", "co_chairs"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["party_companies"].initial = list(self.instance.parties.all())

    def clean_party_companies(self):
        parties = self.cleaned_data["party_companies"]
        Partnership.validate_parties(parties)
        return parties

    def clean(self):
        data = super().clean()
        if data.get("co_chairs") and data.get("party_companies"):
            try:
                self.instance.validate_people(
                    data["co_chairs"], code="co_chair_not_party", parties=data["party_companies"]
                )
            except ValidationError as error:
                self.add_error("co_chairs", error)
        return data
