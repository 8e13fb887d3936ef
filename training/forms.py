"""The training app's forms (the import's upload and confirmation forms are in ``imports/forms.py``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import SafeModelChoiceField
from core.forms import BootstrapFilterForm
from core.widgets import DatePicker
from partners.models import Function, Site


class MatrixFilters(BootstrapFilterForm):
    site = SafeModelChoiceField(label=_("Home site"), queryset=Site.objects.all(), required=False)
    function = forms.ChoiceField(label=_("Function"), choices=[("", _("All")), *Function.choices], required=False)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DatePicker())
