from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


class PerToken(SimpleRateThrottle):
    """A rate per token (API_RATE); a browser session on the docs page counts as its user's."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.API_RATE  # read per request, so a changed setting applies at once

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
