"""`check --deploy`: links in emails must lead to the site over HTTPS."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs) -> list[Warning]:
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname and not parts.hostname.startswith("."):
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: the links in email digests need the site's https:// address.",
            hint="Set SITE_URL, e.g. https://alliance.example.com (docs/configuration.md).",
            id="digests.W001",
        )
    ]
