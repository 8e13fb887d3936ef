from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.reasons import validate_reason

REASON_FIELD = "change_reason"


class ReasonField(forms.CharField):
    default_validators = [validate_reason]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Reason for change"))
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)


class AuditedModelForm(forms.ModelForm):
    """A ModelForm whose saves carry a reason: required when editing, optional when creating."""

    change_reason = ReasonField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        field = self.fields[REASON_FIELD]
        field.required = editing
        field.help_text = (
            _("Required: why is this record being changed? It is kept in the audit trail.")
            if editing
            else _("Optional: why is this record being created?")
        )

    def save(self, commit: bool = True):
        self.instance._change_reason = self.cleaned_data.get(REASON_FIELD, "")
        return super().save(commit=commit)


class DeleteReasonForm(forms.Form):
    change_reason = ReasonField(
        required=True, help_text=_("Required: why is this record being deleted? It is kept in the audit trail.")
    )
