from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken
from accounts.tokens import token_issue, token_revoke

NAME = "manage.py api_token"
REASON = "Issued with manage.py api_token"
REVOKED = "Replaced by a new token issued with manage.py api_token"


class Command(BaseCommand):
    help = (
        "Print a new API token for a user, revoking the one this command issued them before "
        "(tokens made on the preferences page stay)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called {username!r}.")
        for token in ApiToken.objects.filter(user=user, name=NAME, revoked_at__isnull=True):
            token_revoke(token=token, reason=REVOKED)
        token, secret = token_issue(user=user, name=NAME, reason=REASON)
        self.stderr.write(f"Token {token.prefix}… for {username}, valid until {token.expires_at:%Y-%m-%d %H:%M} UTC:")
        self.stdout.write(secret)
