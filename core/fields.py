"""Choice fields that reject an id no database column could hold, instead of crashing on it.

Django's ModelChoiceField passes any integer to the database; 2**63 overflows SQLite's INTEGER (OverflowError)
and PostgreSQL's bigint (an aborted transaction), turning a bad form value into a 500.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIGINT = range(-(2**63), 2**63)
# The dates a filter may name: the partnership's records all fall well inside, and beyond them date arithmetic
# (a year either side, a fiscal year's end) runs towards the calendar's limits.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2200, 12, 31)


def fits_bigint(value) -> bool:
    """False for integers out of a bigint's range; True for anything else (other checks judge it)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True
    return number in BIGINT


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not fits_bigint(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not fits_bigint(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


class PlausibleDateField(forms.DateField):
    """A date between 1900 and 2200: outside them, a typo ("0202-01-01") rather than a date anyone means."""

    default_error_messages = {"implausible": _("Enter a date between %(earliest)s and %(latest)s.")}

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST <= value <= LATEST:
            raise ValidationError(
                self.error_messages["implausible"],
                code="implausible",
                params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            )
