from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.forms import (
    REASON_FIELD,
    VERSION_FIELD,
    AuditedModelForm,
    DeleteReasonForm,
    VersionedInlineForm,
    VersionedInlineFormSet,
)
from core.admin import BoundedSearchMixin
from core.fields import SafeModelChoiceField, SafeModelMultipleChoiceField
from core.search import IndexedSearchMixin
from core.widgets import SafeAutocompleteSelect, SafeAutocompleteSelectMultiple


class AuditedAdmin(BoundedSearchMixin, IndexedSearchMixin, admin.ModelAdmin):
    """Admin for a record on the audit trail: every edit and delete carries a reason, and every edit form the
    version it was opened on, so that it cannot save over a colleague's change made since (audit/versions.py).

    Bulk delete is switched off (each deletion needs its own reason), and the admin's history
    button opens the record's audit trail.
    """

    form = AuditedModelForm
    delete_confirmation_template = "admin/audit/delete_confirmation.html"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.has_change_permission(request, obj) or (obj is None and self.has_add_permission(request)):
            fieldsets.append((_("Audit trail"), {"fields": [REASON_FIELD, VERSION_FIELD]}))
        return fieldsets

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if name not in (REASON_FIELD, VERSION_FIELD)]

    def save_formset(self, request, form, formset, change):
        # Inline rows (a requirement's versions, say) change with the record and carry its reason.
        reason = form.cleaned_data.get(REASON_FIELD, "")
        for obj in formset.save(commit=False):
            obj._change_reason = reason
            obj.save()
        for obj in formset.deleted_objects:
            obj._change_reason = reason
            obj.delete()
        formset.save_m2m()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        form = DeleteReasonForm(request.POST or None)
        if request.method == "POST" and not form.is_valid():
            messages.error(
                request, " ".join([str(_("Give a reason for deleting this record.")), *form.errors[REASON_FIELD]])
            )
            return HttpResponseRedirect(request.get_full_path())
        request._audit_delete_reason = form.cleaned_data[REASON_FIELD] if form.is_bound else ""
        return super().delete_view(request, object_id, {**(extra_context or {}), "reason_form": form})

    def delete_model(self, request, obj):
        obj._change_reason = request._audit_delete_reason
        super().delete_model(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        return HttpResponseRedirect(reverse("audit:trail", args=[opts.app_label, opts.model_name, object_id]))


class AuditedTabularInline(admin.TabularInline):
    """Inline rows of an audited model: each row carries its own version (and saves with its parent's reason)."""

    form = VersionedInlineForm
    formset = VersionedInlineFormSet

    def get_fields(self, request, obj=None):
        return [*(name for name in super().get_fields(request, obj) if name != VERSION_FIELD), VERSION_FIELD]
