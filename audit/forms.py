from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from audit.reasons import validate_reason
from audit.versions import InvalidVersion, StaleVersion, check_version, version_of, versions_of

REASON_FIELD = "change_reason"
VERSION_FIELD = "record_version"


class VersionField(forms.CharField):
    """The version of the record a form was opened on (see audit/versions.py): a hidden field, never a change."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)  # adding a record needs none; editing checks it in clean()
        kwargs.setdefault("label", _("Record version"))
        super().__init__(**kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that refuses to save over changes made to its record since it was opened.

    Validate it inside the transaction that saves (the admin does): the check locks the record's row.
    """

    record_version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial.setdefault(VERSION_FIELD, version_of(type(self.instance), self.instance.pk))

    def version_matters(self) -> bool:
        return True  # the admin saves the record even when nothing in the form changed

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and self.version_matters():
            try:
                check_version(type(self.instance), self.instance.pk, cleaned_data.get(VERSION_FIELD, ""))
            except (InvalidVersion, StaleVersion) as refused:
                raise ValidationError(refused.message, code=refused.code) from refused
        return cleaned_data


class VersionedInlineForm(VersionedModelForm):
    """One inline row. A formset saves only the rows whose input differs from what is stored now, so only those
    can overwrite a change made since: a row left as it was and still as stored needs no check."""

    def version_matters(self) -> bool:
        return self.has_changed()


class VersionedInlineFormSet(BaseInlineFormSet):
    """Inline rows that each carry their own version, so a stale page cannot overwrite or delete them either."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if not self.is_bound and index is not None and index < self.initial_form_count():
            if not hasattr(self, "_versions"):
                self._versions = versions_of(self.model, [row.pk for row in self.get_queryset()])
            kwargs["initial"] = {
                **kwargs.get("initial", {}),
                VERSION_FIELD: self._versions[self.get_queryset()[index].pk],
            }
        return kwargs

    def clean(self):
        super().clean()
        # A formset ignores the errors of rows marked for deletion; a stale row must not be deleted either.
        for form in self.deleted_forms:
            refused = [
                e for e in form.non_field_errors().as_data() if e.code in (InvalidVersion.code, StaleVersion.code)
            ]
            if refused:
                raise ValidationError(refused)


class ReasonField(forms.CharField):
    default_validators = [validate_reason]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Reason for change"))
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)


class AuditedModelForm(VersionedModelForm):
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
