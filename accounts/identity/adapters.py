"""django-allauth fitted to the app: who may come in through a provider, with which roles, and what a refusal shows."""

from __future__ import annotations

import hmac
import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.emailkit import valid_email_or_none
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.models import User
from django.db import transaction
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.identity import roles
from accounts.identity.provider import NONCE

logger = logging.getLogger(__name__)
# The backend that loads the signed-in user on later requests: it refuses an account deactivated since.
BACKEND = "django.contrib.auth.backends.ModelBackend"
CREATED = "Created at the first sign-in through the identity provider {name} ({id})"


def refusal(request, message: str, *, status: int):
    return ImmediateHttpResponse(
        render(request, "registration/sign_in_refused.html", {"message": message}, status=status)
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url: str) -> bool:
        """After a sign-in, only an address of this app (the same host and, over HTTPS, the same scheme)."""
        request = self.request
        return bool(url) and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )

    def login(self, request, user) -> None:
        user.backend = BACKEND
        super().login(request, user)

    def add_message(self, *args, **kwargs) -> None:
        """Signing in says nothing, as the password login says nothing: the dashboard is the answer."""

    def respond_user_inactive(self, request, user):
        raise refusal(request, inactive_message(), status=403)


def inactive_message() -> str:
    return _("This account is deactivated. Ask an administrator of Alliance Tracker if you need access again.")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        """Before anyone is signed in or created: the nonce, the account's state, the roles the claim maps to."""
        app = sociallogin.provider.app
        sent = (sociallogin.state or {}).get(NONCE) or ""
        returned = (sociallogin.account.extra_data.get("id_token") or {}).get(NONCE) or ""
        if not sent or not hmac.compare_digest(str(sent), str(returned)):
            logger.warning(
                "Sign-in through %s refused: the ID token does not carry this sign-in's nonce", app.provider_id
            )
            raise refusal(request, failed_message(app.name), status=400)
        user = sociallogin.user
        if sociallogin.is_existing and not user.is_active:
            logger.warning("Sign-in through %s refused: %s is deactivated", app.provider_id, user.get_username())
            raise refusal(request, inactive_message(), status=403)
        values = roles.claim_values(app.settings, sociallogin.account.extra_data)
        granted = roles.mapped_roles(app.settings, values)
        reason = roles.reason_for(app, values)
        if sociallogin.is_existing:
            roles.user_set_roles(user=user, roles=granted, reason=reason)
        else:
            sociallogin.identity_roles = (granted, reason)
        if not granted:
            logger.warning(
                "Sign-in through %s refused: no role for %s (%s)", app.provider_id, user.get_username(), reason
            )
            raise refusal(
                request,
                _(
                    "Your account at %(provider)s is in no group that has a role in Alliance Tracker, so it "
                    "gives no access here. Ask your company's identity administrator for the group you need."
                )
                % {"provider": app.name},
                status=403,
            )

    def populate_user(self, request, sociallogin, data):
        """Name and address from the claims; the username the provider gives, made unique if a local one has it."""
        user = super().populate_user(request, sociallogin, data)
        email = valid_email_or_none(data.get("email")) or ""
        user.email = email
        user.username = unique_username(
            data.get("username") or email.partition("@")[0] or "user", sociallogin.provider.app.provider_id
        )
        # allauth would keep the addresses in a table of its own, and save the account once more for them.
        sociallogin.email_addresses = []
        return user

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        """The first sign-in: the account (staff, so the records' admin opens for their role) and its roles."""
        app = sociallogin.provider.app
        user = sociallogin.user
        user.is_staff = True
        user._change_reason = CREATED.format(name=app.name, id=app.provider_id)
        user = super().save_user(request, sociallogin, form=form)
        granted, reason = sociallogin.identity_roles
        roles.user_set_roles(user=user, roles=granted, reason=reason)
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None) -> None:
        """A sign-in that failed on the way (cancelled, tampered or stale state, the provider's error): say so."""
        logger.warning("Sign-in through %s failed: %s %s", provider.app.provider_id, error, exception or "")
        raise refusal(request, failed_message(provider.app.name), status=400)


def unique_username(wanted: str, provider_id: str) -> str:
    """``wanted`` if free, else ``wanted.<provider>``, else with a number: never someone else's account."""
    field = User._meta.get_field("username")
    base = "".join(c for c in wanted if c.isalnum() or c in "@.+-_")[: field.max_length - 40] or "user"
    candidates = [base, f"{base}.{provider_id}", *(f"{base}.{provider_id}{n}" for n in range(2, 1000))]
    taken = set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    return next(c for c in candidates if c not in taken)


def failed_message(provider: str) -> str:
    return _(
        "The sign-in through %(provider)s could not be completed: it was cancelled, took too long, or was "
        "started in another browser window. Please start again from the login page."
    ) % {"provider": provider}
