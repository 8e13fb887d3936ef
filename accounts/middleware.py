from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.preferences import preferred, preferred_zone

STARTED = "session_started_at"
LAST_SEEN = "session_last_seen_at"
# Refresh the idle clock at most once a minute, so reading pages does not write the session every time.
TOUCH_EVERY = 60


class SessionLifetimeMiddleware:
    """Log a user out after an idle timeout, and after an absolute lifetime whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(STARTED, now)
            last_seen = session.setdefault(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= TOUCH_EVERY:
                session[LAST_SEEN] = now
        return self.get_response(request)


class PreferencesMiddleware:
    """Apply the signed-in user's language and time zone, overriding what the browser asks for.

    Runs after LocaleMiddleware. The language also goes into the language cookie, so the login page speaks it
    after the user logs out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = preferred(request)
        language = chosen.get("language")
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        timezone.activate(preferred_zone(request))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        language = preferred(request).get("language")  # read again: the view may just have changed it
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
