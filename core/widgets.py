from __future__ import annotations

import functools

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


@functools.cache
def _option_tags(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, format_html('<option value="{}">{}</option>', value, label)) for value, label in choices)


class LongSelect(forms.Widget):
    """A select of hundreds of fixed options (the time zones), its options' HTML built once per process.

    Django's and crispy's select templates render each option through the template engine: the preferences page's
    599 time zones cost about 100 ms of CPU on every request. Not a ``forms.Select`` on purpose, so crispy renders
    it with ``render()`` below instead of its own option loop.
    """

    def __init__(self, choices, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})
        self.choices = tuple(choices)

    def use_required_attribute(self, initial) -> bool:
        # As Django's Select: HTML allows "required" only when the first option is an empty placeholder.
        return False

    def render(self, name, value, attrs=None, renderer=None):
        options = [
            tag if option != value else tag.replace("<option ", "<option selected ", 1)
            for option, tag in _option_tags(tuple(self.choices))
        ]
        # Every tag was escaped by format_html in _option_tags; marking "selected" keeps it so.
        return format_html(
            "<select{}>{}</select>",
            flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})),
            mark_safe("".join(options)),  # noqa: S308
        )
