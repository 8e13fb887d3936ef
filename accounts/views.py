from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import tokens
from accounts.forms import ApiTokenForm, LanguageForm, LoginForm, OwnPasswordChangeForm, PreferencesForm
from accounts.identity.provider import login_buttons
from accounts.middleware import set_language_cookie
from accounts.models import ApiToken, CalendarToken, Profile
from accounts.preferences import remember


@login_not_required
def no_such_provider(request: HttpRequest, **kwargs) -> HttpResponse:
    """allauth's generic provider id: with two providers configured it matches both (and allauth fails), with one it
    would start a sign-in the provider refuses. Only the configured ids are providers."""
    raise Http404


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows after too many failed logins (429 Too Many Requests)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)


class LoginView(auth_views.LoginView):
    """The password login, and a button for each configured identity provider (none by default)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "identity_providers": login_buttons()}


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
    return render_preferences(request, form, status=status)


def render_preferences(request: HttpRequest, form, *, token_form=None, secret: str = "", status: int = 200):
    context = {
        "form": form,
        "token_form": token_form or ApiTokenForm(),
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk"),
        "now": timezone.now(),
        "secret": secret,
        "days": settings.API_TOKEN_DAYS,
    }
    return render(request, "accounts/preferences.html", context, status=status)


# Reasons on the trail for what a user does with their own tokens (stored as written, like every reason).
ISSUED_BY_OWNER = "Issued by its owner on the preferences page"
REVOKED_BY_OWNER = "Revoked by its owner on the preferences page"


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Issue a token and show its secret once, on this response: it is stored nowhere but as a digest."""
    form = ApiTokenForm(request.POST)
    preferences_form = PreferencesForm(instance=Profile.for_user(request.user))
    if not form.is_valid():
        return render_preferences(request, preferences_form, token_form=form, status=400)
    _token, secret = tokens.token_issue(user=request.user, name=form.cleaned_data["name"], reason=ISSUED_BY_OWNER)
    return render_preferences(request, preferences_form, secret=secret)


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(token=token, reason=REVOKED_BY_OWNER)
    messages.success(request, _("The token “%(name)s” was revoked; it no longer works.") % {"name": token.name})
    return redirect(f"{reverse('accounts:preferences')}#api-tokens")
