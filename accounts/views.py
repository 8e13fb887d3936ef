from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import LanguageForm, OwnPasswordChangeForm, PreferencesForm
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


class PasswordChangeView(auth_views.PasswordChangeView):
    """The admin's "change my password" page (it takes the admin's address), throttled like the login form.

    When the failures reach the limit the session ends as well: whoever could not give the password
    that many times should not stay logged in on it.
    """

    form_class = OwnPasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("admin:password_change_done")

    def dispatch(self, request, *args, **kwargs):
        request.current_app = admin.site.name
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            logout(self.request)
            return locked_out(self.request)
        return super().form_invalid(form)


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
