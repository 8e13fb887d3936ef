from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import (
    AccessChangeForm,
    AccountChangeForm,
    AccountCreationForm,
    ApiTokenRevokeForm,
    PasswordChangeForm,
    PreferencesForm,
)
from accounts.models import ApiToken, Profile
from audit.admin import AuditedAdmin
from core.admin import BoundedSearchMixin

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)
# django-allauth's own admin pages: providers are configured from the environment, never stored (a stored one would
# be a second, unaudited way in); the links between accounts and providers, and addresses, are its bookkeeping.
for _model in (SocialApp, SocialAccount, SocialToken, EmailAddress):
    admin.site.unregister(_model)


ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission in the reader's language. Django stores permission names in English when it creates them."""
    action, _sep, _model = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action in ACTIONS and model is not None and permission.codename == f"{action}_{model._meta.model_name}":
        name = ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # our own permissions' names are in the catalog
    return f"{permission.content_type} | {name}"


class GrantablePermissionsOnly:
    """Offer the permissions worth granting, named in the reader's language.

    Not those of the history tables, which nobody edits by hand.
    """

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name in {"permissions", "user_permissions"}:
            kwargs["queryset"] = Permission.objects.exclude(
                content_type__model__startswith="historical"
            ).select_related("content_type")
            field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
            field.label_from_instance = permission_label
            return field
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)


class NeverDeleted:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


@admin.register(Group)
class RoleAdmin(GrantablePermissionsOnly, NeverDeleted, AuditedAdmin, GroupAdmin):
    """Roles are defined in code (accounts/roles.py) and kept by migrations, so they are never deleted here.

    A change made here is an access change: it needs a reason and joins the role's audit trail.
    """

    form = AccessChangeForm


class PreferencesInline(admin.StackedInline):
    """An administrator can set a new colleague's language, time zone and years before they first log in."""

    model = Profile
    form = PreferencesForm
    can_delete = False
    max_num = 1
    fields = ["language", "time_zone", "year_basis"]
    autocomplete_fields = ["year_basis"]


@admin.register(User)
class AccountAdmin(GrantablePermissionsOnly, NeverDeleted, AuditedAdmin, UserAdmin):
    """User accounts are deactivated, never deleted, so every change in the trail stays attributable.

    Creating an account, changing its roles, permissions or status, and setting its password each need a
    reason and join the account's audit trail.
    """

    inlines = [PreferencesInline]

    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = PasswordChangeForm
    # Set by Django, not by people: editable, the admin would round date_joined to the second on every save.
    readonly_fields = ["last_login", "date_joined"]
    change_user_password_template = "admin/accounts/change_password.html"  # noqa: S105 (a template, not a secret)


admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AccessAttempt)
class LockoutAdmin(BoundedSearchMixin, AccessAttemptAdmin):
    """django-axes' list of login attempts, with its status column named in every language."""

    @admin.display(description=_("Status"))
    def status(self, obj: AccessAttempt):
        return super().status(obj)


@admin.register(AccessLog)
class LoginLogAdmin(BoundedSearchMixin, AccessLogAdmin):
    """django-axes' log of logins and logouts, searched like every other list."""


@admin.register(AccessFailureLog)
class FailedLoginLogAdmin(BoundedSearchMixin, AccessFailureLogAdmin):
    """django-axes' log of failed logins, searched like every other list."""


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Administrators see every user's tokens and revoke one with a reason; nobody adds one here (a token's secret
    is shown once, to its owner, on their preferences page) and nobody deletes one."""

    form = ApiTokenRevokeForm
    list_display = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["user"]
    list_filter = ["expires_at", "revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    date_hierarchy = "created_at"
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]
    fields = [*readonly_fields, "revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        live = obj is not None and obj.revoked_at is None
        return fields if live and self.has_change_permission(request, obj) else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("revoke") and obj.revoked_at is None:
            obj.revoked_at = timezone.now()
        super().save_model(request, obj, form, change)
