from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from core.fields import fits_bigint


class ValidValuesOnly:
    """Re-rendering a rejected form must not crash on a submitted value that is not even an id.

    Django's autocomplete widgets look the submitted values up to show them again; a value such as ":"
    makes that lookup raise, turning a clear form error into a 500. Drop such values before the lookup.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        valid = []
        for item in value:
            try:
                target.to_python(item)
            except (ValidationError, ValueError, TypeError):
                continue
            if fits_bigint(item):
                valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(ValidValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidValuesOnly, AutocompleteSelectMultiple):
    pass


class DatePicker(forms.DateInput):
    """The browser's date picker. It reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
