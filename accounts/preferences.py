"""A user's preferences travel in the session, so applying them costs no query on any page."""

from __future__ import annotations

import zoneinfo

from django.conf import settings

from accounts.models import Profile
from partners.fiscal import CALENDAR

SESSION_KEY = "preferences"


def remember(request, profile: Profile) -> None:
    request.session[SESSION_KEY] = {
        "language": profile.language,
        "time_zone": profile.time_zone,
        "year_basis": str(profile.year_basis_id) if profile.year_basis_id else CALENDAR,
    }


def preferred(request) -> dict:
    return request.session.get(SESSION_KEY, {}) if hasattr(request, "session") else {}


def preferred_basis(request) -> str:
    return preferred(request).get("year_basis", CALENDAR)


def preferred_zone(request) -> zoneinfo.ZoneInfo:
    name = preferred(request).get("time_zone") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        remember(request, Profile.for_user(user))
