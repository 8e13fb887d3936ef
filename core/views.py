from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from milestones.models import Milestone
from partners.models import Exchange, Partnership, Site


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and container health checks: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    partnerships = Partnership.objects.prefetch_related("parties")
    return render(
        request,
        "core/home.html",
        {
            "partnerships": partnerships,
            "site_count": Site.objects.count(),
            "exchange_count": Exchange.objects.count(),
            "upcoming": Milestone.objects.open().for_list()[:5],
        },
    )
