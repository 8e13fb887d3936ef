from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.fields import PlausibleDateField
from core.widgets import DatePicker


class BootstrapFilterForm(forms.Form):
    """A GET filter form styled with Bootstrap: selects for choices, text inputs for the rest.

    A filter given more often than it takes values (a single choice twice, a list longer than FILTER_MAX_VALUES)
    is a form error, not a silent pick of one value nor a query over every value sent.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def clean(self):
        data = super().clean()
        if hasattr(self.data, "getlist"):
            for name, field in self.fields.items():
                allowed = settings.FILTER_MAX_VALUES if getattr(field.widget, "allow_multiple_selected", False) else 1
                if len(self.data.getlist(name)) > allowed:
                    message = ngettext(
                        "Give at most %(count)d value for this filter.",
                        "Give at most %(count)d values for this filter.",
                        allowed,
                    )
                    self.add_error(name, forms.ValidationError(message % {"count": allowed}, code="too_many_values"))
        return data


class DateRangeFields(forms.Form):
    """A From–To date window, either end open; the end may not come before the start.

    Put it first among a filter form's bases, so the check sees the dates other fields derive (a fiscal year).
    """

    start = PlausibleDateField(label=_("From"), required=False, widget=DatePicker())
    end = PlausibleDateField(label=_("To"), required=False, widget=DatePicker())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            message = _("The end of the date range cannot be before its start.")
            raise ValidationError({"end": ValidationError(message, code="end_before_start")})
        return data
