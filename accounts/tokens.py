"""API tokens: issuing one (the secret is returned once, only its SHA-256 is kept), revoking, and finding the live
token a secret belongs to."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from audit.reasons import validate_reason


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def token_issue(*, user, name: str, reason: str, by=None, replace: bool = False) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret (shown once). ``replace`` revokes the user's live tokens first.

    ``by`` is whoever issues it when that is not the request's user (a command, an administrator).
    """
    validate_reason(reason)
    if replace:
        for token in live_tokens(user):
            token_revoke(token=token, reason=reason, by=by)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user, name=name, prefix=secret[:8], digest=digest(secret), created_at=now, expires_at=now + lifetime()
    )
    token.full_clean()
    token._change_reason = reason
    if by is not None:
        token._history_user = by
    token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, reason: str, by=None) -> None:
    """End a token now; a revoked token stays listed (and on the trail), it only stops working."""
    validate_reason(reason)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token._change_reason = reason
    if by is not None:
        token._history_user = by
    token.save()


def live_tokens(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())


def authenticate(secret: str) -> ApiToken | None:
    """The live token whose secret this is, with its active user; None for anything else."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token
