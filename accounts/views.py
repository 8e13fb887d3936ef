from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import CalendarToken


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
