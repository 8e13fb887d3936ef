"""The address a request came from, as login throttling counts it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our proxies the X-Forwarded-For entry the outermost one wrote.

    Each proxy appends the address it was connected from, so of "a, b, c" behind one proxy only "c" is known
    to be true; whatever stands to its left the client may have sent itself. With TRUSTED_PROXY_COUNT = 0
    (no proxy), the header is ignored. A header shorter than the proxy count, or whose entry is not an address,
    means the request did not come through our proxies as expected: REMOTE_ADDR is then the only fact.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
