"""OIDC_PROVIDERS: what a configuration may say, and what production refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.identity.config import identity_providers
from accounts.identity.roles import check_role_names

ROOT = Path(__file__).resolve().parents[2]
ENTRY = {
    "id": "agc",
    "name": "AGC Biologics",
    "server_url": "https://login.agc.example/realms/alliance",
    "client_id": "alliance-tracker",
    "secret": "s3cret",
    "roles": {"alliance-managers": "Manager"},
}


def parse(*entries, production=False):
    return identity_providers(json.dumps(list(entries)), production=production)


def test_no_providers_by_default():
    assert identity_providers("", production=True) == []


def test_a_provider_becomes_an_allauth_app_with_pkce_and_its_mapping():
    (app,) = parse(ENTRY, {**ENTRY, "id": "medinet", "name": "MEDINET", "groups_claim": "roles"})[:1]
    assert (app["provider_id"], app["name"], app["client_id"]) == ("agc", "AGC Biologics", "alliance-tracker")
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["groups_claim"] == "groups" and app["settings"]["roles"] == {"alliance-managers": "Manager"}


def test_production_accepts_only_https_providers():
    plain = {**ENTRY, "server_url": "http://login.agc.example/"}
    assert parse(plain, production=False)
    with pytest.raises(ImproperlyConfigured, match="server_url must be an https URL"):
        parse(plain, production=True)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({**ENTRY, "secret": ""}, "missing secret"),
        ({**ENTRY, "role": {}}, "unknown keys role"),
        ({**ENTRY, "id": "AGC/1"}, "the id is lower-case"),
        ({**ENTRY, "id": "agc\n"}, "the id is lower-case"),
        ({**ENTRY, "id": 1}, "the id is lower-case"),
        ({**ENTRY, "roles": ["Manager"]}, "roles maps each group"),
        ({**ENTRY, "scope": ["profile"]}, "scope is a list"),
        ({**ENTRY, "server_url": "ftp://x"}, "server_url must be"),
    ],
)
def test_a_mistake_in_the_configuration_names_itself(entry, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse(entry)


def test_two_providers_cannot_share_an_id():
    with pytest.raises(ImproperlyConfigured, match="used twice"):
        parse(ENTRY, ENTRY)


def test_not_json_is_refused():
    with pytest.raises(ImproperlyConfigured, match="not valid JSON"):
        identity_providers("[{", production=False)


def test_a_role_name_that_is_not_a_role_fails_the_checks(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": parse({**ENTRY, "roles": {"alliance-managers": "Managers"}})}
    }
    (error,) = check_role_names()
    assert error.id == "accounts.E001" and "'Managers', which is not a role" in error.msg
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": parse(ENTRY)}}
    assert check_role_names() == []


def test_production_settings_refuse_a_plain_http_provider():
    env = {
        **os.environ,
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "tracker.example",
        "OIDC_PROVIDERS": json.dumps([{**ENTRY, "server_url": "http://login.agc.example/"}]),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0 and "server_url must be an https URL" in result.stderr
