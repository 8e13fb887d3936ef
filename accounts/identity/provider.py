"""django-allauth's OpenID Connect provider, as the login page uses it: a nonce on every sign-in, nothing else."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import requests
from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

PROVIDER = "openid_connect"
NONCE = "nonce"
logger = logging.getLogger(__name__)


def configured_apps() -> list[dict]:
    return settings.SOCIALACCOUNT_PROVIDERS.get(PROVIDER, {}).get("APPS", [])


@dataclass(frozen=True)
class Button:
    id: str
    name: str


def login_buttons() -> list[Button]:
    """One button on the login page per configured provider, in the order they are configured."""
    return [Button(app["provider_id"], app["name"]) for app in configured_apps()]


class CompanyProvider(OpenIDConnectProvider):
    """Signs in, and only signs in, with the configured scope and a nonce the ID token must carry back.

    allauth would also take a process ("connect" links a provider account to whoever is signed in), extra scopes
    and authorization parameters from the request; the login page sends none of them, so none are read. The nonce
    is kept in allauth's per-sign-in state beside the PKCE verifier and checked by
    ``accounts.identity.adapters.SocialAccountAdapter.pre_social_login``.
    """

    def get_redirect_from_request_kwargs(self, request) -> dict:
        kwargs = {"process": AuthProcess.LOGIN, "scope": self.get_scope(), "auth_params": self.get_auth_params()}
        # Kept only when it is one of the app's own addresses (accounts.identity.adapters.AccountAdapter).
        if next_url := get_next_redirect_url(request):
            kwargs["next_url"] = next_url
        return kwargs

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        kwargs["auth_params"] = {**(kwargs.get("auth_params") or self.get_auth_params()), NONCE: nonce}
        try:
            # Reads the provider's discovery document first: the provider may be down or answer nonsense.
            return super().redirect(request, process, next_url, data, **{**kwargs, NONCE: nonce})
        except (requests.RequestException, ValueError, KeyError) as error:
            logger.warning("Sign-in through %s unavailable: %s", self.app.provider_id, error)
            message = _("%(provider)s cannot be reached just now. Please try again in a few minutes.")
            context = {"message": message % {"provider": self.app.name}}
            return render(request, "registration/sign_in_refused.html", context, status=503)
