"""The identity providers, read from ``OIDC_PROVIDERS`` (a JSON list) into django-allauth's app settings.

Imported by the settings: no models, no Django setup needed. Role names are checked against the app's roles
once the apps are ready (``accounts.identity.roles.check_role_names``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

REQUIRED = ("id", "name", "server_url", "client_id", "secret", "roles")
OPTIONAL = ("groups_claim", "scope")
DEFAULT_GROUPS_CLAIM = "groups"
# Part of the sign-in URLs (/accounts/oidc/<id>/login/) and of each account's link to its provider.
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")


def problem(index: int, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"OIDC_PROVIDERS, entry {index + 1}: {message}")


def identity_providers(raw: str, *, production: bool) -> list[dict]:
    """django-allauth's ``APPS`` entries for the providers ``raw`` (JSON) declares; none when it is empty."""
    if not raw.strip():
        return []
    try:
        entries = json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"OIDC_PROVIDERS is not valid JSON: {error}") from error
    if not isinstance(entries, list):
        raise ImproperlyConfigured("OIDC_PROVIDERS must be a JSON list of providers.")
    apps, seen = [], set()
    for index, entry in enumerate(entries):
        apps.append(app_from(index, entry, production=production))
        if apps[-1]["provider_id"] in seen:
            raise problem(index, f"the id {apps[-1]['provider_id']!r} is used twice")
        seen.add(apps[-1]["provider_id"])
    return apps


def app_from(index: int, entry, *, production: bool) -> dict:
    if not isinstance(entry, dict):
        raise problem(index, "each provider is a JSON object")
    if missing := [key for key in REQUIRED if not entry.get(key)]:
        raise problem(index, f"missing {', '.join(missing)}")
    if unknown := sorted(set(entry) - set(REQUIRED) - set(OPTIONAL)):
        raise problem(index, f"unknown keys {', '.join(unknown)}")
    if not isinstance(entry["id"], str) or not PROVIDER_ID.fullmatch(entry["id"]):
        raise problem(index, "the id is lower-case letters, digits and hyphens (at most 30)")
    url = urlsplit(str(entry["server_url"]))
    # A sign-in's tokens and claims cross the network: in production only over TLS.
    allowed = ("https",) if production else ("https", "http")
    if url.scheme not in allowed or not url.netloc:
        raise problem(index, f"server_url must be an {' or '.join(allowed)} URL")
    roles = entry["roles"]
    if not isinstance(roles, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in roles.items()):
        raise problem(index, "roles maps each group (as the claim names it) to a role's name")
    scope = entry.get("scope", ["openid", "profile", "email"])
    if not isinstance(scope, list) or "openid" not in scope:
        raise problem(index, 'scope is a list that includes "openid"')
    return {
        "provider_id": entry["id"],
        "name": str(entry["name"]),
        "client_id": str(entry["client_id"]),
        "secret": str(entry["secret"]),
        "settings": {
            "server_url": str(entry["server_url"]).rstrip("/"),
            "groups_claim": str(entry.get("groups_claim") or DEFAULT_GROUPS_CLAIM),
            "roles": dict(roles),
            "scope": [str(s) for s in scope],
            # The authorization code is bound to this sign-in by PKCE (RFC 7636), on top of the state.
            "oauth_pkce_enabled": True,
        },
    }


def origins(apps: list[dict]) -> list[str]:
    """The providers' origins: the login page's buttons post to the app, which redirects there."""
    found = []
    for app in apps:
        url = urlsplit(app["settings"]["server_url"])
        found.append(f"{url.scheme}://{url.netloc}")
    return sorted(set(found))
