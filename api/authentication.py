"""``Authorization: Token <secret>`` (or ``Bearer <secret>``): the user of a live token (accounts/tokens.py).

DRF authenticates in the view, after the middleware has run; it also puts the user on the underlying Django request,
which is the request simple-history's HistoryRequestMiddleware holds, so history rows written by an API call name
the token's user.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts import tokens

KEYWORDS = ("token", "bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Token <token>”."))
        try:
            secret = words[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = tokens.authenticate(secret) if secret else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes a request without credentials a 401 (with this challenge) rather than a 403.
        return "Token"
