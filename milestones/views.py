from __future__ import annotations

import re

from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from accounts.models import CalendarToken, Profile
from accounts.preferences import preferred_basis
from audit.trail import trail_for
from milestones import dashboard
from milestones.calendar import milestone_calendar
from milestones.forms import DashboardFilters
from milestones.models import Milestone
from milestones.movement import baseline_history, forecast_movement
from milestones.panels import Board, fill
from signatures.display import panel as signatures_panel

# What secrets.token_urlsafe(32) makes; anything else cannot be a token and never reaches the database.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


@require_safe
@permission_required("milestones.view_milestone", raise_exception=True)
def dashboard_view(request: HttpRequest) -> HttpResponse:
    preferred = preferred_basis(request)
    form = DashboardFilters(request.GET or None, initial={"year_basis": preferred})
    valid = form.is_valid() if form.is_bound else True
    filters = dashboard.Filters(**form.cleaned_data) if form.is_bound and valid else dashboard.Filters()
    if filters.year_basis is None:
        filters.year_basis = form.bases.get(preferred)
    today = timezone.localdate()
    panels = fill(Board(filters=filters, today=today, user=request.user))
    context = {"form": form, "filters": filters, "today": today, "panels": panels}
    return render(request, "milestones/dashboard.html", context, status=200 if valid else 400)


@require_safe
@permission_required("milestones.view_milestone", raise_exception=True)
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.for_list().prefetch_related("dependencies", "dependents"), pk=pk)
    show_trail = request.user.has_perm("audit.view_audit_trail")
    return render(
        request,
        "milestones/detail.html",
        {
            "milestone": milestone,
            "rag": milestone.rag(),
            "baselines": baseline_history(milestone),
            "movement": forecast_movement(milestone),
            "entries": trail_for(Milestone, milestone.pk) if show_trail else None,
            **signatures_panel(request.user, milestone),
        },
    )


@login_not_required
@require_safe
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The milestone calendar for calendar clients, which carry no session: the token alone authenticates."""
    token = request.GET.get("token", "")
    owner = (
        CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
        if TOKEN_SHAPE.fullmatch(token)
        else None
    )
    if owner is None or not owner.user.has_perm("milestones.view_milestone"):
        raise Http404
    # The calendar speaks its owner's language and time zone: a calendar client sends no session.
    profile = Profile.objects.filter(user=owner.user).first() or Profile(user=owner.user)
    with translation.override(profile.language or translation.get_language()), timezone.override(profile.time_zone):
        body = milestone_calendar(Milestone.objects.for_list().exclude(status=Milestone.Status.CANCELLED), request)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="milestones.ics"'
    return response
