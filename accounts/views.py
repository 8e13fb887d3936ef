from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import LanguageForm, PreferencesForm
from accounts.middleware import set_language_cookie
from accounts.models import CalendarToken, Profile
from accounts.preferences import remember


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows after too many failed logins (429 Too Many Requests)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


@require_POST
def regenerate_calendar_token(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("milestones.view_milestone"):
        raise PermissionDenied
    CalendarToken.for_user(request.user).regenerate()
    messages.success(request, _("Your calendar link was renewed; the old one no longer works."))
    return redirect(f"{reverse('milestones:dashboard')}#calendar")


@login_not_required
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: remembered for the user (every device) and in a cookie (this browser)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain; charset=utf-8")
    language = form.cleaned_data["language"]
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("milestones:dashboard")
    if request.user.is_authenticated:
        profile = Profile.for_user(request.user)
        profile.language = language
        profile.save(update_fields=["language"])
        remember(request, profile)
    response = redirect(target)
    set_language_cookie(response, language)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    profile = Profile.for_user(request.user)
    form = PreferencesForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        remember(request, profile)
        if profile.language:
            translation.activate(profile.language)
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:preferences")  # PreferencesMiddleware puts the language in the cookie
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/preferences.html", {"form": form}, status=status)
