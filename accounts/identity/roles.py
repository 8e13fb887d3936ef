"""The one place where an identity provider's group claim becomes the app's roles.

Each provider's ``roles`` (in ``OIDC_PROVIDERS``) maps the groups its claim names to roles of
``accounts/roles.py``. At every sign-in through the provider, the user's roles become exactly those the claim maps
to, recorded on the audit trail with the claim's values that the mapping names; groups that are not roles are left
alone.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.core import checks
from django.db import transaction

from accounts.roles import role_permissions

# Stored as written, like every reason on the trail; read by auditors in the language of the records.
REASON = "From the identity provider {name} ({id}): {claim} = {values}"
NO_VALUES = "(none)"
# A provider's claim may list every group a person is in (a union, a health programme): the append-only trail keeps
# only those the mapping names, and counts the others.
UNMAPPED = "{count} other group(s), not recorded"


def claim_values(settings: dict, claims: dict) -> list[str]:
    """The values of the provider's group claim, from the ID token or else the userinfo response.

    A claim may be a list or one string; anything else (a number, an object) names no group.
    """
    name = settings["groups_claim"]
    value = None
    for source in ("id_token", "userinfo"):
        part = claims.get(source)
        if isinstance(part, dict) and name in part:
            value = part[name]
            break
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return sorted({item for item in value if isinstance(item, str)})


def mapped_roles(settings: dict, values: list[str]) -> set[str]:
    mapping = settings["roles"]
    return {mapping[value] for value in values if value in mapping}


def reason_for(app, values: list[str]) -> str:
    mapped = [value for value in values if value in app.settings["roles"]]
    recorded = mapped + ([UNMAPPED.format(count=len(values) - len(mapped))] if len(mapped) < len(values) else [])
    return REASON.format(
        name=app.name, id=app.provider_id, claim=app.settings["groups_claim"], values=", ".join(recorded) or NO_VALUES
    )


@transaction.atomic
def user_set_roles(*, user: User, roles: set[str], reason: str) -> bool:
    """Give ``user`` exactly ``roles`` among the app's roles; one history row with ``reason`` when that changes.

    Returns whether anything changed.
    """
    app_roles = set(role_permissions())
    current = set(user.groups.values_list("name", flat=True))
    wanted = (current - app_roles) | (roles & app_roles)
    if wanted == current:
        return False
    # The many-to-many writes would each leave a row of their own; one save afterwards records the whole change.
    user.skip_history_when_saving = True
    try:
        user.groups.set(Group.objects.filter(name__in=wanted))
    finally:
        del user.skip_history_when_saving
    user._change_reason = reason
    user.save()
    return True


def check_role_names(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every role a provider's mapping names is one of the app's roles (a typo would grant nothing, silently)."""
    from accounts.identity.provider import configured_apps

    app_roles = set(role_permissions())
    errors = []
    for app in configured_apps():
        for group, role in app["settings"]["roles"].items():
            if role not in app_roles:
                errors.append(
                    checks.Error(
                        f"OIDC_PROVIDERS: {app['provider_id']} maps {group!r} to {role!r}, which is not a role.",
                        hint=f"Roles: {', '.join(sorted(app_roles))} (accounts/roles.py).",
                        id="accounts.E001",
                    )
                )
    return errors
