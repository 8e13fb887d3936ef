from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import SafeModelChoiceField
from core.forms import BootstrapFilterForm
from governance.models import Decision, Risk
from partners.models import Partnership


class DecisionLogFilters(BootstrapFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    partnership = SafeModelChoiceField(label=_("Partnership"), queryset=Partnership.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Decision.Status.choices], required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=9999)


class RiskFilters(BootstrapFilterForm):
    partnership = SafeModelChoiceField(label=_("Partnership"), queryset=Partnership.objects.all(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Risk.Status.choices], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *Risk.Category.choices], required=False)
