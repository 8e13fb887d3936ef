from __future__ import annotations

from django import forms


class BootstrapFilterForm(forms.Form):
    """A GET filter form styled with Bootstrap: selects for choices, text inputs for the rest."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
